"""What one PostgreSQL statement costs the server: `SELECT 1` (and a one-row primary-key
lookup) through our storage driver (storage/postgres.py on storage/pgwire/, trio), against
what it replaced, the same asyncpg pool driven from trio through trio-asyncio (its loop
batched by storage/aio_loop.py, as the server ran it), and asyncpg called from plain
asyncio (asyncpg's own cost, without any bridge); sequentially and from 20 concurrent
tasks. Rounds interleave the paths; the table gives the median and range over rounds.

    python bench/bench_storage_call.py [--count 3000] [--rounds 3]

Uses a fresh database on $MTSERVER_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432),
dropped afterwards. Reports wall time and this process's CPU time per statement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def ours(url: str, count: int, concurrency: int, query: str) -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        db = PostgresDatabase(url)
        await db.connect()
        try:
            sql, args = QUERIES[query]
            for _ in range(200):  # warm up: pool connections, prepared statement
                await db.fetchrow(sql, *args)

            async def worker(n: int) -> None:
                for _ in range(n):
                    await db.fetchrow(sql, *args)

            started_wall, started_cpu = time.perf_counter(), time.process_time()
            async with trio.open_nursery() as nursery:
                for _ in range(concurrency):
                    nursery.start_soon(worker, count // concurrency)
            return ((time.perf_counter() - started_wall) / count * 1e6,
                    (time.process_time() - started_cpu) / count * 1e6)
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

                call = trio_asyncio.aio_as_trio(one)
                for _ in range(200):
                    await call()

                async def worker(n: int) -> None:
                    for _ in range(n):
                        await call()

                started_wall, started_cpu = time.perf_counter(), time.process_time()
                async with trio.open_nursery() as nursery:
                    for _ in range(concurrency):
                        nursery.start_soon(worker, count // concurrency)
                return ((time.perf_counter() - started_wall) / count * 1e6,
                        (time.process_time() - started_cpu) / count * 1e6)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000, help="statements per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
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
