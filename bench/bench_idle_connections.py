"""Server memory per idle authorised connection.

    python bench/bench_idle_connections.py --connections 1000 --rounds 3 --database sqlite postgres
    python bench/bench_idle_connections.py --before ../wt-base     # an older tree's server too, rounds alternating
    python bench/bench_idle_connections.py --trace --connections 300  # where it goes: tracemalloc, by line

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
import json
import statistics
import subprocess
import sys
import shutil
import signal
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402

from bench.bench_delivery import raise_file_limit  # noqa: E402
from server.connection import PARK_AFTER  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402
from tests.scratch_postgres import create_database, drop_database  # noqa: E402
from tools.loadgen.client import Account, CallFailed, LoadClient  # noqa: E402

CONNECT_CONCURRENCY = 50
SETTLE_SECONDS = PARK_AFTER + 1.0  # every connection quiet long enough to park


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


async def snapshot(server: ServerProcess, path: Path) -> None:
    """bench/traced_server.py writes what tracemalloc traced to `path` on SIGUSR1."""
    server.proc.send_signal(signal.SIGUSR1)
    while not path.exists():
        await trio.sleep(0.1)


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


async def quiet(pid: int) -> None:
    """Until the server has used no CPU for a second: under tracemalloc it is several
    times slower, and a snapshot taken while it still works counts its work in progress."""
    while True:
        ticks = cpu_ticks(pid)
        await trio.sleep(1)
        if cpu_ticks(pid) - ticks <= 1:
            return


async def start_tracing(server: ServerProcess) -> None:
    server.proc.send_signal(signal.SIGUSR1)  # bench/traced_server.py's first one starts tracemalloc
    await trio.sleep(0.5)


async def measure_round(server: ServerProcess, accounts, connections: int,
                        trace_to: Path | None = None) -> tuple[int, int, list[str]]:
    failures: list[str] = []
    pid = server.proc.pid
    for warm in (True, False):
        group = accounts[:50] if warm else accounts[:connections]
        measured, release = trio.Event(), trio.Event()
        async with trio.open_nursery() as nursery:
            if not warm:
                await trio.sleep(SETTLE_SECONDS)
                before = rss_bytes(pid)
                if trace_to:
                    await start_tracing(server)
            nursery.start_soon(hold_connections, server.host, server.port, group, measured, release, failures)
            await measured.wait()
            await trio.sleep(SETTLE_SECONDS)
            after = rss_bytes(pid)
            if trace_to and not warm:
                await quiet(pid)
                await snapshot(server, Path(f"{trace_to}.1"))
            release.set()
    return before, after, failures


def accounts_in(tree: Path, url: str | None, data_dir: Path, count: int) -> list[Account]:
    """Logged-in accounts written by `tree`'s own storage code (this tree's would migrate
    an older tree's database past what its server accepts)."""
    code = ("import json, sys, trio; from tools.loadgen.cli import prepare_accounts;"
            f"found = trio.run(prepare_accounts, {url!r}, {str(data_dir)!r}, {count});"
            "print(json.dumps([[a.user_id, a.access_hash, a.auth_key.hex()] for a in found]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return [Account(user_id, access_hash, bytes.fromhex(key))
            for user_id, access_hash, key in json.loads(out.stdout.strip().splitlines()[-1])]


