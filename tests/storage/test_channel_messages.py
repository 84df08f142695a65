"""A channel's one message stream (storage/channel_messages.py), its update log, views,
and its members' dialogs and read state, on both backends (tests/storage/conftest.py)."""

from __future__ import annotations

import itertools

import pytest
import trio

from storage.channel_messages import KEEP
from storage.interface import ChannelNotFound, MessageNotFound, NotMember, NotParticipant
from storage.peer import Peer

NOW = 1_700_000_000
_phones = itertools.count(1556_000_000)


async def users(storage, count):
    return [(await storage.users.create(str(next(_phones)), f"U{i}")).id for i in range(count)]


async def channel_of(storage, creator, members=(), **options):
    channel = (await storage.channels.create(creator, "Stream", date=NOW, **options)).channel
    for user in members:
        await storage.channel_participants.add(channel.id, user, inviter_id=creator, date=NOW)
    return channel


async def post(storage, channel_id, sender, text, **options):
    options.setdefault("date", NOW)
    return await storage.channel_messages.send(channel_id, sender, message=text, **options)


async def table_rows(storage):
    """{table: rows} of every table."""
    if storage.backend == "sqlite":
        names = [r[0] for r in await storage.db.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    else:
        names = [r[0] for r in await storage.db.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return {name: await storage.db.fetchval(f"SELECT count(*) FROM {name}") for name in sorted(names)}


# -- sending -------------------------------------------------------------------------------------


async def test_a_post_is_one_copy_with_the_channels_own_id_and_pts(storage):
    a, b = await users(storage, 2)
    await storage.messages.send_private(b, a, date=NOW, message="moves A's own box")
    channel = await channel_of(storage, a, [b])
    sent = await post(storage, channel.id, b, "hello", entities=[{"_": "messageEntityBold", "offset": 0, "length": 5}],
                      random_id=77, silent=True)
    m = sent.message
    assert (m.channel_id, m.id, m.sender_id, m.from_id, m.message, m.random_id, m.silent) == (
        channel.id, 2, b, b, "hello", 77, True)
    assert sent.pts == 3 and not sent.duplicate
    reply = await post(storage, channel.id, a, "re", reply_to_msg_id=2, reply_to_top_id=2, from_id=Peer.channel(
        channel.id).key, post_author="Ann", grouped_id=9, media={"_": "messageMediaPhoto"}, date=NOW + 5)
    assert (reply.message.id, reply.pts, reply.message.reply_to_msg_id, reply.message.from_id,
            reply.message.post_author, reply.message.grouped_id) == (3, 4, 2, Peer.channel(channel.id).key, "Ann", 9)
    assert await storage.channel_messages.get(channel.id, [3, 99, 2, 3]) == [reply.message, m]
    after = await storage.channels.get(channel.id)
    assert (after.pts, after.last_message_id, after.top_message, after.top_date) == (4, 3, 3, NOW + 5)
    # Nobody's message box moved.
    assert (await storage.updates.get(a)).pts == 2 and (await storage.updates.get(b)).pts == 2
    assert await storage.channel_messages.last_sent_date(channel.id, a) == NOW + 5
    assert await storage.channel_messages.by_random_id(channel.id, b, 77) == m
    with pytest.raises(NotMember):
        c, = await users(storage, 1)
        await post(storage, channel.id, c, "outsider")
    with pytest.raises(ChannelNotFound):
        await post(storage, 424242, a, "nowhere")


async def test_concurrent_posts_get_distinct_consecutive_ids_and_pts(storage):
    a, *others = await users(storage, 5)
    channel = await channel_of(storage, a, others)
    senders = [a, *others]
    sent = []

    async def send(i):
        sent.append(await post(storage, channel.id, senders[i % len(senders)], f"m{i}"))

    async with trio.open_nursery() as nursery:
        for i in range(50):
            nursery.start_soon(send, i)
    assert sorted(s.message.id for s in sent) == list(range(2, 52))
    assert sorted(s.pts for s in sent) == list(range(3, 53))
    # Each message was logged with the pts it was given, in id order.
    assert {s.message.id: s.pts for s in sent} == {i: i + 1 for i in range(2, 52)}
    difference = await storage.channel_log.difference(channel.id, 2)
    assert [(u.pts, u.data["id"]) for u in difference.updates] == [(i + 1, i) for i in range(2, 52)]
    after = await storage.channels.get(channel.id)
    assert (after.pts, after.last_message_id, after.top_message) == (52, 51, 51)


async def test_a_retried_send_returns_the_first_one(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b])
    first = await post(storage, channel.id, b, "once", random_id=5)
    await post(storage, channel.id, a, "between")
    again = await post(storage, channel.id, b, "once, retried", random_id=5)
    assert again.duplicate and again.message == first.message and again.pts == first.pts
    # The same random_id from another sender is another message.
    other = await post(storage, channel.id, a, "mine", random_id=5)
    assert not other.duplicate and other.message.id == 4
    # Retries racing each other still make one message.
    racing = []

    async def retry():
        racing.append(await post(storage, channel.id, b, "race", random_id=6))

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(retry)
    assert len({r.message.id for r in racing}) == 1 and sum(not r.duplicate for r in racing) == 1
    assert (await storage.channels.get(channel.id)).last_message_id == 5


@pytest.mark.parametrize("members", [1, 200])
async def test_a_post_writes_the_same_rows_whatever_the_member_count(storage, members):
    people = await users(storage, members + 1)
    channel = await channel_of(storage, people[0], people[1:])
    await post(storage, channel.id, people[1], "warm up")
    before = await table_rows(storage)
    await post(storage, channel.id, people[1], "to everyone", random_id=1)
    after = await table_rows(storage)
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {
        "channel_messages": 1, "channel_update_log": 1}


# -- edit, delete, pin ---------------------------------------------------------------------------


async def test_edits_deletes_and_pins_are_logged_in_the_channel(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b])
    for i in range(5):
        await post(storage, channel.id, b if i % 2 else a, f"m{i}",
                   media={"_": "messageMediaPhoto"} if i == 0 else None)
    # ids 2..6, pts 7 after the opening (pts 2) and five posts
    edited = await storage.channel_messages.edit(channel.id, 2, edit_date=NOW + 1, message="m0!", entities=[])
    assert (edited.pts, edited.pts_count, edited.ids) == (8, 1, [2])
    assert (edited.messages[0].message, edited.messages[0].edit_date, edited.messages[0].media) == (
        "m0!", NOW + 1, {"_": "messageMediaPhoto"})
    stripped = await storage.channel_messages.edit(channel.id, 2, edit_date=NOW + 2, message="m0", media=None)
    assert stripped.messages[0].media is None and KEEP is not None
    with pytest.raises(MessageNotFound):
        await storage.channel_messages.edit(channel.id, 1, edit_date=NOW, message="the opening is a service message")
    with pytest.raises(MessageNotFound):
        await storage.channel_messages.edit(channel.id, 99, edit_date=NOW, message="none")

    pinned = await storage.channel_messages.pin(channel.id, [3, 4], now=NOW)
    assert (pinned.pts, pinned.pts_count, pinned.ids) == (11, 2, [3, 4])
    assert await storage.channel_messages.pin(channel.id, [3], now=NOW) is None  # already pinned
    assert await storage.channel_messages.pinned_ids(channel.id) == [4, 3]
    with pytest.raises(MessageNotFound):
        await storage.channel_messages.pin(channel.id, [3, 99], now=NOW)

    deleted = await storage.channel_messages.delete(channel.id, [6, 4, 99, 6], now=NOW + 3)
    assert (deleted.pts, deleted.pts_count, deleted.ids) == (13, 2, [4, 6])
    assert await storage.channel_messages.delete(channel.id, [4, 99], now=NOW) is None
    after = await storage.channels.get(channel.id)
    assert (after.top_message, after.last_message_id, after.pts) == (5, 6, 13)  # ids are never reused
    unpinned = await storage.channel_messages.unpin_all(channel.id, now=NOW)
    assert (unpinned.ids, unpinned.pts) == ([3], 14)
    assert await storage.channel_messages.unpin_all(channel.id, now=NOW) is None
    log = (await storage.channel_log.difference(channel.id, 7)).updates
    assert [(u.kind, u.pts, u.pts_count, u.data) for u in log] == [
        ("edit_message", 8, 1, {"id": 2}), ("edit_message", 9, 1, {"id": 2}),
        ("pinned_messages", 11, 2, {"ids": [3, 4], "pinned": True}),
        ("delete_messages", 13, 2, {"ids": [4, 6]}),
        ("pinned_messages", 14, 1, {"ids": [3], "pinned": False})]
    assert (await post(storage, channel.id, a, "next")).message.id == 7


