"""A connection's pushes of its user's box leave in pts order, without gaps and without
duplicates, whatever order the bus brings the rows in (two processes publish
independently): server/push_feed.py and rpc/updates/stream.py over real storage
(SQLite) and the real handlers, with a bus that holds a user's payloads back for the
test to deliver in the order it chooses, or never (a publication lost)."""

from __future__ import annotations

import functools
import types
import time

import pytest
import trio
import trio.testing
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.context import RequestContext
from rpc.dispatch import dispatch
from rpc.updates import events as ev
from rpc.updates.pts_order import HOLD_SECONDS
from rpc.updates.stream import open_user_stream
from server.app import ServerState
from server.config import Config
from server.push_feed import PushFeed
from storage import open_storage
from storage.bus.memory import MemoryBus
from storage.bus.subscription import Subscription
from tests.in_process import InProcessUsers
from tests.statement_count import statements_run
from tl import functions as F, types as T


class ReorderingBus(MemoryBus):
    """A MemoryBus that keeps back what is published on the `held` topics."""

    def __init__(self):
        super().__init__()
        self.held_topics: set[str] = set()
        self.kept: list[tuple[str, bytes]] = []
        self.on_open = None  # runs as a subscription opens (after the stream read the box's pts)

    async def publish(self, channel, payload):
        if channel in self.held_topics:
            self.kept.append((channel, payload))
            await trio.lowlevel.checkpoint()
            return
        await super().publish(channel, payload)

    async def release(self, *indexes: int) -> None:
        for i in indexes:
            await super().publish(*self.kept[i])

    def subscribe(self, *channels, max_buffer=None):
        hook, self.on_open = self.on_open, None
        return _Hooked(hook, self, channels, self.max_buffer if max_buffer is None else max_buffer)


class _Hooked(Subscription):
    def __init__(self, hook, *args):
        super().__init__(*args)
        self.hook = hook

    async def open(self):
        if self.hook is not None:
            await self.hook()
        await super().open()


class Session:
    def __init__(self, auth_key_id):
        self.auth_key_id = auth_key_id


class Sink:
    def __init__(self):
        self.got = []

    async def push(self, session, session_id, updates):
        self.got.append(updates)

    def pts(self):
        """(pts, pts_count) of every pushed update that has them, in push order."""
        return [(u.pts, u.pts_count) for pushed in self.got for u in getattr(pushed, "updates", ())
                if getattr(u, "pts_count", None) is not None]

    def texts(self):
        return [u.message.message for pushed in self.got for u in getattr(pushed, "updates", ())
                if isinstance(u, T.UpdateNewMessage)]


class World(InProcessUsers):
    async def send(self, sender, to, text, session_id=1):
        record = await self.storage.users.get(to)
        peer = T.InputPeerSelf() if to == sender else T.InputPeerUser(user_id=to, access_hash=record.access_hash)
        ctx = RequestContext(auth_key_id=sender, session_id=session_id, msg_id=1, layer=tl.LAYER,
                             config=self.state.config, user_id=sender, services=self.state)
        await dispatch(F.messages.SendMessage(peer=peer, message=text, random_id=int(time.time_ns() % 2**62)), ctx)

    async def pts(self, user_id):
        return (await self.storage.updates.get(user_id)).pts


@pytest.fixture
async def world(tmp_path):
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        bus = ReorderingBus()
        w = World(ServerState(Config(data_dir=str(tmp_path)), [], storage, bus, b"s" * 32))
        w.bus = bus
        now = int(time.time())
        w.ann = (await storage.users.create("15550000001", "Ann", now=now)).id
        w.ben = (await storage.users.create("15550000002", "Ben", now=now)).id
        try:
            yield w
        finally:
            await storage.close()


async def _feed(w, nursery, user_id, receiver):
    sink = Sink()
    feed = PushFeed(types.SimpleNamespace(spawn=nursery.start_soon, push=sink.push, logged_out=lambda feed: None))
    await nursery.start(feed.open, functools.partial(
        open_user_stream, w.bus, w.storage, user_id, receiver=lambda: receiver, authorised=None))
    return feed, sink


async def _settled(nursery):
    await trio.testing.wait_all_tasks_blocked()
    return len(nursery.child_tasks)


async def test_rows_published_out_of_order_are_pushed_in_order_without_reading_the_log(world):
    w = world
    start = await w.pts(w.ben)
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, (Session(900), 1))
        w.bus.held_topics.add(f"user:{w.ben}")
        for i in range(5):
            await w.send(w.ann, w.ben, f"m{i}")
        before = statements_run()
        await w.bus.release(2, 0, 1, 4, 3)  # as two processes' publications may interleave
        assert await _settled(nursery) == 0  # nothing held, no task left
        # No row is read back (each publication carries its message) and no gap was
        # filled from the log: it closed before it was due. What is read is the sender
        # as the viewer sees them, once (their row, photo, privacy rules, contact).
        assert statements_run() - before <= 4
        feed.stop()
    assert sink.pts() == [(start + i, 1) for i in range(1, 6)]
    assert sink.texts() == [f"m{i}" for i in range(5)]


