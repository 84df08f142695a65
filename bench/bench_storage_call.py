"""What one PostgreSQL statement costs the server: `SELECT 1` through our storage driver
(storage/postgres.py: trio → trio-asyncio → asyncpg pool) against the same asyncpg pool
called from plain asyncio, sequentially and from 20 concurrent tasks; and our driver on
trio-asyncio's loop as shipped, one asyncio callback per trio scheduler pass (what
storage/aio_loop.py changes).

    python bench/bench_storage_call.py [--count 3000]

Uses a fresh database on $MTSERVER_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432),
dropped afterwards. Reports wall time and this process's CPU time per statement; the
difference in CPU is what the trio ↔ asyncio hop costs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
import trio  # noqa: E402
import trio_asyncio  # noqa: E402

from storage.postgres import PostgresDatabase  # noqa: E402
from tests.scratch_postgres import scratch_database  # noqa: E402

CONCURRENCY = 20


def report(label: str, concurrency: int, count: int, wall: float, cpu: float) -> None:
    tasks = f"{concurrency} task{'s' if concurrency > 1 else ''}"
    print(f"| {label}, {tasks} | {wall / count * 1e6:.0f} | {cpu / count * 1e6:.0f} |", flush=True)


def ours(url: str, count: int, concurrency: int, batched: bool = True) -> None:
    async def main() -> None:
        async with trio_asyncio.open_loop():
            db = PostgresDatabase(url)
            if batched:
                await db.connect()
            else:
                with patch("storage.postgres.run_ready_callbacks_together", lambda loop: None):
                    await db.connect()
            try:
                for _ in range(200):  # warm up: pool connections, prepared statement
                    await db.fetchval("SELECT 1")

                async def worker(n: int) -> None:
                    for _ in range(n):
                        await db.fetchval("SELECT 1")

                start_wall, start_cpu = time.perf_counter(), time.process_time()
                async with trio.open_nursery() as nursery:
                    for _ in range(concurrency):
                        nursery.start_soon(worker, count // concurrency)
                label = "storage/postgres.py from trio" + ("" if batched else ", loop as shipped")
                report(label, concurrency, count,
                       time.perf_counter() - start_wall, time.process_time() - start_cpu)
            finally:
                await db.close()

    trio.run(main)


def plain(url: str, count: int, concurrency: int) -> None:
    async def main() -> None:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=10)
        try:
            for _ in range(200):
                await pool.fetchval("SELECT 1")

            async def worker(n: int) -> None:
                for _ in range(n):
                    await pool.fetchval("SELECT 1")

            start_wall, start_cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker(count // concurrency) for _ in range(concurrency)))
            report("asyncpg pool from plain asyncio", concurrency, count,
                   time.perf_counter() - start_wall, time.process_time() - start_cpu)
        finally:
            await pool.close()

    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())  # trio_asyncio's import changed it
    asyncio.run(main())



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000, help="statements per measurement")
    args = parser.parse_args()
    with scratch_database("mtserver_bench") as url:
        print("| path | µs wall / statement | µs CPU / statement |\n|---|---:|---:|", flush=True)
        for concurrency in (1, CONCURRENCY):
            ours(url, args.count, concurrency, batched=False)
            ours(url, args.count, concurrency)
            plain(url, args.count, concurrency)


if __name__ == "__main__":
    main()