async def test_deleting_everything_a_member_said(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b])
    for i in range(5):
        await post(storage, channel.id, b, f"b{i}")
    await post(storage, channel.id, a, "a")
    change, left = await storage.channel_messages.delete_from(channel.id, b, now=NOW, batch=3)
    assert (change.ids, change.pts_count, left) == ([4, 5, 6], 3, 2)
    change, left = await storage.channel_messages.delete_from(channel.id, b, now=NOW, batch=3)
    assert (change.ids, left) == ([2, 3], 0)
    assert await storage.channel_messages.delete_from(channel.id, b, now=NOW) == (None, 0)
    assert [m.id for m in (await storage.channel_messages.history(channel.id))[0]] == [7, 1]


async def test_deleting_the_only_messages_leaves_the_channel_dated_by_its_creation(storage):
    a, = await users(storage, 1)
    channel = await channel_of(storage, a)
    await post(storage, channel.id, a, "x", date=NOW + 50)
    await storage.channel_messages.delete(channel.id, [1, 2], now=NOW + 60)
    after = await storage.channels.get(channel.id)
    assert (after.top_message, after.top_date) == (0, NOW)


# -- reading -------------------------------------------------------------------------------------


async def test_history_pages_like_messages_get_history(storage):
    a, = await users(storage, 1)
    channel = await channel_of(storage, a)
    for i in range(2, 11):
        await post(storage, channel.id, a, f"m{i}", date=NOW + i)

    async def ids(**options):
        found, count = await storage.channel_messages.history(channel.id, **options)
        assert count == 10
        return [m.id for m in found]

    assert await ids(limit=3) == [10, 9, 8]
    assert await ids(offset_id=8, limit=3) == [7, 6, 5]
    assert await ids(offset_id=8, add_offset=1, limit=3) == [6, 5, 4]
    assert await ids(offset_id=8, add_offset=-2, limit=4) == [9, 8, 7, 6]
    assert await ids(offset_date=NOW + 5, limit=2) == [4, 3]
    assert await ids(max_id=5, min_id=2, limit=10) == [4, 3]
    assert await ids(offset_id=3, limit=10) == [2, 1]
    assert await ids(limit=0) == []