def bench(database: str, connections: int, rounds: int, trees: list[Path]) -> dict[Path, list[float]]:
    """Per tree, RSS per connection of each round; each round runs every tree's server
    in turn (the order alternating between rounds: ABBA...), each tree with a database
    of its own (a newer tree's migrations would lock an older one out)."""
    per_connection: dict[Path, list[float]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory() as tmp:
        data_dirs = {tree: Path(tmp) / f"data{n}" for n, tree in enumerate(trees)}
        urls = {tree: create_database("mtserver_bench_idle") if database == "postgres" else None for tree in trees}
        accounts: dict[Path, list] = {}
        try:
            for n in range(rounds):
                for tree in (trees if n % 2 == 0 else trees[::-1]):
                    url = urls[tree]
                    server = ServerProcess(data_dirs[tree], env={"MTSERVER_DATABASE": url} if url else {}, root=tree)
                    server.start()
                    try:
                        if tree not in accounts:
                            accounts[tree] = accounts_in(tree, url, data_dirs[tree], connections)
                        before, after, failures = trio.run(measure_round, server, accounts[tree], connections)
                    finally:
                        server.stop()
                    if failures:
                        print(f"  {len(failures)} logins failed: {sorted(set(failures))}", file=sys.stderr)
                    per_connection[tree].append((after - before) / connections)
                    print(f"  {database} {tree.name}: RSS {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB, "
                          f"{per_connection[tree][-1] / 1024:.1f} KB per connection", file=sys.stderr, flush=True)
                    time.sleep(0.5)
        finally:
            for url in urls.values():
                if url:
                    drop_database(url)
    return per_connection


def trace(connections: int, top: int, keep: Path | None) -> None:
    """One round of this tree's server, tracemalloc started after the warm-up: what the connections hold, in
    bytes per connection, by the line that allocated it (the innermost frame) and by the
    innermost frame of the project's own code above it."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, trace_to = Path(tmp) / "data", Path(tmp) / "snapshot"
        server = ServerProcess(data_dir, env={"BENCH_TRACE_SNAPSHOT": str(trace_to)})
        server.python_args = [str(root / "bench" / "traced_server.py")]
        server.start()
        try:
            accounts = accounts_in(root, None, data_dir, connections)
            before, after, failures = trio.run(measure_round, server, accounts, connections, trace_to)
        finally:
            server.stop()
        if failures:
            print(f"  {len(failures)} logins failed: {sorted(set(failures))}", file=sys.stderr)
        if keep:
            shutil.copy(f"{trace_to}.1", keep)
        held = tracemalloc.Snapshot.load(f"{trace_to}.1").statistics("traceback")
    ours = tuple(f"{root}/{part}/" for part in ("server", "mtproto", "rpc", "storage", "tl"))
    total = sum(d.size for d in held)
    print(f"traced: {total / connections:,.0f} bytes per connection; RSS {(after - before) / connections:,.0f}")
    by_line: dict[str, int] = {}
    by_ours: dict[str, int] = {}
    for d in held:
        frames = list(d.traceback)[::-1]  # tracemalloc's order is the oldest call first
        first = frames[0]
        by_line[f"{first.filename}:{first.lineno}"] = by_line.get(f"{first.filename}:{first.lineno}", 0) + d.size
        own = next((f for f in frames if f.filename.startswith(ours)), None)
        key = f"{own.filename.removeprefix(str(root) + '/')}:{own.lineno}" if own else "(outside the project)"
        by_ours[key] = by_ours.get(key, 0) + d.size
    for title, table in (("allocated at", by_line), ("under the project's line", by_ours)):
        print(f"\n{title}:")
        for where, size in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {size / connections:8.0f}  {where}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", nargs="+", choices=("postgres", "sqlite"), default=["sqlite"])
    parser.add_argument("--before", type=Path, help="an older tree (a git worktree) whose server is measured too")
    parser.add_argument("--trace", action="store_true",
                        help="instead: one round of this tree under tracemalloc, what a connection holds by line")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--keep-snapshot", type=Path, help="with --trace: keep the tracemalloc snapshot there")
    args = parser.parse_args()
    raise_file_limit(args.connections * 2)
    if args.trace:
        trace(args.connections, args.top, args.keep_snapshot)
        return
    root = Path(__file__).resolve().parents[1]
    trees = [args.before.resolve(), root] if args.before else [root]
    print("| database | tree | connections | RSS per idle authorised connection, median (min–max) |")
    print("|---|---|---:|---:|")
    for database in args.database:
        found = bench(database, args.connections, args.rounds, trees)
        for tree, values in found.items():
            name = "before" if tree != root else "this tree"
            print(f"| {database} | {name} | {args.connections:,} | {statistics.median(values) / 1024:.1f} KB "
                  f"({min(values) / 1024:.1f}–{max(values) / 1024:.1f}) |", flush=True)


if __name__ == "__main__":
    main()
