"""The embedded backend: one SQLite file in WAL mode, for a single node with no setup.

The default store: ``<data_dir>/mtserver.sqlite3`` (owner-only, mode 0600: it holds auth
keys). The SQL is the repositories' (storage/auth_keys.py, users.py, ...); this module
only runs it, under the conventions of storage/db.py.

Execution: statements run on the event loop, one at a time, under a ``trio.Lock`` that
each call (or a whole transaction) holds; trio's lock is FIFO, so tasks are served in
arrival order and wait in trio. A statement here is an indexed lookup of tens of
microseconds; handing each to a worker thread (``trio.to_thread.run_sync``, what this
module did before) cost ~100 µs of CPU per statement in thread hand-offs and wake-ups,
and a delivered message runs ~22 statements: half the server's main thread went to
hand-offs (issue 13). Measured with bench/bench_storage_call.py --database sqlite
(bench/README.md): an indexed read 117 → 15 µs of CPU, a write transaction 994 → 52 µs;
bench_delivery.py, SQLite, 100 clients: 5.7 → 1.4 ms of server CPU per message.

Only what cannot block long runs on the loop. What can is kept off it:
- fsync: ``synchronous = NORMAL`` (was SQLite's default FULL): in WAL mode a commit
  only appends to the WAL. The fsyncs happen at checkpoints, and the server's
  connection never checkpoints (``wal_autocheckpoint = 0``): storage/sqlite_checkpoint.py
  does, in a thread and on a connection of its own, about every second.
- Another process's lock (``mtserver migrate``, a backup, a test writing the file):
  statements run with busy timeout 0; one that gets SQLITE_BUSY did nothing and runs
  again in a worker thread with the 5 s busy timeout, holding the lock meanwhile.
- A long statement: one that runs alone (no transaction) and is still running after
  INLINE_SECONDS is interrupted through the progress handler, which undoes it, and runs
  again in a worker thread. A transaction's statements run to completion on the loop,
  so transaction bodies stay small: the upkeep's big DELETEs are statements of their
  own (server/maintenance.py), and transactions delete in bounded batches.
- Migrations (``script``), opening and closing: worker threads.

Durability: a process crash loses nothing (a committed transaction is in the WAL, in
the OS's hands). A power loss or OS crash may lose the transactions committed since the
last checkpoint (about the last second), never corrupts: WAL frames are checksummed and
a torn tail is dropped at recovery. With FULL each commit waited for an fsync (~2 ms on
the benchmark VM) under the lock: a ceiling of a few hundred commits a second.

The alternatives measured against: one worker-thread hop per transaction (the body
driven in the thread) still pays a hop per transaction and per statement outside one,
and with FULL an fsync per commit; batching statements would change the repositories'
contract (storage/db.py) for a cost that running inline already removes.

Cancellation: a statement on the loop has no checkpoint inside, and worker-thread calls
are not cancellable (trio's default), so a statement always completes before its task
sees a cancellation; a transaction body that raises (a cancellation included) is rolled
back, shielded, and one whose body finished is committed even if cancelled.

Other processes (``mtserver migrate``, a test reading the file) may open the same file:
WAL lets them read while the server writes.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar

import trio

from server import metrics

from .db import Row
from .interface import AlreadyExists, StorageError
from .sqlite_checkpoint import Checkpointer

FILENAME = "mtserver.sqlite3"
BUSY_TIMEOUT_MS = 5000
INLINE_SECONDS = 0.02  # a statement of its own runs this long on the event loop at most
PROGRESS_STEPS = 1000  # SQLite VM steps between looks at the clock: an indexed lookup takes fewer
_NEVER = float("inf")

T = TypeVar("T")
_UNIQUE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


class SqliteDatabase:
    """storage.db.Database over one sqlite3 connection. Build it with :meth:`open`."""

    dialect = "sqlite"

    def __init__(self, path: Path, connection: sqlite3.Connection, checkpointer: Checkpointer):
        self.path = path
        self._sync = _Connection(connection)
        self._checkpointer = checkpointer
        self._changes = connection.total_changes
        self._lock = trio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> SqliteDatabase:
        path = Path(path)
        connection = await trio.to_thread.run_sync(_connect, path)
        try:
            checkpointer = await trio.to_thread.run_sync(Checkpointer.open, path)
        except BaseException:
            connection.close()
            raise
        return cls(path, connection, checkpointer)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._locked(self._sync.fetch, sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._locked(self._sync.fetchrow, sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._locked(self._sync.fetchval, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._locked(self._sync.execute, sql, args)

    async def fetch_and_commit(self, sql: str, *args: Any) -> list[Row]:
        return await self.fetch(sql, *args)  # a statement alone commits anyway

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        return [await self.fetch(sql, *args) for sql, args in statements]  # no round trips to save

    async def script(self, sql: str) -> None:
        await self._locked(self._sync.script, sql)

    async def transaction(self, body: Callable[..., Awaitable[T]], *args: Any) -> T:
        await self._acquire()
        try:
            self._check_open()
            await self._sync.call(self._sync.begin, timed=False)
            tx = _Transaction(self._sync)
            try:
                result = await body(tx, *args)
            except BaseException:
                if tx.ended:  # by fetch_and_commit
                    self._wrote()
                else:
                    with trio.CancelScope(shield=True):
                        await self._sync.call(self._sync.rollback, timed=False)
                raise
            finally:
                tx.finished = True
            # The body's work is done: commit even if the task is being cancelled.
            if not tx.ended:
                with trio.CancelScope(shield=True):
                    try:
                        await self._sync.call(self._sync.commit, timed=False)
                    except BaseException:
                        self._sync.rollback()
                        raise
            self._wrote()
            return result
        finally:
            self._lock.release()

    async def close(self) -> None:
        async with self._lock:
            if not self._closed:
                self._closed = True
                # The checkpointer first: the last connection to close checkpoints the
                # WAL into the database file and removes it.
                await trio.to_thread.run_sync(self._checkpointer.close)
                await trio.to_thread.run_sync(self._sync.connection.close)

    async def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        await self._acquire()
        try:
            self._check_open()
            result = await self._sync.call(fn, *args, interruptible=True)
            self._wrote()
            return result
        finally:
            self._lock.release()

    async def _acquire(self) -> None:
        """The lock, FIFO, after a checkpoint. Not ``async with self._lock``: trio's
        acquire yields to the scheduler after taking the lock, so every task that ran
        meanwhile found it taken and queued behind a statement that had not started."""
        await trio.lowlevel.checkpoint()
        try:
            self._lock.acquire_nowait()  # free: nobody is waiting either (trio hands it over)
        except trio.WouldBlock:
            await self._lock.acquire()

    def _wrote(self) -> None:
        """Tells the checkpointer about committed rows (an autocommit statement's, or a
        transaction's)."""
        changes = self._sync.connection.total_changes
        if changes != self._changes:
            self._checkpointer.wrote(changes - self._changes)
            self._changes = changes

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"{self.path}: the storage is closed")