async def test_search_within_a_channel(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b])
    await post(storage, channel.id, a, "Hello World")
    await post(storage, channel.id, b, "hello there", media={"_": "photo", "photo": {}})
    await post(storage, channel.id, b, "something else")
    await storage.channel_messages.pin(channel.id, [4], now=NOW)

    async def ids(**options):
        found, count = await storage.channel_messages.search(channel.id, **options)
        return [m.id for m in found], count

    assert await ids(query="HELLO") == ([3, 2], 2)
    assert await ids(query="hello", sender_id=b) == ([3], 1)
    assert await ids(filter="inputMessagesFilterPhotos") == ([3], 1)
    assert await ids(filter="inputMessagesFilterPinned") == ([4], 1)
    assert await ids() == ([4, 3, 2], 3)  # not the opening service message
    assert await ids(offset_id=4, limit=1) == ([3], 3)
    assert await ids(query="100%") == ([], 0)
    assert await ids(filter="inputMessagesFilterNoSuchThing") == ([], 0)


async def test_search_across_channels_newest_first_within_each_readers_floor(storage):
    a, b = await users(storage, 2)
    first, second, other = [await channel_of(storage, a, [b]) for _ in range(3)]
    await post(storage, first.id, a, "match one", date=NOW + 1)
    await post(storage, second.id, a, "match two", date=NOW + 3)
    await post(storage, first.id, b, "match three", date=NOW + 2)
    await post(storage, second.id, a, "no", date=NOW + 4)
    await post(storage, other.id, a, "match elsewhere", date=NOW + 5)

    async def found(floors, **options):
        records, count = await storage.channel_messages.search_across(floors, query="MATCH", **options)
        return [(r.channel_id, r.message) for r in records], count

    both = {first.id: 0, second.id: 0}
    assert await found(both) == ([(second.id, "match two"), (first.id, "match three"), (first.id, "match one")], 3)
    assert await found(both, limit=1) == ([(second.id, "match two")], 3)
    assert await found(both, max_date=NOW + 2) == ([(first.id, "match three"), (first.id, "match one")], 2)
    assert await found({first.id: 2, second.id: 0}) == ([(second.id, "match two"), (first.id, "match three")], 2)
    assert await found({}) == ([], 0)


