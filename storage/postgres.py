"""The production backend: PostgreSQL through asyncpg, driven from trio by trio-asyncio.

The SQL is the repositories' (storage/auth_keys.py, users.py, ...); this module only
runs it, under the conventions of storage/db.py, on a connection pool
(``min_size``/``max_size`` connections).

asyncpg is an asyncio library; the server is trio. trio-asyncio runs an asyncio loop
on top of trio, so the caller must have one open when it opens the storage, and keep
it open until after :meth:`PostgresDatabase.close`::

    async with trio_asyncio.open_loop():
        storage = await open_storage("postgresql://...", data_dir)
        try:
            ...                      # any trio task of this run may call the storage
        finally:
            await storage.close()

The database remembers that loop, so any trio task may call it, including tasks that
were not started inside the ``open_loop()`` block. Each call is one hop into asyncio:
a single statement borrows a pool connection for that statement; a transaction runs its
whole body in asyncio on one connection (a trio cancellation cancels the asyncio task,
and asyncpg rolls the transaction back). :meth:`PostgresDatabase.connect` makes that loop
run its ready asyncio callbacks together (storage/aio_loop.py): one per trio scheduler
pass, as trio-asyncio ships, made each statement cost 2-3x its CPU.

Pool connections skip asyncpg's reset query on release (it would cost a round trip
per statement): nothing here changes session state (no SET, LISTEN, session advisory
locks or cursors), and an open transaction is still rolled back by asyncpg.

Case-insensitive search folds with PostgreSQL's lower(), which follows the database's
LC_CTYPE: create the database with a UTF-8 locale (C.UTF-8, en_US.UTF-8...) so that
non-ASCII names fold too.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import trio
import trio_asyncio

from server import metrics

from .aio_loop import run_ready_callbacks_together
from .db import Row
from .interface import AlreadyExists, StorageError

T = TypeVar("T")
DEFAULT_MIN_SIZE = 1
DEFAULT_MAX_SIZE = 10


class PostgresDatabase:
    """storage.db.Database over an asyncpg pool. Call :meth:`connect` before use."""

    dialect = "postgres"

    def __init__(self, dsn: str, *, min_size: int = DEFAULT_MIN_SIZE, max_size: int = DEFAULT_MAX_SIZE):
        if not 0 <= min_size <= max_size or max_size < 1:
            raise ValueError(f"pool sizes must satisfy 0 <= min_size <= max_size, max_size >= 1: "
                             f"got {min_size}, {max_size}")
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._loop: trio_asyncio.TrioEventLoop | None = None

    def __repr__(self) -> str:
        return f"PostgresDatabase({redact(self.dsn)!r}, min_size={self.min_size}, max_size={self.max_size})"

    async def connect(self) -> None:
        """Open the pool on the current trio-asyncio loop (see the module docstring)."""
        loop = trio_asyncio.current_loop.get()
        if loop is None:
            raise StorageError("PostgreSQL storage needs an asyncio loop: open it inside "
                               "`async with trio_asyncio.open_loop():`")
        self._loop = loop
        run_ready_callbacks_together(loop)  # several times cheaper statements (storage/aio_loop.py)
        try:
            self._pool = await self._asyncio(asyncpg.create_pool)(
                self.dsn, min_size=self.min_size, max_size=self.max_size, connection_class=_Connection)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {redact(self.dsn)}: {exc}") from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._uncancelled(self._on_pool, "fetch", sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._uncancelled(self._on_pool, "fetchrow", sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._uncancelled(self._on_pool, "fetchval", sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._uncancelled(self._on_pool, "execute", sql, args)

    async def script(self, sql: str) -> None:
        await self._uncancelled(self._on_pool, "script", sql, ())

    async def transaction(self, body: Callable[..., Awaitable[T]], *args: Any) -> T:
        return await self._uncancelled(self._in_transaction, body, args)

    def pool_usage(self) -> tuple[int, int, int]:
        """(connections open, of them idle, the most there may be): for metrics."""
        pool = self._pool
        return (0, 0, self.max_size) if pool is None else (pool.get_size(), pool.get_idle_size(), self.max_size)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await self._asyncio(pool.close)()

    # -- the asyncio side -----------------------------------------------------------------

    async def _uncancelled(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run one statement or transaction to its end even if the trio caller is cancelled
        meanwhile (the cancellation takes effect right after). Cancelling the asyncio task
        mid-query could leave asyncpg's pool a connection short, and enough of those made
        later calls wait forever; a statement is short, so waiting for it costs little."""
        call = self._asyncio(fn)
        with trio.CancelScope(shield=True):
            result = await call(*args)
        await trio.lowlevel.checkpoint_if_cancelled()
        return result

    def _asyncio(self, fn: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        if self._loop is None:
            raise StorageError(f"{self!r}: not connected")
        return trio_asyncio.aio_as_trio(fn, loop=self._loop)

    async def _on_pool(self, method: str, sql: str, args: tuple) -> Any:
        pool = self._live_pool()
        async with pool.acquire() as connection:
            return await getattr(_Executor(connection), method)(sql, *args)

    async def _in_transaction(self, body: Callable[..., Awaitable[T]], args: tuple) -> T:
        pool = self._live_pool()
        async with pool.acquire() as connection, connection.transaction():
            return await body(_Executor(connection), *args)

    def _live_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageError(f"{self!r}: the storage is closed")
        return self._pool


class _Connection(asyncpg.Connection):
    def get_reset_query(self) -> str:
        return ""  # see the module docstring


def _unique_is_already_exists(fn):
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists(f"{exc.constraint_name}: {exc.detail or exc}") from exc
        finally:
            metrics.observe_statement("postgres", time.perf_counter() - started)  # every statement passes here

    return wrapper


class _Executor:
    """storage.db.Executor over one asyncpg connection (asyncio-flavoured)."""

    __slots__ = ("_connection",)
    dialect = "postgres"

    def __init__(self, connection: asyncpg.Connection):
        self._connection = connection

    @_unique_is_already_exists
    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._connection.fetch(sql, *args)

    @_unique_is_already_exists
    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._connection.fetchrow(sql, *args)

    @_unique_is_already_exists
    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._connection.fetchval(sql, *args)

    @_unique_is_already_exists
    async def execute(self, sql: str, *args: Any) -> int:
        status = await self._connection.execute(sql, *args)  # "UPDATE 3", "INSERT 0 1", ...
        count = status.rpartition(" ")[2]
        return int(count) if count.isdigit() else 0

    @_unique_is_already_exists
    async def script(self, sql: str) -> None:
        await self._connection.execute(sql)  # no arguments: the simple protocol, many statements


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
