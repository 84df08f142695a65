"""Storage statements per delivered private message: the sendMessage call and the live
push its recipient's session renders, counted with the server's own statement metric
(mtserver_db_statement_duration_seconds_count). Deterministic, so unlike CPU time it
needs no quiet machine; it is the count the delivery benchmark's CPU follows.

    python bench/bench_statements.py                           # this tree, SQLite and PostgreSQL
    python bench/bench_statements.py --before ../wt-base       # and an older tree, same run
    python bench/bench_statements.py --contacts 1000           # the recipient has 1,000 contacts
    python bench/bench_statements.py --group 200               # and a basic group's sendMessage

In process, through the real dispatcher and storage (a fresh SQLite file, a scratch
PostgreSQL database), no network: Ann sends Ben a text message (messages.sendMessage),
then Ben's stream turns the payload published into his push as the connection's would
(rpc/updates/stream.py: its pts order, then rpc/updates/render.py), and Ann's own
stream takes hers (the origin rule: nothing pushed); `--rounds` times. The first push reads the sender's user view
rows; the later ones find them in the process's user cache (server/user_cache.py),
so both are shown. A count hides what a statement reads: before issue 13's
change the push read the recipient's whole contact list (--contacts shows the count is
the same either way; the rows are not counted). On PostgreSQL it also counts round trips
(storage/pgwire exchanges: a BEGIN or COMMIT that travels with a statement costs none, one
sent alone costs one), after the first send, whose statements are prepared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(database: str, contacts: int, rounds: int, group: int = 0) -> dict:
    """Runs in the tree this file is imported from."""
    import trio
    import trio_asyncio

    import rpc  # noqa: F401  (registers the handlers)
    import tl
    from rpc.context import RequestContext
    from rpc.dispatch import dispatch
    from rpc.updates.stream import open_user_stream
    from server import metrics
    from server.app import ServerState
    from server.config import Config
    from storage import open_storage
    from storage.bus.memory import MemoryBus
    from storage.models import ContactRecord
    from tl import functions as F, types as T

    class _Session:
        def __init__(self, auth_key_id):
            self.auth_key_id = auth_key_id

    def statements() -> float:
        return sum(s.value for m in metrics.REGISTRY.collect() for s in m.samples
                   if s.name == "mtserver_db_statement_duration_seconds_count")

    # PostgreSQL round trips: each exchange of storage/pgwire is one write and the reads
    # up to its last ReadyForQuery (a BEGIN or COMMIT sent with a statement rides along;
    # one sent alone is a round trip of its own, which the statement metric misses).
    trips = [0]
    try:
        from storage.pgwire.connection import Connection
    except ImportError:  # a tree from before storage/pgwire
        Connection = None
    if Connection is not None and not hasattr(Connection._exchange, "counted"):
        exchange = Connection._exchange

        async def counted(self, *args, **kwargs):
            trips[0] += 1
            return await exchange(self, *args, **kwargs)

        counted.counted = True
        Connection._exchange = counted

    def work() -> tuple[float, int]:
        return statements(), trips[0]

    async def run(url: str | None, data_dir: str) -> dict:
        async with trio_asyncio.open_loop():
            storage = await open_storage(url, data_dir)
            try:
                state = ServerState(Config(data_dir=data_dir), [], storage, MemoryBus(), b"s" * 32)
                now = int(time.time())
                ann = await storage.users.create("15550000001", "Ann", now=now)
                ben = await storage.users.create("15550000002", "Ben", now=now)
                for i in range(contacts):
                    other = await storage.users.create(f"1556{i:07d}", f"C{i}", now=now)
                    await storage.contacts.upsert(ContactRecord(owner_id=ben.id, user_id=other.id, first_name="",
                                                                last_name="", added_at=now))
                ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                                     user_id=ann.id, services=state)
                peer = T.InputPeerUser(user_id=ben.id, access_hash=ben.access_hash)
                # The streams Ben's and Ann's connections push from: the payload the send
                # published, through the stream (its pts order too, where the tree has one).
                bens = await open_user_stream(state.bus, storage, ben.id, receiver=lambda: (_Session(2), 1),
                                              authorised=None)
                anns = await open_user_stream(state.bus, storage, ann.id, receiver=lambda: (_Session(1), 1),
                                              authorised=None)
                sends, pushes, own, send_trips, push_trips = [], [], [], [], []
                for i in range(rounds):
                    before, trips_before = work()
                    await dispatch(F.messages.SendMessage(peer=peer, message=f"hi {i}", random_id=1000 + i), ctx)
                    after, trips_after = work()
                    sends.append(after - before)
                    send_trips.append(trips_after - trips_before)
                    before, trips_before = work()
                    pushed = await bens.pushes(bens.sub.take())
                    after, trips_after = work()
                    pushes.append(after - before)
                    assert len(pushed) == 1, pushed
                    before = statements()
                    assert await anns.pushes(anns.sub.take()) == []  # the sender's own row (origin rule)
                    own.append(statements() - before)
                    push_trips.append(work()[1] - trips_before)
                bens.close()
                anns.close()
                # The first push reads what the process does not remember yet (issue 13's
                # user cache, server/user_cache.py); the later ones show what it keeps.
                # The first send prepares its statements (a round trip each): the later
                # ones show the steady state.
                result = {"send": max(sends), "push": pushes[0], "push_warm": max(pushes[1:] or pushes),
                          "own": max(own), "send_trips": max(send_trips[1:] or send_trips),
                          "push_trips": max(push_trips[1:] or push_trips)}
                if group:  # Ann's basic group with `group` members, herself included
                    members = [ben] + [await storage.users.create(f"1557{i:07d}", f"M{i}", now=now)
                                       for i in range(group - 2)]
                    created = await dispatch(F.messages.CreateChat(title="G", users=[
                        T.InputUser(user_id=m.id, access_hash=m.access_hash) for m in members]), ctx)
                    chat = tl.decode_result(F.messages.CreateChat(users=[], title=""), created, tl.LAYER)
                    peer = T.InputPeerChat(chat_id=chat.updates.chats[0].id)
                    group_sends = []
                    for i in range(rounds):
                        before = statements()
                        await dispatch(F.messages.SendMessage(peer=peer, message=f"all {i}", random_id=5000 + i), ctx)
                        group_sends.append(statements() - before)
                    result["group_send"] = max(group_sends)
                return result
            finally:
                await storage.close()

    with tempfile.TemporaryDirectory() as tmp:
        url = None
        if database == "postgres":
            from tests.scratch_postgres import create_database, drop_database
            url = create_database("mtserver_bench_statements")
        try:
            return trio.run(run, url, tmp)
        finally:
            if url:
                drop_database(url)


def measure_tree(tree: Path, database: str, contacts: int, rounds: int, group: int) -> dict:
    """The same measurement in another tree's code, in a process of its own."""
    code = (f"import sys, json; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'bench')!r});"
            f"import bench_statements as b; print(json.dumps(b.measure({database!r}, {contacts}, {rounds}, {group})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"])
    parser.add_argument("--contacts", type=int, default=0, help="contacts in the recipient's address book")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older tree (a git worktree) to measure beside this one")
    parser.add_argument("--group", type=int, default=0,
                        help="also a sendMessage to a basic group of this many members (2..200)")
    args = parser.parse_args()
    group = f" statements per sendMessage to a group of {args.group} |" if args.group else ""
    print("| database | tree | statements per sendMessage | per push, first | per push, later |"
          f" the sender's own stream | per delivered message, later |"
          f" PostgreSQL round trips per sendMessage, later | per push (both streams), later |{group}")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.group else ""))
    trees = [("before", args.before)] if args.before else []
    trees.append(("this tree", ROOT))
    for database in args.database:
        for name, tree in trees:
            got = measure_tree(tree.resolve(), database, args.contacts, args.rounds, args.group)
            warm = got.get("push_warm", got["push"])
            group = f" {got['group_send']:.0f} |" if args.group else ""
            trips = (f" {got['send_trips']} | {got['push_trips']} |" if database == "postgres"
                     else " – | – |")
            print(f"| {database} | {name} | {got['send']:.0f} | {got['push']:.0f} | {warm:.0f} | {got['own']:.0f} |"
                  f" {got['send'] + warm + got['own']:.0f} |{trips}{group}", flush=True)


if __name__ == "__main__":
    main()