async def test_a_row_whose_publication_never_comes_is_read_from_the_log_once_due(world):
    w = world
    start = await w.pts(w.ben)
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, (Session(900), 1))
        w.bus.held_topics.add(f"user:{w.ben}")
        for i in range(4):
            await w.send(w.ann, w.ben, f"m{i}")
        await w.bus.release(0, 2, 3)  # the second is lost (or very late)
        await trio.testing.wait_all_tasks_blocked()
        assert sink.texts() == ["m0"] and len(nursery.child_tasks) == 1  # held, waiting
        began = trio.current_time()
        with trio.fail_after(5):
            while len(sink.texts()) < 4:
                await trio.sleep(0.02)
        assert trio.current_time() - began <= HOLD_SECONDS + 1
        await w.bus.release(1)  # the late copy: covered, not pushed again
        assert await _settled(nursery) == 0
        feed.stop()
    assert sink.texts() == ["m0", "m1", "m2", "m3"]
    assert sink.pts() == [(start + i, 1) for i in range(1, 5)]


async def test_the_sessions_own_rows_chain_without_a_read_and_are_not_pushed_back(world):
    w = world
    start = await w.pts(w.ben)
    mine = (Session(w.ben), 1)  # the session Ben sends from (InProcessUsers: auth key = user id)
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, mine)
        await w.send(w.ann, w.ben, "from ann")
        await trio.testing.wait_all_tasks_blocked()
        reads = []
        read = w.storage.messages.logged_with_message

        async def counted(user_id, pts):
            reads.append(pts)
            return await read(user_id, pts)
        w.storage.messages.logged_with_message = counted
        await w.send(w.ben, w.ann, "from ben")
        await trio.testing.wait_all_tasks_blocked()
        assert reads == []  # the own row's place came with its event: nothing read
        await w.send(w.ann, w.ben, "again")
        assert await _settled(nursery) == 0
        feed.stop()
    assert sink.texts() == ["from ann", "again"]  # "from ben" was in its own answer
    assert sink.pts() == [(start + 1, 1), (start + 3, 1)]  # in order: the own row placed without a gap


async def test_a_message_sent_while_the_connection_subscribes_is_pushed(world):
    w = world
    start = await w.pts(w.ben)

    async def in_the_login_window():  # published before the subscription is open: lost
        w.bus.held_topics.add(f"user:{w.ben}")
        await w.send(w.ann, w.ben, "meanwhile")
        w.bus.held_topics.clear()

    w.bus.on_open = in_the_login_window
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, (Session(900), 1))
        with trio.fail_after(5):
            while not sink.got:
                await trio.sleep(0.02)
        await w.send(w.ann, w.ben, "after")
        assert await _settled(nursery) == 0
        feed.stop()
    assert sink.texts() == ["meanwhile", "after"]
    assert sink.pts() == [(start + 1, 1), (start + 2, 1)]


async def test_a_lost_payload_still_says_updates_too_long_and_the_order_goes_on(world):
    w = world
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, (Session(900), 1))
        await w.send(w.ann, w.ben, "one")
        await trio.testing.wait_all_tasks_blocked()
        feed._stream.sub._mark_overflowed()  # as a full buffer or a Redis reconnect does
        await w.send(w.ann, w.ben, "two")
        assert await _settled(nursery) == 0
        feed.stop()
    assert isinstance(sink.got[1], T.UpdatesTooLong)
    assert sink.texts() == ["one", "two"]


async def test_other_events_are_not_held_behind_a_gap(world):
    w = world
    async with trio.open_nursery() as nursery:
        feed, sink = await _feed(w, nursery, w.ben, (Session(900), 1))
        w.bus.held_topics.add(f"user:{w.ben}")
        for i in range(2):
            await w.send(w.ann, w.ben, f"m{i}")
        await w.bus.release(1)
        w.bus.held_topics.clear()
        await w.bus.publish(f"user:{w.ben}", ev.encode(ev.UserStatus(user_id=w.ann)))
        await trio.testing.wait_all_tasks_blocked()
        assert sink.texts() == [] and sink.got  # the status went; m1 waits for m0
        await w.bus.release(0)
        assert await _settled(nursery) == 0
        feed.stop()
    assert sink.texts() == ["m0", "m1"]
