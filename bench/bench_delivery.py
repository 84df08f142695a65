"""Message delivery: messages per second from a sender to a live recipient, and latency.

    python bench/bench_delivery.py --clients 100 1000 --seconds 10 --database postgres
    python bench/bench_delivery.py --clients 100 --seconds 5 --database postgres sqlite
    python bench/bench_delivery.py --clients 100 1000 --redis redis://127.0.0.1:6379/0
    python bench/bench_delivery.py --clients 100 --database postgres --syscalls   # perf stat counts
    python bench/bench_delivery.py --clients 1000 --rate 500 --server-tree ../wt-base   # an older server

Starts `mtserver run` on loopback (PostgreSQL: a fresh database, created and dropped
here, on the server at $MTTEST_POSTGRES or postgresql://postgres@127.0.0.1:5432;
SQLite: the default file in a temporary data dir), writes the logged-in accounts into its
storage, then runs the load generator (tools/loadgen/delivery.py) in this process for each
client count: half the clients send messages.sendMessage, each to its own paired
recipient, and a message is delivered when the recipient's pushed updateNewMessage
arrives. Load: a closed loop by default (one message in flight per sender, --window N
for more: the throughput the server sustains), or --rate R messages per second from all
senders together (open loop: the latency at that load). --redis URL puts the server on
the Redis bus, as a scaled-out deployment runs (one process here). --server-tree DIR
runs the server from another checkout (an older commit's worktree) under this tree's load
generator, so a before/after pair differs in the server alone. Prints one markdown
table row per run.
Server and clients share the machine; the CPU columns show who was busy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402

from tests.e2e.server_process import ServerProcess  # noqa: E402
from tests.scratch_postgres import create_database, drop_database  # noqa: E402
from tools.loadgen.cli import markdown_header, markdown_row, prepare_accounts, raise_file_limit  # noqa: E402
from tools.loadgen.delivery import run_delivery  # noqa: E402



def bench(database: str, clients: list[int], seconds: float, window: int, rate: float | None, timeout: float,
          redis: str | None = None, syscalls: bool = False, server_tree: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        url = create_database("mtserver_bench") if database == "postgres" else None
        env = {name: value for name, value in (("MTSERVER_DATABASE", url), ("MTSERVER_REDIS", redis)) if value}
        server = ServerProcess(data_dir, env=env, **({"root": server_tree} if server_tree else {}))
        try:
            server.start()
            accounts = trio.run(prepare_accounts, url, str(data_dir), max(clients))
            for n in clients:
                result = trio.run(lambda: run_delivery(server.host, server.port, accounts[:n], seconds=seconds,
                                                       window=window, rate=rate, timeout=timeout,
                                                       server_pid=server.proc.pid, count_syscalls=syscalls))
                load = f"{rate:g} msg/s" if rate else f"closed, {window}/sender"
                print(markdown_row(result, database + (" + Redis" if redis else ""), load), flush=True)
                if result.server_syscalls and result.delivered:
                    per = ", ".join(f"{name} {n / result.delivered:.1f}" for name, n in result.server_syscalls.items())
                    print(f"  server per delivered message: {per}", flush=True)
                if result.errors:
                    print(f"  errors: {result.errors_text()}", file=sys.stderr)
        finally:
            code = server.stop()
            if code:
                print(f"server exited with {code}:\n{server.log()[-4000:]}", file=sys.stderr)
            if url:
                drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000],
                        help="connections per run (even); half send, half receive")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", nargs="+", choices=("postgres", "sqlite"), default=["postgres"])
    parser.add_argument("--window", type=int, default=1, help="messages in flight per sender")
    parser.add_argument("--rate", type=float, help="open loop: messages/s, all senders together")
    parser.add_argument("--redis", metavar="URL", help="the Redis bus between server processes (default: in-process)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds from sending to arrival before a message is lost")
    parser.add_argument("--syscalls", action="store_true",
                        help="also count the server's system calls per delivered message (perf stat)")
    parser.add_argument("--server-tree", type=Path, metavar="DIR",
                        help="run the server from this checkout instead (the load generator stays this tree's)")
    args = parser.parse_args()
    if any(n < 2 or n % 2 for n in args.clients):
        parser.error("--clients: even numbers >= 2")
    raise_file_limit(max(args.clients), "bench_delivery")
    print(markdown_header("database", "load"), flush=True)
    for database in args.database:
        bench(database, args.clients, args.seconds, args.window, args.rate, args.timeout, args.redis, args.syscalls,
              args.server_tree)


if __name__ == "__main__":
    main()
