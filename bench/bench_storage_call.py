"""What one statement costs the server, PostgreSQL (default) or SQLite.

PostgreSQL: `SELECT 1` (and a one-row primary-key lookup) through our storage driver
(storage/postgres.py on storage/pgwire/, trio), against what it replaced, the same asyncpg
pool driven from trio through trio-asyncio (its loop batched by storage/aio_loop.py, as the
server ran it), and asyncpg called from plain asyncio (asyncpg's own cost, without any
bridge); sequentially and from 20 concurrent tasks. Rounds interleave the paths; the table
gives the median and range over rounds.

    python bench/bench_storage_call.py [--count 3000] [--rounds 3]

Uses a fresh database on $MTTEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432),
dropped afterwards. Reports wall time and this process's CPU time per statement.

SQLite (storage/sqlite.py), this tree against an older checkout:

    python bench/bench_storage_call.py --database sqlite --before /work/wt-sqbase [--rounds 3]

On a fresh file with 10,000 rows: an indexed read (``fetchval``, a primary-key lookup) and
a write transaction (``transaction``: BEGIN, an UPDATE, a read, COMMIT), each from 1 and
from 20 concurrent tasks. Each tree runs in its own process (that tree first on
sys.path), the trees alternating ABBA over the rounds; the table gives the median over
the rounds and their min–max. CPU is the process's, worker threads included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("BENCH_TREE") or str(ROOT))  # --before: the SQLite worker's tree

import asyncpg  # noqa: E402
import trio  # noqa: E402
import trio_asyncio  # noqa: E402

from storage.aio_loop import run_ready_callbacks_together  # noqa: E402
from storage.postgres import PostgresDatabase  # noqa: E402
from tests.scratch_postgres import scratch_database  # noqa: E402

CONCURRENCY = 20


QUERIES = {
    "SELECT 1": ("SELECT 1", ()),
    "row by key": ("SELECT id, name, data, flag FROM bench_rows WHERE id = $1", (7,)),
}


async def timed_in_trio(call, count: int, concurrency: int) -> tuple[float, float]:
    """(µs wall, µs CPU) per call of ``call()`` from ``concurrency`` trio tasks, after a warm-up
    (pool connections, prepared statements)."""
    for _ in range(200):
        await call()

    async def worker(n: int) -> None:
        for _ in range(n):
            await call()

    started_wall, started_cpu = time.perf_counter(), time.process_time()
    async with trio.open_nursery() as nursery:
        for _ in range(concurrency):
            nursery.start_soon(worker, count // concurrency)
    return ((time.perf_counter() - started_wall) / count * 1e6, (time.process_time() - started_cpu) / count * 1e6)


def ours(url: str, count: int, concurrency: int, query: str) -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        db = PostgresDatabase(url)
        await db.connect()
        try:
            sql, args = QUERIES[query]
            return await timed_in_trio(lambda: db.fetchrow(sql, *args), count, concurrency)
        finally:
            await db.close()

    return trio.run(main)


def bridged(url: str, count: int, concurrency: int, query: str) -> tuple[float, float]:
    """asyncpg driven from trio through trio-asyncio, each statement one hop (the old driver's path)."""
    async def main() -> tuple[float, float]:
        async with trio_asyncio.open_loop() as loop:
            run_ready_callbacks_together(loop)
            pool = await trio_asyncio.aio_as_trio(asyncpg.create_pool)(url, min_size=1, max_size=10)
            try:
                sql, args = QUERIES[query]

                async def one() -> None:
                    async with pool.acquire() as connection:
                        await connection.fetchrow(sql, *args)

                return await timed_in_trio(trio_asyncio.aio_as_trio(one), count, concurrency)
            finally:
                await trio_asyncio.aio_as_trio(pool.close)()

    return trio.run(main)


def plain(url: str, count: int, concurrency: int, query: str) -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=10)
        try:
            sql, args = QUERIES[query]
            for _ in range(200):
                await pool.fetchrow(sql, *args)

            async def worker(n: int) -> None:
                for _ in range(n):
                    await pool.fetchrow(sql, *args)

            started_wall, started_cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker(count // concurrency) for _ in range(concurrency)))
            return ((time.perf_counter() - started_wall) / count * 1e6,
                    (time.process_time() - started_cpu) / count * 1e6)
        finally:
            await pool.close()

    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())  # trio_asyncio's import changed it
    return asyncio.run(main())


PATHS = {
    "storage/postgres.py on storage/pgwire (trio)": ours,
    "asyncpg through trio-asyncio (the driver before)": bridged,
    "asyncpg from plain asyncio (no bridge)": plain,
}


