"""The SQLite driver's execution model (storage/sqlite.py): statements on the event loop,
off it whenever they would wait (another connection's lock) or run long, and WAL
checkpoints in a thread of their own (storage/sqlite_checkpoint.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import trio

from storage.sqlite import SqliteDatabase

ROOT = Path(__file__).resolve().parents[2]
COUNT_TO = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1) SELECT count(*) FROM c"


class LoopWatch:
    """The longest the event loop went without running this task's 1 ms sleeps."""

    def __init__(self):
        self.longest = 0.0

    async def run(self, task_status=trio.TASK_STATUS_IGNORED):
        task_status.started()
        last = time.perf_counter()
        while True:
            await trio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now


async def open_db(tmp_path) -> SqliteDatabase:
    db = await SqliteDatabase.open(tmp_path / "t.sqlite3")
    await db.execute("CREATE TABLE t (x TEXT)")
    return db


async def test_the_servers_connection_commits_without_fsync_and_never_checkpoints(tmp_path):
    db = await open_db(tmp_path)
    connection = db._sync.connection
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 0
    await db.close()


async def test_another_connections_write_lock_does_not_stall_the_event_loop(tmp_path):
    db = await open_db(tmp_path)
    other = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    watch = LoopWatch()

    async def insert(tx, text):
        await tx.execute("INSERT INTO t VALUES ($1)", text)

    async with trio.open_nursery() as nursery:
        await nursery.start(watch.run)
        async with trio.open_nursery() as writers:
            writers.start_soon(db.execute, "INSERT INTO t VALUES ($1)", "alone")
            writers.start_soon(db.transaction, insert, "in a transaction")
            await trio.sleep(0.3)  # both wait in a worker thread, not on the loop
            other.execute("COMMIT")
        nursery.cancel_scope.cancel()
    assert watch.longest < 0.2
    assert sorted(await db.fetch("SELECT x FROM t")) == [("alone",), ("in a transaction",)]
    other.close()
    await db.close()


async def test_a_long_statement_is_moved_off_the_event_loop(tmp_path):
    db = await open_db(tmp_path)
    watch = LoopWatch()
    async with trio.open_nursery() as nursery:
        await nursery.start(watch.run)
        started = time.perf_counter()
        assert await db.fetchval(COUNT_TO, 2_000_000) == 2_000_000
        took = time.perf_counter() - started
        nursery.cancel_scope.cancel()
    assert took > 0.3 and watch.longest < took / 2, (took, watch.longest)
    await db.close()


async def test_a_long_write_moved_off_the_event_loop_is_done_once(tmp_path):
    db = await open_db(tmp_path)
    inserted = await db.execute(f"INSERT INTO t {COUNT_TO.replace('count(*)', 'i')}", 1_000_000)
    assert inserted == 1_000_000  # the interrupted try on the loop was undone
    assert await db.fetchval("SELECT count(*) FROM t") == 1_000_000
    await db.close()


async def test_committed_rows_reach_the_database_file_by_a_checkpoint(tmp_path):
    db = await open_db(tmp_path)
    await db.execute("INSERT INTO t VALUES ($1)", "marker-7f3a9c")
    with trio.fail_after(10):
        while b"marker-7f3a9c" not in (tmp_path / "t.sqlite3").read_bytes():
            await trio.sleep(0.1)
    await db.close()


def test_a_process_crash_loses_no_committed_transaction(tmp_path):
    path = tmp_path / "t.sqlite3"
    code = textwrap.dedent(f"""
        import os, trio
        from storage.sqlite import SqliteDatabase

        async def main():
            db = await SqliteDatabase.open({str(path)!r})
            await db.execute("CREATE TABLE t (x TEXT)")
            async def body(tx):
                await tx.execute("INSERT INTO t VALUES ('committed')")
            await db.transaction(body)
            os._exit(3)  # no close, no checkpoint

        trio.run(main)
    """)
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 3
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT x FROM t").fetchall() == [("committed",)]
