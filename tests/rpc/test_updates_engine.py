"""The updates engine (rpc/updates/): events, publishing with the origin rule, the
stream a connection consumes, and the render table."""

import pathlib
import time
import re
import types
import typing

import msgspec
import pytest
import trio

from rpc.updates import events as ev
from rpc.updates.publish import publish, publish_rows, publish_to_key, tell_other_devices
from rpc.updates.render import RENDERERS, carried_logged
from rpc.updates.stream import key_stream, user_stream
from storage.bus.memory import MemoryBus
from storage.models import MessageRecord
from storage.peer import Peer
from tl import types as T

RPC = pathlib.Path(__file__).parents[2] / "rpc"


_MESSAGE = MessageRecord(owner_id=2, id=41, peer_id=1, from_id=1, out=False, date=1_700_000_000, message="hi",
                         entities=[{"_": "messageEntityBold", "offset": 0, "length": 2}], shared_id=99,
                         media={"_": "messageMediaDocument", "ttl_seconds": 5})


def test_every_event_has_a_renderer():
    assert set(typing.get_args(ev.AnyEvent)) == set(RENDERERS)


@pytest.mark.parametrize("event", [
    ev.LogRow(pts=5), ev.UserStatus(user_id=1), ev.UserChanged(user_id=2),
    ev.Typing(user_id=3, action={"_": "sendMessageTypingAction"}, chat=Peer.chat(4)),
    ev.Draft(peer=Peer.user(5)), ev.DialogPinned(peer=Peer.chat(6), pinned=True), ev.PinnedDialogs(),
    ev.NotifySettings(scope="peer", peer=Peer.user(7)), ev.NotifySettings(scope="users"),
    ev.DialogUnreadMark(peer=Peer.user(8)), ev.ChatParticipants(chat_id=9), ev.LoginToken(),
    ev.LogRow(pts=1, origin=ev.Origin(10, 11)),
    ev.LogRow(pts=2, pts_count=1, new_message=_MESSAGE),
])
def test_events_round_trip_through_the_bus_encoding(event):
    assert ev.decode(ev.encode(event)) == event


def test_a_new_message_row_is_rendered_from_its_event_and_read_otherwise():
    event = ev.LogRow(pts=7, pts_count=1, new_message=_MESSAGE)
    row, shown = carried_logged(_MESSAGE.owner_id, event)
    assert (row.user_id, row.pts, row.pts_count, row.kind, row.data, row.date) == (
        _MESSAGE.owner_id, 7, 1, "new_message", {"id": _MESSAGE.id}, _MESSAGE.date)
    assert shown == {_MESSAGE.id: _MESSAGE}
    assert carried_logged(_MESSAGE.owner_id + 1, event) is None  # another box's copy: read
    assert carried_logged(_MESSAGE.owner_id, ev.LogRow(pts=7)) is None
    # A process of an older version sends no message, and ignores one it is sent.
    assert ev.decode(msgspec.json.encode({"kind": "log", "pts": 7})) == ev.LogRow(pts=7)

    class OlderLogRow(msgspec.Struct, tag="log", tag_field="kind"):
        pts: int
        pts_count: int = 0

    assert msgspec.json.decode(ev.encode(event), type=OlderLogRow) == OlderLogRow(pts=7, pts_count=1)


def test_unknown_or_malformed_payloads_are_skipped():
    assert ev.decode(b'{"kind": "from_a_newer_process", "x": 1}') is None
    assert ev.decode(b'{"kind": "log"}') is None  # pts missing
    assert ev.decode(b"\xff") is None


def test_no_event_is_a_dict_literal_in_rpc():
    """Events are built from rpc/updates/events.py's types, never written as dicts."""
    offenders = [f"{p.relative_to(RPC)}:{n}" for p in RPC.rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"""\{\s*["']kind["']\s*:""", line)]
    assert offenders == []


class _Session:
    def __init__(self, auth_key_id):
        self.auth_key_id = auth_key_id


def _ctx(services, user_id, auth_key_id, session_id):
    own_rows = []  # what the acting connection's stream is told (RequestContext.on_own_row)
    return types.SimpleNamespace(services=services, user_id=user_id, auth_key_id=auth_key_id, session_id=session_id,
                                 own_rows=own_rows, on_own_row=own_rows.append)


async def _collect(stream, into, count):
    async for push in stream:
        into.append(push)
        if len(into) == count:
            return


