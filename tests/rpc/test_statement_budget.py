"""How many storage statements delivering one private message costs (issue 13): the
sendMessage call, and the live push its recipient's session renders; and a channel
post's push to each member (rpc/updates/shared_reads.py). Counted with the
server's own statement metric, on SQLite and (the private message) on PostgreSQL, where
a send's copies are one statement. A budget, so that a change that adds a query to
every message is seen; and a viewer's contact list must not be read whole for every push."""

from __future__ import annotations

import time

import pytest
import trio
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.context import RequestContext
from rpc.dispatch import dispatch
from rpc.updates import events as ev
from rpc.updates.render import render
from server.app import ServerState
from server.config import Config
from storage import open_storage
from storage.bus.memory import MemoryBus
from storage.models import ContactRecord
from tests.scratch_postgres import admin_url, create_database, drop_database
from tests.statement_count import statements_run
from tl import functions as F, types as T

# sendMessage: on SQLite the recipient check with the retry lookup, the boxes' states,
# the shared id, five multi-row steps for the copies, the draft; on PostgreSQL the box
# locks with the recipient check, then the copies with the retry check, the shared id
# and the draft (bench/README.md "Statements per delivered message", "Round trips").
SEND_BUDGET = {"sqlite": 9, "postgres": 2}
PUSH_BUDGET = 5  # the first push: the sender's user view is read (server/user_cache.py)
PUSH_WARM_BUDGET = 1  # later ones: the log row and its message; the view is remembered
# PostgreSQL round trips, once the statements are prepared: BEGIN travels with the
# box locks, COMMIT with the copies; a push's one statement is one.
SEND_ROUND_TRIPS = 2
PUSH_WARM_ROUND_TRIPS = 1


@pytest.fixture
def round_trips(monkeypatch):
    """A list whose length is the storage/pgwire exchanges (one write, its replies) so far."""
    from storage.pgwire.connection import Connection
    trips = []
    exchange = Connection._exchange

    async def counted(self, *args, **kwargs):
        trips.append(1)
        return await exchange(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "_exchange", counted)
    return trips


@pytest.fixture(params=["sqlite"])
async def state(request, tmp_path):
    url = None
    if request.param == "postgres":  # a database of its own: the users' phones are fixed
        if admin_url().lower() == "off":
            pytest.skip("PostgreSQL tests turned off")
        url = await trio.to_thread.run_sync(create_database, "mtserver_budget")  # asyncio.run: not in trio
    async with trio_asyncio.open_loop():
        storage = await open_storage(url, str(tmp_path))
        try:
            yield ServerState(Config(data_dir=str(tmp_path)), [], storage, MemoryBus(), b"s" * 32)
        finally:
            await storage.close()
    if url is not None:
        await trio.to_thread.run_sync(drop_database, url)