async def test_read_history_and_unread_counts(storage):
    a, b, c = await users(storage, 3)
    channel = await channel_of(storage, a, [b, c])
    for sender in (a, b, a, c):  # ids 2..5
        await post(storage, channel.id, sender, "x")
    dialog = await storage.channel_dialogs.dialog(b, channel.id)
    assert (dialog.read_inbox_max_id, dialog.unread_count, dialog.top_message) == (1, 3, 5)  # not their own
    read = await storage.channel_dialogs.read_history(channel.id, b, 4)
    assert (read.read_inbox_max_id, read.still_unread_count, read.inbox_moved) == (4, 1, True)
    # B read A's 2 and 4: the outbox mark moves to 4, and A is told.
    assert (read.read_outbox_max_id, read.outbox_authors) == (4, [a])
    again = await storage.channel_dialogs.read_history(channel.id, b, 2)  # never backwards
    assert (again.read_inbox_max_id, again.still_unread_count, again.inbox_moved) == (4, 1, False)
    everything = await storage.channel_dialogs.read_history(channel.id, b, 0)  # 0: all
    assert (everything.read_inbox_max_id, everything.still_unread_count) == (5, 0)
    assert (everything.read_outbox_max_id, everything.outbox_authors) == (5, [c])
    # The sender's own messages do not move the outbox mark.
    await post(storage, channel.id, c, "mine")
    own = await storage.channel_dialogs.read_history(channel.id, c, 0)
    assert (own.read_outbox_max_id, own.outbox_authors, own.still_unread_count) == (5, [], 0)
    assert (await storage.channel_dialogs.dialog(a, channel.id)).unread_count == 3  # 3 (B), 5 and 6 (C)
    assert (await storage.channel_dialogs.dialog(a, channel.id)).read_outbox_max_id == 5
    # Deleted messages are not unread.
    await storage.channel_messages.delete(channel.id, [5, 6], now=NOW)
    assert (await storage.channel_dialogs.dialog(a, channel.id)).unread_count == 1
    outsider, = await users(storage, 1)
    with pytest.raises(NotParticipant):
        await storage.channel_dialogs.read_history(channel.id, outsider, 0)
    assert await storage.channel_dialogs.dialog(outsider, channel.id) is None


async def test_channel_dialogs_newest_first_with_pins_and_marks(storage):
    a, b = await users(storage, 2)
    first = await channel_of(storage, a, [b])
    second = await channel_of(storage, a, [b])
    third = await channel_of(storage, a)  # B is not in it
    await post(storage, first.id, a, "x", date=NOW + 30)
    await post(storage, second.id, a, "y", date=NOW + 20)
    await post(storage, third.id, a, "z", date=NOW + 40)

    async def ids(user, **options):
        found, total = await storage.channel_dialogs.dialogs(user, **options)
        return [d.channel_id for d in found], total

    assert await ids(b) == ([first.id, second.id], 2)
    assert await ids(a) == ([third.id, first.id, second.id], 3)
    assert await ids(a, offset_date=NOW + 30, offset_channel_id=first.id) == ([second.id], 3)
    assert await ids(a, limit=1) == ([third.id], 3)
    # The pin and the unread mark live in the member's dialogs row, by the channel's peer id.
    peer = Peer.channel(second.id)
    assert await storage.pinned_dialogs.pin(b, peer, True) is True
    assert await storage.unread_marks.mark(b, peer, True) is True
    assert await ids(b, exclude_pinned=True) == ([first.id], 2)
    found, _ = await storage.channel_dialogs.dialogs(b)
    assert [(d.pinned_order, d.unread_mark) for d in found] == [(None, False), (1, True)]
    assert (found[0].pts, found[0].date, found[0].top_message) == (3, NOW + 30, 2)
    # Channel rows do not show among the box dialogs.
    assert (await storage.messages.dialogs(b)) == ([], 0)
    await storage.channel_participants.leave(second.id, b, date=NOW)
    assert await ids(b) == ([first.id], 1)
    assert await storage.pinned_dialogs.list(b) == []


# -- the log -------------------------------------------------------------------------------------


