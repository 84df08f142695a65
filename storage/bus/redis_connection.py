"""One connection to Redis on trio: TCP, TLS (``rediss://``) or a unix socket.

    connection = await open_redis_connection(parse_redis_url(url), name="...", timeout=5)
    replies = await connection.round_trip([encode_command("PUBLISH", channel, payload)])
    ...
    await connection.aclose()

Opening it logs in (AUTH with the URL's user and password), selects the URL's database
and names the connection (CLIENT SETNAME, what CLIENT LIST shows), in one round trip.

A connection has one sender and one receiver at a time (trio's stream rules): the pub/sub
connection's reader task receives while its syncer sends. Anything that goes wrong
(closed, reset, a timeout, bytes that are not RESP) raises :class:`ConnectionLost` or an
OSError, after which the connection must be closed and replaced: a reply may have been
half read. Error replies come back as ``ReplyError`` values (storage/bus/resp.py).
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable
from typing import Any

import trio

from .redis_url import RedisAddress
from .resp import ProtocolError, ReplyError, ReplyParser, RespError, encode_command

# Bytes asked for per read: a pub/sub burst of small messages comes in a few reads.
_READ_SIZE = 65536


class ConnectionLost(RespError):
    """The connection closed, broke, timed out or spoke something other than RESP."""


class RedisConnection:
    def __init__(self, stream: trio.abc.Stream, raw: trio.SocketStream, *, max_reply: int):
        self._stream = stream
        self._raw = raw  # the socket under TLS: for `looks_closed`
        self._parser = ReplyParser(max_reply=max_reply)
        self._ready: list[Any] = []  # replies parsed and not yet returned
        self.closed = False

    async def send(self, data: bytes) -> None:
        try:
            await self._stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            raise ConnectionLost(f"cannot send to Redis: {exc!r}") from exc

    async def receive(self) -> list[Any]:
        """The replies that have arrived (at least one), oldest first; waits for one."""
        if self._ready:
            ready, self._ready = self._ready, []
            return ready
        while True:
            try:
                data = await self._stream.receive_some(_READ_SIZE)
            except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
                raise ConnectionLost(f"cannot read from Redis: {exc!r}") from exc
            if not data:
                raise ConnectionLost("Redis closed the connection")
            self._parser.feed(data)
            try:
                replies = self._parser.replies()
            except ProtocolError as exc:
                raise ConnectionLost(f"Redis sent something unreadable: {exc}") from exc
            if replies:
                return replies

    async def receive_replies(self, count: int) -> list[Any]:
        """Exactly ``count`` replies (those of ``count`` commands sent)."""
        replies: list[Any] = []
        while len(replies) < count:
            replies += await self.receive()
        if len(replies) > count:
            # More than was asked for: not a request/reply connection's answers.
            raise ConnectionLost(f"Redis sent {len(replies) - count} replies nobody asked for")
        return replies

    async def round_trip(self, commands: list[bytes]) -> list[Any]:
        """Send the encoded commands at once (a pipeline) and read their replies."""
        await self.send(b"".join(commands))
        return await self.receive_replies(len(commands))

    def looks_closed(self) -> bool:
        """For an idle request/reply connection: True when Redis has closed it (or sent
        something unasked, which also means it is no good). One poll(2), no waiting."""
        if self.closed:
            return True
        poller = select.poll()
        poller.register(self._raw.socket.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        with trio.CancelScope(shield=True):
            await trio.aclose_forcefully(self._stream)


async def open_redis_connection(
    address: RedisAddress, *, name: str, timeout: float, max_reply: int
) -> RedisConnection:
    """Connected, logged in, database selected, named; ``timeout`` bounds all of it.
    Raises OSError or ConnectionLost when Redis cannot be reached, ReplyError when it
    refuses the login or the database."""
    timeout = address.timeout or timeout
    with trio.move_on_after(timeout) as scope:
        connection = await _connect(address, max_reply)
        try:
            commands = [encode_command(*command) for command in _handshake(address, name)]
            replies = await connection.round_trip(commands)
        except BaseException:
            await connection.aclose()
            raise
        for reply in replies:
            if isinstance(reply, ReplyError):
                await connection.aclose()
                raise reply
        return connection
    assert scope.cancelled_caught
    raise ConnectionLost(f"no answer from Redis {address!r} within {timeout} s")


async def _connect(address: RedisAddress, max_reply: int) -> RedisConnection:
    raw: trio.SocketStream
    if address.path is not None:
        raw = await trio.open_unix_socket(address.path)
    else:
        assert address.host is not None
        raw = await trio.open_tcp_stream(address.host, address.port)
        # (trio sets TCP_NODELAY.) Keepalive finds a peer that vanished without a word.
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if not address.tls:
        return RedisConnection(raw, raw, max_reply=max_reply)
    try:
        stream = trio.SSLStream(raw, address.ssl_context(), server_hostname=address.host)
        await stream.do_handshake()
    except BaseException:
        await trio.aclose_forcefully(raw)
        raise
    return RedisConnection(stream, raw, max_reply=max_reply)


def _handshake(address: RedisAddress, name: str) -> Iterable[tuple[str | int, ...]]:
    if address.password is not None:
        if address.username is not None:
            yield ("AUTH", address.username, address.password)
        else:
            yield ("AUTH", address.password)
    if address.db:
        yield ("SELECT", address.db)
    yield ("CLIENT", "SETNAME", name)