async def test_the_acting_session_is_skipped_and_the_users_other_sessions_are_told():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    mine, other_device = (_Session(100), 1), (_Session(200), 2)
    got_mine, got_other = [], []
    async with trio.open_nursery() as nursery:
        async with user_stream(bus, None, 7, receiver=lambda: mine, authorised=None) as s1, \
                user_stream(bus, None, 7, receiver=lambda: other_device, authorised=None) as s2:
            nursery.start_soon(_collect, s1, got_mine, 1)
            nursery.start_soon(_collect, s2, got_other, 1)
            await trio.testing.wait_all_tasks_blocked()
            await tell_other_devices(_ctx(services, 7, 100, 1), ev.LoginToken())  # a key event: not for user topics
            await tell_other_devices(_ctx(services, 7, 100, 1), ev.Typing(user_id=8, action={
                "_": "sendMessageTypingAction"}))
            await publish(services, ev.Typing(user_id=9, action={"_": "sendMessageTypingAction"}), [7])
    assert [p.updates.update.user_id for p in got_other] == [8]
    assert [p.updates.update.user_id for p in got_mine] == [9]
    assert got_other[0].receiver == other_device


async def test_overflow_becomes_updates_too_long():
    bus = MemoryBus(max_buffer=2)
    services = types.SimpleNamespace(bus=bus, storage=None)
    got = []
    async with user_stream(bus, None, 7, receiver=lambda: (_Session(1), 1), authorised=None) as stream:
        for user_id in range(5):
            await publish(services, ev.Typing(user_id=user_id, action={"_": "sendMessageTypingAction"}), [7])
        with trio.move_on_after(0.2):
            await _collect(stream, got, 3)
    assert isinstance(got[0].updates, T.UpdatesTooLong)
    assert [p.updates.update.user_id for p in got[1:]] == [3, 4]


async def test_a_logged_out_viewer_stops_the_stream():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)

    async def authorised():
        return False

    async with user_stream(bus, None, 7, receiver=lambda: (_Session(1), 1), authorised=authorised) as stream:
        await publish(services, ev.Typing(user_id=1, action={"_": "sendMessageTypingAction"}), [7])
        async for _ in stream:
            raise AssertionError("nothing is pushed to a session that was logged out")
    assert stream.logged_out


async def test_a_key_stream_renders_only_key_events():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    got = []
    async with key_stream(bus, None, 55, receiver=lambda: (_Session(55), 3)) as stream:
        await bus.publish("key:55", ev.encode(ev.LogRow(pts=1)))
        await publish_to_key(services, 55, ev.LoginToken())
        await _collect(stream, got, 1)
    assert isinstance(got[0].updates.update, T.UpdateLoginToken)


async def test_log_rows_are_published_to_each_box_with_origin_only_on_the_actors():
    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    async with bus.subscribe("user:1", "user:2") as sub:
        ctx = _ctx(services, 1, 100, 5)
        await publish_rows(ctx, [(1, 10), (2, 20), (3, None), (2, 21, 1, _MESSAGE)])
        first, second, third = [ev.decode(await sub.receive()) for _ in range(3)]
    assert ctx.own_rows == [10]  # the actor's own box only
    # Each is stamped with its publish time (the bus lag metric), microseconds since the epoch.
    assert all(abs(e.sent / 1e6 - time.time()) < 60 for e in (first, second, third))
    assert msgspec.structs.replace(first, sent=0) == ev.LogRow(pts=10, origin=ev.Origin(100, 5))
    assert msgspec.structs.replace(second, sent=0) == ev.LogRow(pts=20)
    assert msgspec.structs.replace(third, sent=0) == ev.LogRow(pts=21, pts_count=1, new_message=_MESSAGE)


def test_every_update_log_kind_has_a_renderer():
    """storage writes UpdateKind; the log render table reads every one of them."""
    from rpc.updates.log_render import ROW_RENDERERS
    from storage.update_log import UpdateKind

    assert set(ROW_RENDERERS) == set(UpdateKind)


async def test_a_taken_update_is_timed_from_its_publishing():
    from server import metrics

    def lag_count():
        return metrics.REGISTRY.get_sample_value("mtserver_bus_lag_seconds_count") or 0.0

    bus = MemoryBus()
    services = types.SimpleNamespace(bus=bus, storage=None)
    before = lag_count()
    got = []
    async with user_stream(bus, None, 7, receiver=lambda: (_Session(1), 1), authorised=None) as stream:
        await publish(services, ev.Typing(user_id=1, action={"_": "sendMessageTypingAction"}), [7])
        # An event from a process that does not stamp it: delivered, not timed.
        await bus.publish("user:7", ev.encode(ev.Typing(user_id=2, action={"_": "sendMessageTypingAction"})))
        await _collect(stream, got, 2)
    assert len(got) == 2 and lag_count() == before + 1
    assert metrics.REGISTRY.get_sample_value("mtserver_bus_lag_seconds_bucket", {"le": "1.0"}) >= 1
    # The stamp is small: a dozen digits in the JSON, ignored by a process that predates it.
    stamped = ev.encode(msgspec.structs.replace(ev.LogRow(pts=1), sent=time.time_ns() // 1000))
    assert len(stamped) - len(ev.encode(ev.LogRow(pts=1))) <= 24

    class OlderLogRow(msgspec.Struct, tag_field="kind", tag="log"):  # as a process before the stamp knew it
        pts: int

    assert msgspec.json.decode(stamped, type=OlderLogRow).pts == 1
