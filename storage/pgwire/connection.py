"""One PostgreSQL connection on a trio stream: login, prepared statements, transactions.

One request at a time (the pool lends a connection to one task): each call writes its
messages in one send and reads until ReadyForQuery. A call interrupted half-way (a
cancellation, a broken socket) leaves the stream in an unknown state, so the connection
marks itself broken and the pool drops it.

Statements are prepared on first use and kept per connection (``statement_cache_size``,
oldest closed first): a repository's SQL text is a handful of constants, and the IN-lists
built for a number of values vary only within their chunk size. ``begin()`` sends no
message of its own: BEGIN travels in front of the transaction's first statement, and
``fetch_and_commit`` sends the transaction's last statement and its COMMIT in one write.
Both go through the extended protocol before the statement's one Sync
(``wire.unsynced``), so the server answers all of it in one reply: a simple-protocol
Query would get its answer flushed apart, a second read and readiness wait per round
trip.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from typing import Any

import trio

from . import wire
from .auth import ScramSha256, md5_password
from .dsn import ConnectParams
from .errors import ConnectionLost, PostgresError, ProtocolViolation
from .plain_socket import PlainSocket
from .statement import Statement

RECEIVE_SIZE = 65536
DEFAULT_STATEMENT_CACHE = 256
CONNECT_TIMEOUT = 10.0
_STALE_PLAN = "0A000"  # "cached plan must not change result type", after a schema change
_IGNORED = frozenset({wire.PARSE_COMPLETE, wire.BIND_COMPLETE, wire.CLOSE_COMPLETE, wire.NO_DATA,
                      wire.EMPTY_QUERY, wire.NOTICE, wire.NOTIFICATION, wire.PARAMETER_STATUS,
                      wire.PORTAL_SUSPENDED})
IDLE = b"I"  # transaction_status outside a transaction
_BEGIN = wire.unsynced("BEGIN")
_COMMIT = wire.query("COMMIT")
_COMMIT_UNSYNCED = wire.unsynced("COMMIT")


class Connection:
    __slots__ = ("_stream", "_splitter", "_statements", "_cache_size", "_counter", "_prefix",
                 "_closing", "broken", "transaction_status", "server_parameters")

    def __init__(self, stream: trio.abc.Stream | PlainSocket, *,
                 statement_cache_size: int = DEFAULT_STATEMENT_CACHE):
        self._stream = stream
        self._splitter = wire.MessageSplitter()
        self._statements: dict[str, Statement] = {}
        self._cache_size = max(1, statement_cache_size)
        self._counter = 0
        self._prefix = b""  # sent in front of the next request (BEGIN, unsynced), answered with it
        self._closing = b""
        self.broken = False
        self.transaction_status = IDLE
        self.server_parameters: dict[str, str] = {}

    # -- statements -----------------------------------------------------------------------

    async def fetch(self, sql: str, arguments: Sequence[Any] = ()) -> list[tuple]:
        return (await self._run(sql, arguments))[0]

    async def fetch_and_commit(self, sql: str, arguments: Sequence[Any] = ()) -> list[tuple]:
        """The transaction's last statement and its COMMIT in one write and one reply: the
        statement's rows once both succeeded. A failed statement makes the server skip the
        COMMIT (the transaction stays open, aborted: ``rollback`` ends it) and its error
        is raised; a failed COMMIT ends the transaction rolled back, its error raised."""
        return (await self._run(sql, arguments, commit=True))[0]

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple]]:
        """Each (sql, arguments)'s rows, all sent in one write and answered in one reply
        (one Sync behind them all): reads that do not depend on each other cost one round
        trip. They run as one implicit transaction: the first error is raised and the
        statements after it are skipped."""
        try:
            return await self._fetch_many(statements)
        except PostgresError as exc:
            if exc.sqlstate != _STALE_PLAN or self.transaction_status != IDLE:
                raise
            for sql, _ in statements:  # the schema changed under them (see _run): once more
                self._forget(sql)
            return await self._fetch_many(statements)

    async def _fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple]]:
        prepared = []
        for sql, _ in statements:
            statement = self._statements.get(sql)
            prepared.append(statement if statement is not None else await self._prepare(sql))
        out = b"".join(st.unsynced_execution(arguments) for st, (_, arguments) in zip(prepared, statements))
        rows, _, _ = await self._exchange(out + wire.SYNC, prepared)
        return rows

    async def execute(self, sql: str, arguments: Sequence[Any] = ()) -> int:
        """The number of rows the statement changed (or returned)."""
        return wire.command_count((await self._run(sql, arguments))[1])

    async def script(self, sql: str) -> None:
        """Statements without parameters, ';'-separated, through the simple protocol."""
        await self._exchange(wire.query(sql), None)

    # -- transactions ---------------------------------------------------------------------

    def begin(self) -> None:
        self._prefix = _BEGIN

    async def commit(self) -> None:
        if self._prefix:  # nothing was sent since begin(): nothing to commit
            self._prefix = b""
        elif self.transaction_status != IDLE:  # not ended already by fetch_and_commit
            await self._exchange(_COMMIT, None)

    async def rollback(self) -> None:
        if self._prefix:  # nothing was sent since begin()
            self._prefix = b""
        elif self.transaction_status != IDLE:
            await self._exchange(wire.query("ROLLBACK"), None)

    # -- the connection itself ------------------------------------------------------------

    def abort(self) -> None:
        """Close the socket now, without a goodbye (a broken or surplus connection)."""
        self.broken = True
        stream = self._stream
        if isinstance(stream, PlainSocket):
            stream.close_now()
            return
        while isinstance(stream, trio.SSLStream):
            stream = stream.transport_stream
        if isinstance(stream, trio.SocketStream):
            stream.socket.close()

    async def aclose(self) -> None:
        if not self.broken:
            with trio.move_on_after(1) as scope:
                scope.shield = True
                try:
                    await self._stream.send_all(wire.TERMINATE)
                except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                    pass
        self.broken = True
        with trio.CancelScope(shield=True):
            await trio.aclose_forcefully(self._stream)

    # -- internals ------------------------------------------------------------------------

    async def _run(self, sql: str, arguments: Sequence[Any], commit: bool = False) -> tuple[list[tuple], bytes]:
        statement = self._statements.get(sql)
        if statement is None:
            statement = await self._prepare(sql)
        try:
            if commit:
                out = statement.unsynced_execution(arguments) + _COMMIT_UNSYNCED + wire.SYNC
            else:
                out = statement.execution(arguments)
            rows, tag, _ = await self._exchange(out, statement)
        except PostgresError as exc:
            # Only a statement of its own may run again: inside a transaction (or ending
            # one, its COMMIT sent behind it) the failure has aborted the transaction.
            if exc.sqlstate != _STALE_PLAN or self.transaction_status != IDLE or commit:
                raise
            # The schema changed under the prepared statement: prepare it again, once.
            self._forget(sql)
            statement = await self._prepare(sql)
            rows, tag, _ = await self._exchange(statement.execution(arguments), statement)
        return rows, tag

    async def _prepare(self, sql: str) -> Statement:
        self._counter += 1
        name = b"s%d" % self._counter
        if len(self._statements) >= self._cache_size:
            self._forget(next(iter(self._statements)))
        out = self._closing + wire.parse(name, sql) + wire.describe_statement(name) + wire.SYNC
        self._closing = b""
        _, _, described = await self._exchange(out, None)
        parameters, columns = described
        if parameters is None:
            raise ProtocolViolation("no ParameterDescription for a prepared statement")
        statement = Statement(name, parameters, columns)
        self._statements[sql] = statement
        return statement

    def _forget(self, sql: str) -> None:
        """Drops a statement from the cache; its Close goes with the next Parse."""
        statement = self._statements.pop(sql, None)
        if statement is not None:
            self._closing += wire.close_statement(statement.name)

    async def _exchange(self, out: bytes, statement: Statement | list[Statement] | None):
        """Sends ``out`` (ending in Sync or a simple Query) and reads until its ReadyForQuery;
        a pending prefix (BEGIN) goes in front of it in the same write. The rows and the
        tag are ``out``'s first statement's (with a list of statements, executed in
        that order: the rows of each, in a list); the first error is raised."""
        if self.broken:
            raise ConnectionLost("the connection is broken")
        replies = 1
        own = 0  # the CommandComplete that is out's (after the prefix's)
        if self._prefix:
            if out[:1] == b"Q":  # a simple Query: the prefix gets its own Sync, and reply
                out = self._prefix + wire.SYNC + out
                replies += 1
            else:
                out = self._prefix + out
            own = 1
            self._prefix = b""
        completed = 0
        rows: list[tuple] = []
        tag = b""
        error: PostgresError | None = None
        parameters: tuple[int, ...] | None = None
        columns: list[int] | None = None
        several = isinstance(statement, list)
        if several:
            results: list[list[tuple]] = [[] for _ in statement]
            decoders = [st.decode_row for st in statement]
            statement = statement[0] if statement else None
            if results:
                rows = results[0]
        decode = statement.decode_row if statement is not None else None
        try:
            await self._stream.send_all(out)  # PlainSocket's writes at once (plain_socket.py)
            while replies:
                data = await self._stream.receive_some(RECEIVE_SIZE)
                if not data:
                    raise ConnectionLost("the server closed the connection")
                for kind, payload in self._splitter.feed(data):
                    if kind == wire.DATA_ROW:
                        if decode is not None:
                            rows.append(decode(payload))
                    elif kind == wire.COMMAND_COMPLETE:
                        if completed == own:
                            tag = payload[:-1]
                        completed += 1
                        if several:  # the next statement's rows follow
                            index = completed - own
                            if index < len(results):
                                rows, decode = results[index], decoders[index]
                            else:
                                rows, decode = [], None
                    elif kind == wire.READY_FOR_QUERY:
                        replies -= 1
                        self.transaction_status = payload[:1]
                    elif kind == wire.ERROR:
                        if error is None:
                            error = PostgresError.from_payload(payload)
                    elif kind in _IGNORED:
                        pass
                    elif kind == wire.PARAMETER_DESCRIPTION:
                        parameters = wire.parameter_description(payload)
                    elif kind == wire.ROW_DESCRIPTION:
                        columns = [oid for _, oid in wire.row_description(payload)]
                    else:
                        raise ProtocolViolation(f"unexpected backend message {chr(kind)!r}")
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            self.broken = True
            raise ConnectionLost(f"the connection broke: {exc.__cause__ or exc}") from exc
        except BaseException:
            self.broken = True
            raise
        if error is not None:
            raise error
        if several:
            return results, tag, (parameters, columns)
        return rows, tag, (parameters, columns)


async def connect(params: ConnectParams, *, statement_cache_size: int = DEFAULT_STATEMENT_CACHE,
                  timeout: float = CONNECT_TIMEOUT, application_name: str = "mtserver") -> Connection:
    """A logged-in connection, or OSError / PostgresError / trio.TooSlowError / ssl.SSLError."""
    with trio.fail_after(timeout):
        if params.unix_socket:
            stream: trio.abc.Stream | PlainSocket = await trio.open_unix_socket(params.unix_socket)
        else:
            stream = await trio.open_tcp_stream(params.host, params.port)
        try:
            if params.unix_socket is None and params.sslmode not in ("disable", "allow"):
                stream = await _negotiate_tls(stream, params)
            if isinstance(stream, trio.SocketStream):  # not TLS: the plain socket's fewer calls
                stream = PlainSocket.adopt(stream)
            connection = Connection(stream, statement_cache_size=statement_cache_size)
            await _log_in(connection, stream, params, application_name)
        except BaseException:
            with trio.CancelScope(shield=True):
                await trio.aclose_forcefully(stream)
            raise
    return connection


async def _negotiate_tls(stream: trio.abc.Stream, params: ConnectParams) -> trio.abc.Stream:
    await stream.send_all(wire.ssl_request())
    answer = await stream.receive_some(1)
    if answer == b"N":
        if params.sslmode == "prefer":
            return stream
        raise ConnectionRefusedError(f"the server does not accept TLS, and sslmode is {params.sslmode}")
    if answer != b"S":
        raise ProtocolViolation("unexpected answer to SSLRequest")
    if params.sslmode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(cafile=params.sslrootcert)
        context.check_hostname = params.sslmode == "verify-full"
    else:  # prefer, require: encrypted, not authenticated (libpq's meaning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    tls = trio.SSLStream(stream, context, server_hostname=params.host)
    try:
        await tls.do_handshake()
    except trio.BrokenResourceError as exc:  # trio's wrapping of the ssl error
        raise ConnectionRefusedError(f"TLS handshake failed: {exc.__cause__ or exc}") from exc
    return tls


async def _log_in(connection: Connection, stream: trio.abc.Stream | PlainSocket, params: ConnectParams,
                  application_name: str) -> None:
    settings = {"user": params.user, "database": params.database, "client_encoding": "UTF8",
                "application_name": application_name}
    settings.update(params.server_settings)
    await stream.send_all(wire.startup(settings))
    splitter = wire.MessageSplitter()
    scram: ScramSha256 | None = None
    while True:
        data = await stream.receive_some(RECEIVE_SIZE)
        if not data:
            raise ConnectionLost("the server closed the connection during the login")
        for kind, payload in splitter.feed(data):
            if kind == wire.AUTHENTICATION:
                code = int.from_bytes(payload[:4], "big")
                if code == 0:
                    continue
                if code == 12:
                    if scram is None:
                        raise ProtocolViolation("SASL final message without an exchange")
                    scram.verify_server_final(payload[4:])
                    continue
                secret = params.password
                if secret is None:
                    raise PostgresError({"C": "28P01", "M": "the server asks for a password and none is set"})
                if code == 3:
                    await stream.send_all(wire.password(secret.encode()))
                elif code == 5:
                    await stream.send_all(wire.password(md5_password(params.user, secret, payload[4:8])))
                elif code == 10:
                    mechanisms = payload[4:].split(b"\0")
                    if ScramSha256.MECHANISM.encode() not in mechanisms:
                        raise PostgresError({"C": "28000", "M": "no supported SASL mechanism offered"})
                    scram = ScramSha256(secret)
                    await stream.send_all(wire.sasl_initial(ScramSha256.MECHANISM, scram.client_first()))
                elif code == 11:
                    if scram is None:
                        raise ProtocolViolation("SASL continue message without an exchange")
                    await stream.send_all(wire.sasl_response(scram.client_final(payload[4:])))
                else:
                    raise PostgresError({"C": "28000", "M": f"authentication method {code} is not supported"})
            elif kind == wire.PARAMETER_STATUS:
                name, value, _ = payload.split(b"\0", 2)
                connection.server_parameters[name.decode()] = value.decode()
            elif kind == wire.ERROR:
                raise PostgresError.from_payload(payload)
            elif kind == wire.READY_FOR_QUERY:
                return
            elif kind in (wire.BACKEND_KEY_DATA, wire.NOTICE):
                pass
            else:
                raise ProtocolViolation(f"unexpected backend message {chr(kind)!r} during the login")
