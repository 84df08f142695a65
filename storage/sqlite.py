"""The embedded backend: one SQLite file in WAL mode, for a single node with no setup.

The default store: ``<data_dir>/mtserver.sqlite3`` (owner-only, mode 0600: it holds auth
keys). The SQL is the repositories' (storage/auth_keys.py, users.py, ...); this module
only runs it, under the conventions of storage/db.py.

Threads. sqlite3 blocks, so every statement runs in ``trio.to_thread.run_sync``: a slow
disk (an fsync on each commit) never stalls the event loop. There is one connection,
used by one thread at a time, guarded by a ``trio.Lock`` that each call (or a whole
transaction) holds. Chosen over a dedicated worker thread with a queue because it needs
no thread lifetime of its own and gives the same order: trio's lock is FIFO, so tasks
are served in arrival order, and tasks waiting for it wait in trio, not parked in worker
threads (which a ``threading.Lock`` would do, one thread per waiting task). Reads are
serialised with writes; SQLite allows one writer at a time anyway, and each statement
here is an indexed lookup of microseconds. Worker-thread calls are not cancellable
(trio's default), so a statement always completes before its task sees a cancellation;
a transaction interrupted between statements is rolled back, shielded.

Other processes (``mtserver migrate``, a test reading the file) may open the same file:
WAL lets them read while the server writes, and a 5 s busy timeout lets writers queue.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import trio

from server import metrics

from .db import Row
from .interface import AlreadyExists, StorageError

FILENAME = "mtserver.sqlite3"
BUSY_TIMEOUT_MS = 5000

T = TypeVar("T")
_UNIQUE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


class SqliteDatabase:
    """storage.db.Database over one sqlite3 connection. Build it with :meth:`open`."""

    dialect = "sqlite"

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._sync = _Connection(connection)
        self._lock = trio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> SqliteDatabase:
        path = Path(path)
        return cls(path, await trio.to_thread.run_sync(_connect, path))

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._locked(self._sync.fetch, sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._locked(self._sync.fetchrow, sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._locked(self._sync.fetchval, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._locked(self._sync.execute, sql, args)

    async def script(self, sql: str) -> None:
        await self._locked(self._sync.script, sql)

    async def transaction(self, body: Callable[..., Awaitable[T]], *args: Any) -> T:
        async with self._lock:
            self._check_open()
            tx = _Transaction(self._sync)  # BEGIN goes with its first statement
            try:
                result = await body(tx, *args)
            except BaseException:
                with trio.CancelScope(shield=True):
                    await trio.to_thread.run_sync(self._sync.rollback)
                raise
            finally:
                tx.finished = True
            if tx.begun:
                # The body's work is done: commit even if the task is being cancelled.
                with trio.CancelScope(shield=True):
                    await trio.to_thread.run_sync(self._sync.commit)
            return result

    async def close(self) -> None:
        async with self._lock:
            if not self._closed:
                self._closed = True
                await trio.to_thread.run_sync(self._sync.connection.close)

    async def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        async with self._lock:
            self._check_open()
            return await trio.to_thread.run_sync(metrics.sqlite_statement, fn, *args)

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"{self.path}: the storage is closed")


class _Transaction:
    """The executor a transaction body gets; the database's lock is already held."""

    dialect = "sqlite"

    def __init__(self, sync: _Connection):
        self._sync = sync
        self.finished = False
        self.begun = False

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._run(self._sync.fetch, sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._run(self._sync.fetchrow, sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._run(self._sync.fetchval, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._run(self._sync.execute, sql, args)

    async def script(self, sql: str) -> None:
        await self._run(self._sync.script, sql)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.finished:
            raise RuntimeError("transaction executor used after its transaction ended")
        if not self.begun:
            # BEGIN in the same trip to a worker thread as the first statement: each trip
            # costs the event loop more than a statement (an upload part is a transaction).
            self.begun = True
            return await trio.to_thread.run_sync(metrics.sqlite_statement, self._sync.begin_then, fn, *args)
        return await trio.to_thread.run_sync(metrics.sqlite_statement, fn, *args)


class _Connection:
    """The blocking half: runs in worker threads, one at a time."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def fetch(self, sql: str, args: tuple) -> list[Row]:
        return self._run(sql, args).fetchall()

    def fetchrow(self, sql: str, args: tuple) -> Row | None:
        rows = self._run(sql, args).fetchall()  # all: a RETURNING statement ends when read out
        return rows[0] if rows else None

    def fetchval(self, sql: str, args: tuple) -> Any:
        row = self.fetchrow(sql, args)
        return None if row is None else row[0]

    def execute(self, sql: str, args: tuple) -> int:
        return self._run(sql, args).rowcount

    def script(self, sql: str) -> None:
        # Not executescript(): it commits first, and a migration must be one transaction.
        for statement in _statements(sql):
            self._execute(statement, ())

    def begin(self) -> None:
        # IMMEDIATE takes the write lock now: a transaction that reads and then writes
        # cannot fail half-way because another process got the lock in between.
        self.connection.execute("BEGIN IMMEDIATE")

    def begin_then(self, fn: Callable[..., T], *args: Any) -> T:
        self.begin()
        return fn(*args)

    def commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        if self.connection.in_transaction:  # some errors end the transaction themselves
            self.connection.execute("ROLLBACK")

    def _run(self, sql: str, args: tuple) -> sqlite3.Cursor:
        return self._execute(_qmarks(sql), args)

    def _execute(self, sql: str, args: tuple) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, args)
        except sqlite3.IntegrityError as exc:
            if getattr(exc, "sqlite_errorname", "") in _UNIQUE_ERRORS:
                raise AlreadyExists(str(exc)) from exc
            raise


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Auth keys are secrets: create the file owner-only (SQLite gives its -wal and -shm
    # files the same permissions).
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        # SQLite's lower() folds ASCII only; search must fold any script, like PostgreSQL's.
        connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
    except sqlite3.Error as exc:
        connection.close()
        raise StorageError(f"{path}: cannot open the database: {exc}") from exc
    return connection


def _unicode_lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


@lru_cache(maxsize=1024)
def _qmarks(sql: str) -> str:
    """``$1`` → ``?1``: the same numbered parameters in SQLite's spelling."""
    return re.sub(r"\$(\d+)", r"?\1", sql)


def _statements(script: str) -> Iterator[str]:
    """The statements of a script; a ';' inside a string, comment or trigger does not split."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
