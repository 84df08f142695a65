"""Server memory per idle authorised connection.

    python bench/bench_idle_connections.py --connections 1000 --rounds 3 --database sqlite postgres

Starts `mtserver run` on loopback, writes the logged-in accounts into its storage, then per
round: warms the server with 50 connections that log in and leave (so lazily built
tables and imported modules are not counted), reads the server's resident memory
(VmRSS from /proc), opens ``--connections`` connections that each log in as a real
client does (invokeWithLayer(initConnection(updates.getState)): an auth key, a session,
the user's update stream) and then say nothing, waits for the server to settle, and
reads it again. Per connection = the difference / connections. The connections close
between rounds; each round is a fresh server process, so rounds are independent.

What it covers: everything the server process holds for a connection in user space
(the connection's tasks, its transport and MTProto session state, the update stream and
its bus subscription, the authorised key's cache entries). Kernel socket buffers are not
in RSS and are not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402

from bench.bench_delivery import raise_file_limit  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402
from tests.scratch_postgres import create_database, drop_database  # noqa: E402
from tools.loadgen.cli import prepare_accounts  # noqa: E402
from tools.loadgen.client import CallFailed, LoadClient  # noqa: E402

CONNECT_CONCURRENCY = 50
SETTLE_SECONDS = 2.0


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def hold_connections(host: str, port: int, accounts, measured: trio.Event, release: trio.Event,
                           failures: list[str]) -> None:
    """Every account connected and logged in; ``measured`` is set once all are, and they
    stay open until ``release``."""
    slots = trio.Semaphore(CONNECT_CONCURRENCY)
    left = len(accounts)
    all_in = trio.Event()

    async def one(account) -> None:
        nonlocal left
        async with slots:
            stream = await trio.open_tcp_stream(host, port)
        async with stream, trio.open_nursery() as nursery:
            client = LoadClient(stream, account, lambda _: None)
            nursery.start_soon(client.read_loop)
            try:
                async with slots:
                    await client.login()
            except CallFailed as exc:
                failures.append(exc.name)
            left -= 1
            if left == 0:
                all_in.set()
            await release.wait()
            nursery.cancel_scope.cancel()

    async with trio.open_nursery() as nursery:
        for account in accounts:
            nursery.start_soon(one, account)
        await all_in.wait()
        measured.set()


async def measure_round(server: ServerProcess, accounts, connections: int) -> tuple[int, int, list[str]]:
    failures: list[str] = []
    pid = server.proc.pid
    for warm in (True, False):
        group = accounts[:50] if warm else accounts[:connections]
        measured, release = trio.Event(), trio.Event()
        async with trio.open_nursery() as nursery:
            if not warm:
                await trio.sleep(SETTLE_SECONDS)
                before = rss_bytes(pid)
            nursery.start_soon(hold_connections, server.host, server.port, group, measured, release, failures)
            await measured.wait()
            await trio.sleep(SETTLE_SECONDS)
            after = rss_bytes(pid)
            release.set()
    return before, after, failures


def bench(database: str, connections: int, rounds: int) -> list[float]:
    per_connection = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        url = create_database("mtserver_bench_idle") if database == "postgres" else None
        env = {"MTSERVER_DATABASE": url} if url else {}
        accounts = None
        try:
            for _ in range(rounds):
                server = ServerProcess(data_dir, env=env)
                server.start()
                try:
                    if accounts is None:
                        accounts = trio.run(prepare_accounts, url, str(data_dir), connections)
                    before, after, failures = trio.run(measure_round, server, accounts, connections)
                finally:
                    server.stop()
                if failures:
                    print(f"  {len(failures)} logins failed: {sorted(set(failures))}", file=sys.stderr)
                per_connection.append((after - before) / connections)
                print(f"  {database}: RSS {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB, "
                      f"{per_connection[-1] / 1024:.1f} KB per connection", file=sys.stderr, flush=True)
                time.sleep(0.5)
        finally:
            if url:
                drop_database(url)
    return per_connection


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", nargs="+", choices=("postgres", "sqlite"), default=["sqlite"])
    args = parser.parse_args()
    raise_file_limit(args.connections * 2)
    print("| database | connections | RSS per idle authorised connection, median (min–max) |")
    print("|---|---:|---:|")
    for database in args.database:
        values = bench(database, args.connections, args.rounds)
        print(f"| {database} | {args.connections:,} | {statistics.median(values) / 1024:.1f} KB "
              f"({min(values) / 1024:.1f}–{max(values) / 1024:.1f}) |", flush=True)


if __name__ == "__main__":
    main()