async def test_difference_slices_and_too_long(storage):
    a, = await users(storage, 1)
    channel = await channel_of(storage, a)
    for i in range(10):
        await post(storage, channel.id, a, f"m{i}", date=NOW + i)  # pts 3..12
    await storage.channel_messages.delete(channel.id, [3, 4, 5], now=NOW + 100)  # pts 15
    log = storage.channel_log
    first = await log.difference(channel.id, 2, limit=4)
    assert first.pts == 15 and not first.too_long
    assert [u.pts for u in first.updates] == [3, 4, 5, 6]
    rest = await log.difference(channel.id, first.updates[-1].pts, limit=100)
    assert [u.pts for u in rest.updates] == [7, 8, 9, 10, 11, 12, 15]
    assert rest.updates[-1].pts_count == 3
    assert (await log.difference(channel.id, 15)).updates == []
    assert (await log.difference(channel.id, 20)).updates == []
    assert await log.difference(424242, 1) is None
    # Pruned: a client from before the oldest row left cannot catch up row by row.
    assert await log.prune_before(NOW + 5) == 6  # the opening and m0..m4
    assert (await log.difference(channel.id, 2)).too_long
    assert (await log.difference(channel.id, 6)).too_long
    assert [u.pts for u in (await log.difference(channel.id, 7)).updates][:2] == [8, 9]
    assert await log.rows() == 6


# -- views ---------------------------------------------------------------------------------------


async def test_views_count_each_user_once(storage):
    a, *viewers = await users(storage, 6)
    channel = await channel_of(storage, a, viewers, broadcast=True)
    await post(storage, channel.id, a, "post")  # 2
    await post(storage, channel.id, a, "post")  # 3
    views = storage.channel_views
    assert await views.view(channel.id, viewers[0], [2, 3, 99]) == {2: 1, 3: 1}
    assert await views.view(channel.id, viewers[0], [2, 3]) == {2: 1, 3: 1}  # again: nothing
    assert await views.view(channel.id, viewers[1], [3], increment=False) == {3: 1}

    async def look(user):
        await views.view(channel.id, user, [2, 3])
        await views.view(channel.id, user, [3])

    async with trio.open_nursery() as nursery:
        for user in viewers:
            nursery.start_soon(look, user)
    assert await views.view(channel.id, a, [2, 3], increment=False) == {2: 5, 3: 5}
    assert (await storage.channel_messages.get(channel.id, [2]))[0].views == 5
    assert await views.view(channel.id, a, []) == {}
    # Views are not message changes: nothing logged.
    assert (await storage.channels.get(channel.id)).pts == 4


# -- forwarding out of a channel (storage/forwards.py) ---------------------------------------------


async def test_a_broadcast_post_forwarded_into_a_private_chat_names_the_channel_and_the_post(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, broadcast=True)
    shown_as_channel = Peer.channel(channel.id).key
    first = await post(storage, channel.id, a, "news", from_id=shown_as_channel, post_author="Ann",
                       grouped_id=5, media={"_": "photo", "photo": {"id": 1}})
    second = await post(storage, channel.id, a, "more", from_id=shown_as_channel)
    sent = await storage.forwards.forward(b, Peer.channel(channel.id), [second.message.id, 1, first.message.id],
                                          Peer.user(a), random_ids=[1, 2, 3], date=NOW + 1)
    # The service message (id 1) is skipped; the rest in the order asked.
    assert [original for original, _ in sent] == [second.message.id, first.message.id]
    copy = sent[1][1].sender_copy
    assert copy.fwd_from == {"from_id": shown_as_channel, "date": NOW, "channel_post": first.message.id,
                             "post_author": "Ann"}
    assert copy.forwarded_from == Peer.channel(channel.id)
    assert (copy.message, copy.media) == ("news", {"_": "photo", "photo": {"id": 1}, "grouped_id": 5})
    saved = await storage.forwards.forward(b, Peer.channel(channel.id), [second.message.id], Peer.user(b),
                                           random_ids=[4], date=NOW + 2)
    assert saved[0][1].sender_copy.fwd_from == {"from_id": shown_as_channel, "date": NOW,
                                                "channel_post": second.message.id,
                                                "saved_from_peer": shown_as_channel,
                                                "saved_from_msg_id": second.message.id}
    with pytest.raises(ValueError):
        await storage.forwards.forward(b, Peer.user(a), [copy.id], Peer.channel(channel.id), random_ids=[5], date=NOW)


async def test_a_megagroup_message_forwarded_names_its_sender(storage):
    a, b = await users(storage, 2)
    channel = await channel_of(storage, a, [b], megagroup=True)
    said = await post(storage, channel.id, b, "hi all")
    [(_, copy)] = await storage.forwards.forward(a, Peer.channel(channel.id), [said.message.id], Peer.user(b),
                                                 random_ids=[9], date=NOW + 1)
    assert copy.sender_copy.fwd_from == {"from_id": b, "date": NOW}