class _Transaction:
    """The executor a transaction body gets; the database's lock is already held."""

    dialect = "sqlite"

    def __init__(self, sync: _Connection):
        self._sync = sync
        self.finished = False
        self.ended = False  # by fetch_and_commit: committed, or rolled back after its failure

    async def fetch_and_commit(self, sql: str, *args: Any) -> list[Row]:
        # Ended here, as on PostgreSQL, so that the dialects agree on a body that goes on
        # after it: its writes stay, or (the statement or the commit failed) are gone.
        if self.finished:
            raise RuntimeError("transaction executor used after its transaction ended")
        self.finished = True
        with trio.CancelScope(shield=True):
            try:
                rows = await self._sync.call(self._sync.fetch, sql, args)
                await self._sync.call(self._sync.commit, timed=False)
            except BaseException:
                self._sync.rollback()
                raise
            finally:
                self.ended = True
        return rows

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._run(self._sync.fetch, sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._run(self._sync.fetchrow, sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._run(self._sync.fetchval, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._run(self._sync.execute, sql, args)

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        return [await self.fetch(sql, *args) for sql, args in statements]

    async def script(self, sql: str) -> None:
        await self._run(self._sync.script, sql)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.finished:
            raise RuntimeError("transaction executor used after its transaction ended")
        return await self._sync.call(fn, *args)


class _Connection:
    """The blocking half: the statements, run by :meth:`call` on the event loop, or in
    a worker thread when they must wait for a lock; one at a time (the caller holds the
    database's lock)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self._deadline = _NEVER
        connection.set_progress_handler(self._too_long, PROGRESS_STEPS)

    async def call(self, fn: Callable[..., T], *args: Any, interruptible: bool = False, timed: bool = True) -> T:
        """``fn(*args)`` on the event loop without waiting for locks (busy timeout 0);
        if another connection holds the lock it needs, again in a worker thread with the
        busy timeout. A statement that got SQLITE_BUSY did nothing, so it can run again
        (and a COMMIT that got it is still pending). ``interruptible``: a statement of
        its own (no transaction around it) that runs longer than INLINE_SECONDS on the
        loop is interrupted, which undoes it, and runs again in a worker thread.
        ``timed``: observed as a statement (the metric counts statements, not BEGIN and
        COMMIT)."""
        if fn == self.script:  # migrations: may run for long; only at start-up
            return await trio.to_thread.run_sync(self._patiently, fn, args, timed)
        if interruptible:
            self._deadline = perf_counter() + INLINE_SECONDS
        try:
            return metrics.sqlite_statement(fn, *args) if timed else fn(*args)
        except sqlite3.OperationalError as exc:
            code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # primary code: BUSY_* too
            if not (code == sqlite3.SQLITE_BUSY or code == sqlite3.SQLITE_INTERRUPT and interruptible):
                raise
        finally:
            self._deadline = _NEVER
        return await trio.to_thread.run_sync(self._patiently, fn, args, timed)

    def _too_long(self) -> bool:
        return perf_counter() > self._deadline

    def _patiently(self, fn: Callable[..., T], args: tuple, timed: bool) -> T:
        # No progress handler here: calling it from this thread would take the GIL from
        # the event loop every PROGRESS_STEPS steps.
        self.connection.set_progress_handler(None, 0)
        self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            return metrics.sqlite_statement(fn, *args) if timed else fn(*args)
        finally:
            self.connection.execute("PRAGMA busy_timeout = 0")
            self.connection.set_progress_handler(self._too_long, PROGRESS_STEPS)

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

    def commit(self) -> None:
        self.connection.execute("COMMIT")  # on an error the caller rolls back

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
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # while opening
        connection.execute("PRAGMA journal_mode = WAL")
        # A commit appends to the WAL without an fsync; storage/sqlite_checkpoint.py
        # copies the WAL into the database file (and fsyncs) in a thread of its own.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        # SQLite's lower() folds ASCII only; search must fold any script, like PostgreSQL's.
        connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
        connection.execute("PRAGMA busy_timeout = 0")  # statements run on the event loop
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