@pytest.mark.parametrize("state", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("contacts", [0, 300])
async def test_a_delivered_message_stays_within_its_statement_budget(state, contacts, round_trips):
    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    ben = await storage.users.create("15550000002", "Ben", now=now)
    await storage.contacts.upsert(ContactRecord(owner_id=ben.id, user_id=ann.id, first_name="Annie", last_name="",
                                                added_at=now))
    for i in range(contacts):  # Ben's address book: a push must not read it whole
        other = await storage.users.create(f"1556{i:07d}", f"C{i}", now=now)
        await storage.contacts.upsert(ContactRecord(owner_id=ben.id, user_id=other.id, first_name="", last_name="",
                                                    added_at=now))
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    peer = T.InputPeerUser(user_id=ben.id, access_hash=ben.access_hash)
    for i in range(3):
        before, trips_before = statements_run(), len(round_trips)
        await dispatch(F.messages.SendMessage(peer=peer, message=f"hi {i}", random_id=100 + i), ctx)
        sent, send_trips = statements_run() - before, len(round_trips) - trips_before
        pts = (await storage.updates.get(ben.id)).pts
        before, trips_before = statements_run(), len(round_trips)
        pushed = await render(storage, ben.id, ev.LogRow(pts=pts))
        push, push_trips = statements_run() - before, len(round_trips) - trips_before
        if i and state.storage.db.dialect == "postgres":
            assert (send_trips, push_trips) == (SEND_ROUND_TRIPS, PUSH_WARM_ROUND_TRIPS)
        assert pushed.updates[0].message.message == f"hi {i}"
        assert [u.first_name for u in pushed.users if u.id == ann.id] == ["Annie"]  # Ben's name for her
        assert sent <= SEND_BUDGET[state.storage.db.dialect], (sent, push)
        assert push <= (PUSH_BUDGET if i == 0 else PUSH_WARM_BUDGET), (sent, push)


@pytest.mark.parametrize("state", ["sqlite", "postgres"], indirect=True)
async def test_a_push_from_a_user_not_kept_reads_their_view_in_one_round_trip(state, round_trips):
    """The sender's row, photo, privacy rules and contact relation, missing from the user
    cache, are read together (rpc/services/user_rows.py `prefetch`): one PostgreSQL round
    trip for the four, then nothing for the view's own loads."""
    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    ben = await storage.users.create("15550000002", "Ben", now=now)
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    peer = T.InputPeerUser(user_id=ben.id, access_hash=ben.access_hash)
    for i in range(2):  # the first prepares every statement on the connection
        await dispatch(F.messages.SendMessage(peer=peer, message=f"hi {i}", random_id=100 + i), ctx)
        storage.user_rows.cache.clear()  # as after a while, or at a server's start
        pts = (await storage.updates.get(ben.id)).pts
        before, trips_before = statements_run(), len(round_trips)
        pushed = await render(storage, ben.id, ev.LogRow(pts=pts))
        push, push_trips = statements_run() - before, len(round_trips) - trips_before
        assert [u.first_name for u in pushed.users] == ["Ann"]
        assert push == 5  # the log row and its message; the sender's four
        if i and storage.db.dialect == "postgres":
            assert push_trips == 2


# A basic group's sendMessage, whatever its size: the membership checked by the send
# itself, each step of the copies one multi-row statement on SQLite (one CTE statement on
# PostgreSQL), then the answer's users and chat. It was 1,212 on SQLite for 200 members.
GROUP_SEND_BUDGET = 16


async def test_a_group_message_costs_the_same_statements_for_any_number_of_members(state):
    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    counts = []
    for size in (3, 60):
        members = [await storage.users.create(f"1556{size:03d}{i:04d}", f"M{i}", now=now) for i in range(size - 1)]
        created = await dispatch(F.messages.CreateChat(title="G", users=[
            T.InputUser(user_id=m.id, access_hash=m.access_hash) for m in members]), ctx)
        chat = tl.decode_result(F.messages.CreateChat(users=[], title=""), created, tl.LAYER).updates.chats[0]
        before = statements_run()
        await dispatch(F.messages.SendMessage(peer=T.InputPeerChat(chat_id=chat.id), message="hi", random_id=size),
                       ctx)
        counts.append(statements_run() - before)
    assert counts[0] == counts[1] <= GROUP_SEND_BUDGET, counts


CHANNEL_PUSH_FIRST_BUDGET = 6  # the first member's push in this process (8 before the user cache)
CHANNEL_PUSH_BUDGET = 2  # each other member's: their row and contacts; the rest is shared


async def test_a_channel_post_pushed_to_many_members_reads_the_post_once(state):
    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    members = [await storage.users.create(f"1556{i:07d}", f"M{i}", now=now) for i in range(5)]
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    created = await dispatch(F.channels.CreateChannel(title="Team", about="", megagroup=True), ctx)
    channel = tl.decode_result(F.channels.CreateChannel(title="", about=""), created, tl.LAYER).chats[0]
    for member in members:
        await storage.channel_participants.add(channel.id, member.id, inviter_id=ann.id, date=now)
    peer = T.InputPeerChannel(channel_id=channel.id, access_hash=channel.access_hash)
    await dispatch(F.messages.SendMessage(peer=peer, message="hello all", random_id=5), ctx)
    pts = (await storage.channels.get(channel.id)).pts
    counts = []
    for member in members:
        before = statements_run()
        pushed = await render(storage, member.id, ev.ChannelLogRow(channel_id=channel.id, pts=pts))
        counts.append(statements_run() - before)
        assert pushed.updates[0].message.message == "hello all" and not pushed.updates[0].message.out
    assert counts[0] <= CHANNEL_PUSH_FIRST_BUDGET and max(counts[1:]) <= CHANNEL_PUSH_BUDGET, counts


@pytest.mark.parametrize("state", ["sqlite", "postgres"], indirect=True)
async def test_pushes_in_pts_order_cost_no_statement_more(state):
    """Through the streams a connection uses (rpc/updates/stream.py, its pts order): the
    recipient's push of a row in order reads what rendering reads, and the sender's own
    stream places its row by the event's pts_count, reading nothing."""
    from rpc.updates.stream import open_user_stream

    class Session:
        def __init__(self, auth_key_id):
            self.auth_key_id = auth_key_id

    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    ben = await storage.users.create("15550000002", "Ben", now=now)
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    bens = await open_user_stream(state.bus, storage, ben.id, receiver=lambda: (Session(2), 1), authorised=None)
    anns = await open_user_stream(state.bus, storage, ann.id, receiver=lambda: (Session(1), 1), authorised=None)
    peer = T.InputPeerUser(user_id=ben.id, access_hash=ben.access_hash)
    try:
        for i in range(3):
            await dispatch(F.messages.SendMessage(peer=peer, message=f"hi {i}", random_id=100 + i), ctx)
            before = statements_run()
            own = await anns.pushes(anns.sub.take())
            assert own == [] and statements_run() == before  # the sender's own row: nothing read
            pushed = await bens.pushes(bens.sub.take())
            push = statements_run() - before
            assert [p.updates.updates[0].message.message for p in pushed] == [f"hi {i}"]
            assert push <= (PUSH_BUDGET if i == 0 else PUSH_WARM_BUDGET), push
            assert bens.due is None and anns.due is None
    finally:
        bens.close()
        anns.close()


GROUP_PUSH_BUDGET = 3  # the group as the member sees it (rpc/services/chats_named.py); no log row
GROUP_PUSH_ROUND_TRIPS = 1  # those three, together


@pytest.mark.parametrize("state", ["sqlite", "postgres"], indirect=True)
async def test_a_group_messages_pushes_read_nothing_back(state, monkeypatch, round_trips):
    """Each member's LogRow carries that member's copy (SentMessage.copies): a member's
    push reads no update-log row, in a group of any size; what it reads is the group."""
    from rpc.updates.stream import open_user_stream

    class Session:
        def __init__(self, auth_key_id):
            self.auth_key_id = auth_key_id

    storage, now = state.storage, int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    members = [await storage.users.create(f"1556{i:07d}", f"M{i}", now=now) for i in range(4)]
    ctx = RequestContext(auth_key_id=1, session_id=1, msg_id=1, layer=tl.LAYER, config=state.config,
                         user_id=ann.id, services=state)
    created = await dispatch(F.messages.CreateChat(title="G", users=[
        T.InputUser(user_id=m.id, access_hash=m.access_hash) for m in members]), ctx)
    chat = tl.decode_result(F.messages.CreateChat(users=[], title=""), created, tl.LAYER).updates.chats[0]
    streams = [await open_user_stream(state.bus, storage, m.id, receiver=lambda n=n: (Session(10 + n), 1),
                                      authorised=None) for n, m in enumerate(members)]
    try:
        for stream in streams:  # the group's creation, pushed to each
            while (payload := stream.sub.take()) is not None:
                await stream.pushes(payload)
        async def no_log_read(*args):
            raise AssertionError("a pushed group message read its log row back")

        monkeypatch.setattr(storage.messages, "logged_with_message", no_log_read)
        for i in range(2):
            await dispatch(F.messages.SendMessage(peer=T.InputPeerChat(chat_id=chat.id), message=f"hi {i}",
                                                  random_id=200 + i), ctx)
            counts, trips = [], []
            for stream in streams:
                before, trips_before = statements_run(), len(round_trips)
                pushed = await stream.pushes(stream.sub.take())
                counts.append(statements_run() - before)
                trips.append(len(round_trips) - trips_before)
                assert [p.updates.updates[0].message.message for p in pushed] == [f"hi {i}"]
            if i:
                assert max(counts) <= GROUP_PUSH_BUDGET, counts
                if storage.db.dialect == "postgres":
                    assert max(trips) <= GROUP_PUSH_ROUND_TRIPS, trips
    finally:
        for stream in streams:
            stream.close()
