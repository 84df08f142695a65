"""The production backend: PostgreSQL, spoken directly from trio (storage/pgwire/).

The SQL is the repositories' (storage/auth_keys.py, users.py, ...); this module only
runs it, under the conventions of storage/db.py, on a pool of connections
(``min_size``/``max_size``).

A single statement borrows a pool connection for that statement; a transaction holds one
for its whole body, its BEGIN sent together with its first statement, and its COMMIT with
its last if the body says which that is (``fetch_and_commit``). Both run to their
end even if the calling task is cancelled meanwhile (the cancellation takes effect right
after): a statement is short, and a connection abandoned mid-request has to be thrown
away. Until this driver, statements went through asyncpg on an asyncio loop bridged into
trio, and the bridge cost more than the statements (bench/README.md, "A PostgreSQL
driver on trio").

Case-insensitive search folds with PostgreSQL's lower(), which follows the database's
LC_CTYPE: create the database with a UTF-8 locale (C.UTF-8, en_US.UTF-8...) so that
non-ASCII names fold too.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import trio

from server import metrics

from . import pgwire
from .db import Row
from .interface import AlreadyExists, StorageError

T = TypeVar("T")
DEFAULT_MIN_SIZE = 1
DEFAULT_MAX_SIZE = 10
_UNIQUE_VIOLATION = "23505"
_CONNECT_ERRORS = (OSError, pgwire.PostgresError, pgwire.ConnectionLost, pgwire.ProtocolViolation,
                   trio.TooSlowError, ssl.SSLError, trio.BrokenResourceError, ValueError)


class PostgresDatabase:
    """storage.db.Database over a pool of storage.pgwire connections. Call :meth:`connect` before use."""

    dialect = "postgres"

    def __init__(self, dsn: str, *, min_size: int = DEFAULT_MIN_SIZE, max_size: int = DEFAULT_MAX_SIZE):
        if not 0 <= min_size <= max_size or max_size < 1:
            raise ValueError(f"pool sizes must satisfy 0 <= min_size <= max_size, max_size >= 1: "
                             f"got {min_size}, {max_size}")
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self._pool: pgwire.Pool | None = None

    def __repr__(self) -> str:
        return f"PostgresDatabase({redact(self.dsn)!r}, min_size={self.min_size}, max_size={self.max_size})"

    async def connect(self) -> None:
        try:
            params = pgwire.parse_dsn(self.dsn)
        except ValueError as exc:
            raise StorageError(f"{redact(self.dsn)}: {exc}") from exc

        async def open_connection() -> pgwire.Connection:
            return await pgwire.connect(params)

        pool = pgwire.Pool(open_connection, min_size=self.min_size, max_size=self.max_size)
        try:
            await pool.open()
        except _CONNECT_ERRORS as exc:
            await pool.close()
            raise StorageError(f"cannot connect to PostgreSQL at {redact(self.dsn)}: {exc}") from exc
        self._pool = pool

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._statement(_Executor.fetch, sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._statement(_Executor.fetchrow, sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._statement(_Executor.fetchval, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._statement(_Executor.execute, sql, args)

    async def fetch_and_commit(self, sql: str, *args: Any) -> list[Row]:
        return await self._statement(_Executor.fetch, sql, args)  # a statement alone commits anyway

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        return await self._statement(_Executor.fetch_many, statements, ())

    async def script(self, sql: str) -> None:
        await self._statement(_Executor.script, sql, ())

    async def transaction(self, body: Callable[..., Awaitable[T]], *args: Any) -> T:
        pool = self._live_pool()
        with trio.CancelScope(shield=True):
            connection = await self._acquire(pool)
            try:
                connection.begin()
                try:
                    result = await body(_Executor(connection), *args)
                except BaseException:
                    if not connection.broken:
                        await connection.rollback()
                    raise
                await connection.commit()
            finally:
                pool.release(connection)
        await trio.lowlevel.checkpoint_if_cancelled()
        return result

    def pool_usage(self) -> tuple[int, int, int]:
        """(connections open, of them idle, the most there may be): for metrics."""
        pool = self._pool
        return (0, 0, self.max_size) if pool is None else pool.usage()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _statement(self, method: Callable[..., Awaitable[T]], sql: str, args: tuple) -> T:
        pool = self._live_pool()
        with trio.CancelScope(shield=True):
            connection = await self._acquire(pool)
            try:
                result = await method(_Executor(connection), sql, *args)
            finally:
                pool.release(connection)
        await trio.lowlevel.checkpoint_if_cancelled()
        return result

    async def _acquire(self, pool: pgwire.Pool) -> pgwire.Connection:
        try:
            return await pool.acquire()
        except _CONNECT_ERRORS as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {redact(self.dsn)}: {exc}") from exc

    def _live_pool(self) -> pgwire.Pool:
        if self._pool is None:
            raise StorageError(f"{self!r}: not connected, or closed")
        return self._pool


def _timed(fn):
    """Every statement passes here: its duration metric, a unique-constraint violation
    as storage's AlreadyExists, and none after a transaction's fetch_and_commit (it
    would run outside the transaction)."""
    @functools.wraps(fn)
    async def wrapper(executor: _Executor, *args: Any, **kwargs: Any) -> Any:
        if executor._ended:
            raise RuntimeError("a statement after its transaction's fetch_and_commit")
        started = time.perf_counter()
        try:
            return await fn(executor, *args, **kwargs)
        except pgwire.PostgresError as exc:
            if exc.sqlstate == _UNIQUE_VIOLATION:
                raise AlreadyExists(f"{exc.constraint_name}: {exc.detail or exc.message}") from exc
            raise
        finally:
            metrics.observe_statement("postgres", time.perf_counter() - started)

    return wrapper


class _Executor:
    """storage.db.Executor over one connection."""

    __slots__ = ("_connection", "_ended")
    dialect = "postgres"

    def __init__(self, connection: pgwire.Connection):
        self._connection = connection
        self._ended = False

    @_timed
    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._connection.fetch(sql, args)

    @_timed
    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self._connection.fetch(sql, args)
        return rows[0] if rows else None

    @_timed
    async def fetchval(self, sql: str, *args: Any) -> Any:
        rows = await self._connection.fetch(sql, args)
        return rows[0][0] if rows else None

    @_timed
    async def execute(self, sql: str, *args: Any) -> int:
        return await self._connection.execute(sql, args)

    @_timed
    async def fetch_and_commit(self, sql: str, *args: Any) -> list[Row]:
        self._ended = True  # the transaction ends here, whatever the statement does
        return await self._connection.fetch_and_commit(sql, args)

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        if self._ended:
            raise RuntimeError("a statement after its transaction's fetch_and_commit")
        started = time.perf_counter()
        try:
            return await self._connection.fetch_many(statements)
        finally:
            # Counted as the statements they are, each its share of the round trip.
            share = (time.perf_counter() - started) / max(1, len(statements))
            for _ in statements:
                metrics.observe_statement("postgres", share)

    @_timed
    async def script(self, sql: str) -> None:
        await self._connection.script(sql)


def redact(dsn: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "<invalid URL>"
    if parts.password is None:
        return dsn
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))
