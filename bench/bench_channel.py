"""Channels (issue 11): posts to a supergroup or broadcast channel of many members, pushed
to the connected ones; what a post costs and writes; catching up on 1,000 missed posts.

    python bench/bench_channel.py --members 100 10000 --connected 1000 --rate 5 --seconds 10
    python bench/bench_channel.py --members 2000 --connected 200 --seconds 5 --database postgres sqlite
    python bench/bench_channel.py --kind channel --members 10000 --redis redis://127.0.0.1:6379/0

Starts `mtserver run` on loopback (PostgreSQL: a fresh database, created and dropped here,
on the server at $MTTEST_POSTGRES or postgresql://postgres@127.0.0.1:5432; SQLite:
the default file in a temporary data dir). For each --members count, a new channel
(tools/loadgen/channel.py): the creator, who posts, and --connected logged-in members
(fewer when the channel is smaller), the rest members without keys, all written into the
server's storage directly; then, in this process:

- load: the members connect (each follows the channel from its login), the creator posts
  messages.sendMessage at --rate posts/s for --seconds (open loop), and every
  updateNewChannelMessage arriving at a member is a push: pushes/s, post→push latency over
  all pushes, the server's CPU per post and per push (/proc, from the first post to the
  last push) and, on PostgreSQL, its database backends' CPU per push (the processes whose
  title names the scratch database: PostgreSQL must run on this machine), and what a post
  writes: rows added per post over every table (count(*)), and on PostgreSQL rows
  inserted + updated + deleted per post (pg_stat_user_tables, read after the statistics
  settle, ~11 s); the tables a post changed are listed;
- catch-up: the members disconnect, the creator posts --behind messages, and one member
  calls updates.getChannelDifference from the pts before them, --limit rows per call (100
  is Telethon's; 1000 the server's cap), until final: calls, wall time, server and
  database CPU.

The whole path is measured: client encryption, the server's transport, session, handler,
storage, the bus and each member's rendering and push. Server and clients share the
machine: the client CPU column shows how busy this process was. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trio  # noqa: E402
import trio_asyncio  # noqa: E402

from storage import open_storage  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402
from tests.scratch_postgres import create_database, drop_database  # noqa: E402
from tools.loadgen.channel import (CatchUpResult, ChannelResult, catch_up, create_channel, post_many,  # noqa: E402
                                   run_channel, table_counts)
from tools.loadgen.cli import raise_file_limit  # noqa: E402

LOAD_COLUMNS = ("database", "kind", "members", "connected", "posts/s", "posts", "pushes/s", "p50 ms", "p99 ms",
                "max ms", "post answer p50 ms", "errors", "server CPU", "server ms/post", "server ms/push",
                "database ms/push", "client CPU", "rows/post", "rows written/post")
CATCH_UP_COLUMNS = ("database", "kind", "members", "behind", "limit", "calls", "messages", "wall ms", "server CPU ms",
                    "database CPU ms", "errors")
TABLE_COLUMNS = ("database", "members", "table", "rows/post", "rows written/post")


def table(columns: tuple[str, ...], rows: list[list[str]], numeric_from: int = 2) -> str:
    aligns = ["---" if i < numeric_from else "---:" for i in range(len(columns))]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(aligns) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def load_row(r: ChannelResult, database: str, kind: str) -> list[str]:
    per_post = r.per_post()
    rows = sum(added for added, _ in per_post.values())
    written = [w for _, w in per_post.values()]
    written_total = None if not per_post or any(w is None for w in written) else sum(written)
    cpu = ms_post = ms_push = "–"
    pushes = len(r.latencies)
    if r.server_cpu is not None and r.busy:
        cpu = f"{r.server_cpu / r.busy:.0%}"
        ms_post = _number(r.server_cpu / r.posts * 1000 if r.posts else None)
        ms_push = _number(r.server_cpu / pushes * 1000 if pushes else None, 2)
    db_push = _number(r.database_cpu / pushes * 1000 if r.database_cpu is not None and pushes else None, 2)
    answer = sorted(r.post_latencies)[len(r.post_latencies) // 2] * 1000 if r.post_latencies else None
    return [database, kind, str(r.members), str(r.connected), f"{r.rate:g}", str(r.posts), f"{r.push_rate:.0f}",
            _number(r.percentile(50)), _number(r.percentile(99)), _number(r.percentile(100)), _number(answer),
            r.errors_text(), cpu, ms_post, ms_push, db_push, f"{r.client_cpu / r.busy:.0%}" if r.busy else "–",
            _number(rows, 2) if per_post else "0", _number(written_total, 2)]


def catch_up_row(c: CatchUpResult, database: str, kind: str, members: int) -> list[str]:
    errors = ", ".join(f"{name} {n}" for name, n in c.errors.most_common()) or ("0" if c.final else "not final")
    return [database, kind, str(members), str(c.behind), str(c.limit), str(c.calls), str(c.messages),
            _number(c.seconds * 1000), _number(None if c.server_cpu is None else c.server_cpu * 1000),
            _number(None if c.database_cpu is None else c.database_cpu * 1000), errors]


def table_rows(r: ChannelResult, database: str) -> list[list[str]]:
    return [[database, str(r.members), name, _number(added, 2), _number(written, 2)]
            for name, (added, written) in r.per_post().items()]


async def one_channel(url: str | None, data_dir: str, server: ServerProcess, args, members: int):
    """The load and the catch-ups on a new channel of ``members``."""
    pid = server.proc.pid
    database = urlsplit(url).path.lstrip("/") if url else None
    async with trio_asyncio.open_loop():
        storage = await open_storage(url, data_dir)
        try:
            channel = await create_channel(storage, members=members, connected=args.connected,
                                           broadcast=args.kind == "channel")
            load = await run_channel(server.host, server.port, channel, rate=args.rate, seconds=args.seconds,
                                     timeout=args.timeout, server_pid=pid, counts=lambda: table_counts(storage),
                                     database=database)
        finally:
            await storage.close()
    pts = await post_many(server.host, server.port, channel, args.behind, timeout=args.timeout)
    catch_ups = [await catch_up(server.host, server.port, channel.followers[0], channel, pts, behind=args.behind,
                                limit=limit, server_pid=pid, timeout=args.timeout, database=database)
                 for limit in args.limit]
    return load, catch_ups


def bench(database: str, args) -> tuple[list, list, list]:
    loads, catch_ups, tables = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        url = create_database("mtserver_bench") if database == "postgres" else None
        env = {name: value for name, value in (("MTSERVER_DATABASE", url), ("MTSERVER_REDIS", args.redis)) if value}
        server = ServerProcess(data_dir, env=env)
        name = database + (" + Redis" if args.redis else "")
        try:
            server.start()
            for members in args.members:
                print(f"bench_channel: {name}, {members} members ...", file=sys.stderr, flush=True)
                load, ups = trio.run(one_channel, url, str(data_dir), server, args, members)
                loads.append(load_row(load, name, args.kind))
                catch_ups += [catch_up_row(c, name, args.kind, members) for c in ups]
                tables += table_rows(load, name)
                if load.errors:
                    print(f"  errors: {load.errors_text()}", file=sys.stderr)
        finally:
            code = server.stop()
            if code:
                print(f"server exited with {code}:\n{server.log()[-4000:]}", file=sys.stderr)
            if url:
                drop_database(url)
    return loads, catch_ups, tables


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[10_000], help="channel sizes, one run each")
    parser.add_argument("--connected", type=int, default=1000, help="members connected (at most members - 1)")
    parser.add_argument("--kind", choices=("supergroup", "channel"), default="supergroup",
                        help="a supergroup (megagroup) or a broadcast channel")
    parser.add_argument("--rate", type=float, default=5.0, help="posts per second (open loop)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--behind", type=int, default=1000, help="posts the catching-up member missed")
    parser.add_argument("--limit", type=int, nargs="+", default=[100, 1000],
                        help="getChannelDifference limits, one catch-up each")
    parser.add_argument("--database", nargs="+", choices=("postgres", "sqlite"), default=["postgres"])
    parser.add_argument("--redis", metavar="URL", help="the Redis bus between server processes (default: in-process)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a push or an answer may take")
    args = parser.parse_args()
    if any(n < 2 for n in args.members) or args.connected < 1 or args.rate <= 0 or args.behind < 1:
        parser.error("--members >= 2, --connected >= 1, --rate > 0, --behind >= 1")
    raise_file_limit(args.connected, "bench_channel")
    loads, catch_ups, tables = [], [], []
    for database in args.database:
        more = bench(database, args)
        loads += more[0]
        catch_ups += more[1]
        tables += more[2]
    print(table(LOAD_COLUMNS, loads))
    print()
    print(table(CATCH_UP_COLUMNS, catch_ups, numeric_from=3))
    print()
    print(table(TABLE_COLUMNS, tables, numeric_from=3))


if __name__ == "__main__":
    main()
