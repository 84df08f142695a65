"""server/push_feed.py: a connection's pushes with no task while idle, in order, bounded,
stopped for good by stop()."""

import functools
import types

import trio
import trio.testing

from rpc.updates import events as ev
from rpc.updates.publish import publish
from rpc.updates.stream import open_user_stream
from server.push_feed import PushFeed
from storage.bus.memory import MemoryBus
from tl import types as T


class _Session:
    auth_key_id = 1


def _owner(nursery, sink, logged_out=lambda feed: None):
    """The connection's part: its nursery, its push, told when the feed stops itself."""
    return types.SimpleNamespace(spawn=nursery.start_soon, push=sink.push, logged_out=logged_out)


def _typing(user_id):
    return ev.Typing(user_id=user_id, action={"_": "sendMessageTypingAction"})


class _Sink:
    """A connection's push: records what it is given, and can be made to block (a slow reader)."""

    def __init__(self):
        self.got = []
        self.gate: trio.Event | None = None

    async def push(self, session, session_id, updates):
        if self.gate is not None:
            await self.gate.wait()
        self.got.append(updates)

    def user_ids(self):
        return [u.update.user_id if not isinstance(u, T.UpdatesTooLong) else "tooLong" for u in self.got]


def _opener(bus, authorised=None):
    return functools.partial(open_user_stream, bus, None, 7, receiver=lambda: (_Session(), 1), authorised=authorised)


async def _tasks(nursery):
    await trio.testing.wait_all_tasks_blocked()
    return len(nursery.child_tasks)


async def test_no_task_while_idle_and_pushes_keep_their_order():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    sink = _Sink()
    async with trio.open_nursery() as nursery:
        feed = PushFeed(_owner(nursery, sink))
        await nursery.start(feed.open, _opener(bus))
        assert await _tasks(nursery) == 0  # subscribed, nothing waiting
        for user_id in range(5):
            await publish(services, _typing(user_id), [7])
        assert await _tasks(nursery) == 0  # drained, and the task ended
        assert sink.user_ids() == [0, 1, 2, 3, 4]
        await publish(services, _typing(5), [7])
        await _tasks(nursery)
        assert sink.user_ids()[-1] == 5
        feed.stop()
    assert len(bus._fanout) == 0


async def test_a_slow_reader_holds_a_bounded_buffer_and_is_told_updates_too_long():
    bus = MemoryBus(max_buffer=2)
    services = types.SimpleNamespace(bus=bus, storage=None)
    sink = _Sink()
    sink.gate = trio.Event()
    async with trio.open_nursery() as nursery:
        feed = PushFeed(_owner(nursery, sink))
        await nursery.start(feed.open, _opener(bus))
        await publish(services, _typing(0), [7])
        await trio.testing.wait_all_tasks_blocked()  # its push is blocked writing
        for user_id in range(1, 6):
            await publish(services, _typing(user_id), [7])
        assert len(nursery.child_tasks) == 1  # one task, however many arrive
        sink.gate.set()
        await _tasks(nursery)
        feed.stop()
    assert sink.user_ids() == [0, "tooLong", 4, 5]


async def test_stop_cancels_a_push_in_progress_and_nothing_arrives_after():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    sink = _Sink()
    sink.gate = trio.Event()
    async with trio.open_nursery() as nursery:
        feed = PushFeed(_owner(nursery, sink))
        await nursery.start(feed.open, _opener(bus))
        await publish(services, _typing(0), [7])
        await trio.testing.wait_all_tasks_blocked()
        feed.stop()
        assert await _tasks(nursery) == 0
        sink.gate.set()
        await publish(services, _typing(1), [7])
        assert await _tasks(nursery) == 0
    assert sink.got == []


async def test_stopped_while_subscribing_leaves_nothing_subscribed():
    bus = MemoryBus()
    sink = _Sink()
    async with trio.open_nursery() as nursery:
        feed = PushFeed(_owner(nursery, sink))
        nursery.start_soon(feed.open, _opener(bus))
        feed.stop()
    assert len(bus._fanout) == 0


async def test_a_logged_out_key_stops_its_feed():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    sink = _Sink()
    told = []

    async def authorised():
        return False

    async with trio.open_nursery() as nursery:
        feed = PushFeed(_owner(nursery, sink, logged_out=lambda feed: told.append(True)))
        await nursery.start(feed.open, _opener(bus, authorised))
        await publish(services, _typing(0), [7])
        await _tasks(nursery)
    assert told == [True] and sink.got == [] and len(bus._fanout) == 0