def _median_range(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


# -- SQLite ------------------------------------------------------------------------------


SQLITE_ROWS = 10_000


def sqlite_worker(count: int) -> None:
    """Runs in a tree's process: one JSON line per (operation, concurrency)."""
    from storage.sqlite import SqliteDatabase

    async def update(tx, key: int) -> None:
        await tx.execute("UPDATE t SET x = $2 WHERE id = $1", key, f"value {count}")
        await tx.fetchval("SELECT x FROM t WHERE id = $1", key)

    operations = {
        "indexed read (fetchval)": lambda db, key: db.fetchval("SELECT x FROM t WHERE id = $1", key),
        "write transaction (BEGIN, UPDATE, SELECT, COMMIT)": lambda db, key: db.transaction(update, key),
    }

    async def main(path: Path) -> None:
        db = await SqliteDatabase.open(path)
        try:
            await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)")
            await db.execute("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)"
                             " INSERT INTO t SELECT i, 'row ' || i FROM c", SQLITE_ROWS)
            for name, operation in operations.items():
                for _ in range(200):  # warm up: statement cache, worker threads
                    await operation(db, 1)
                for concurrency in (1, CONCURRENCY):
                    async def worker(first: int) -> None:
                        for i in range(count // concurrency):
                            await operation(db, (first + i * 7919) % SQLITE_ROWS + 1)

                    start_wall, start_cpu = time.perf_counter(), time.process_time()
                    async with trio.open_nursery() as nursery:
                        for n in range(concurrency):
                            nursery.start_soon(worker, n * 101)
                    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
                    print(json.dumps({"op": name, "tasks": concurrency, "wall_us": wall / count * 1e6,
                                      "cpu_us": cpu / count * 1e6}), flush=True)
        finally:
            await db.close()

    with tempfile.TemporaryDirectory() as tmp:
        trio.run(main, Path(tmp) / "bench.sqlite3")


def sqlite_bench(before: Path | None, count: int, rounds: int) -> None:
    trees = {"before": before.resolve(), "after": ROOT} if before else {"after": ROOT}
    results: dict[tuple[str, str, int], list[dict]] = {}
    for r in range(rounds):
        order = list(trees) if r % 2 == 0 else list(reversed(trees))  # ABBA
        for side in order:
            env = {**os.environ, "BENCH_TREE": str(trees[side])}
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--database", "sqlite",
                                  "--worker", "--count", str(count)], cwd=trees[side], env=env,
                                 check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                row = json.loads(line)
                results.setdefault((row["op"], side, row["tasks"]), []).append(row)
    print("| operation | tasks | tree | µs wall / op | µs CPU / op |\n|---|---:|---|---:|---:|")
    for (op, side, tasks), rows in results.items():
        wall, cpu = (_median_range([row[key] for row in rows]) for key in ("wall_us", "cpu_us"))
        print(f"| {op} | {tasks} | {side} | {wall} | {cpu} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000, help="statements per measurement")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--before", type=Path, help="SQLite: a checkout of an older commit to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (SQLite: processes per tree, ABBA)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.database == "sqlite":
        return sqlite_worker(args.count) if args.worker else sqlite_bench(args.before, args.count, args.rounds)
    with scratch_database("mtserver_bench") as url:
        async def setup() -> None:
            db = PostgresDatabase(url)
            await db.connect()
            await db.script("CREATE TABLE bench_rows (id bigint PRIMARY KEY, name text, data bytea, flag boolean);"
                            "INSERT INTO bench_rows SELECT g, 'name ' || g, '\\x0102', g % 2 = 0 "
                            "FROM generate_series(1, 100) g;")
            await db.close()

        trio.run(setup)
        results: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
        for round_ in range(args.rounds):
            paths = list(PATHS.items())
            if round_ % 2:
                paths.reverse()  # interleave: no path always first
            for query in QUERIES:
                for concurrency in (1, CONCURRENCY):
                    for label, run in paths:
                        results.setdefault((query, label, concurrency), []).append(
                            run(url, args.count, concurrency, query))
        print("| statement | path | tasks | µs wall / statement | µs CPU / statement |\n|---|---|---:|---:|---:|")
        for (query, label, concurrency), samples in results.items():
            print(f"| {query} | {label} | {concurrency} | {_median_range([w for w, _ in samples])} "
                  f"| {_median_range([c for _, c in samples])} |", flush=True)


if __name__ == "__main__":
    main()
