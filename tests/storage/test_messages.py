"""Private-chat messages, dialogs and the update log (storage/messages.py), on both
backends (tests/storage/conftest.py)."""

from __future__ import annotations

import pytest
import trio

from storage.interface import MessageNotFound, NotAuthor
from storage.models import UpdateRecord
from storage.peer import Peer

NOW = 1_700_000_000
A, B, C = 1000001, 1000002, 1000003
# Each user as the other side of a dialog.
WITH_A, WITH_B, WITH_C = Peer.user(A), Peer.user(B), Peer.user(C)


async def send(storage, sender, recipient, text="hi", **kw):
    kw.setdefault("date", NOW)
    return await storage.messages.send_private(sender, recipient, message=text, **kw)


async def pts(storage, user_id):
    return (await storage.updates.get(user_id)).pts


def assert_log_is_gapless(log, start=1):
    for row in log:
        assert row.pts == start + row.pts_count
        start = row.pts


async def test_send_makes_two_copies_with_their_own_ids_and_advances_both_boxes(storage):
    await send(storage, C, B, "warm up B's box")  # B's ids now differ from A's
    sent = await send(storage, A, B, "hello", entities=[{"_": "messageEntityBold", "offset": 0, "length": 5}],
                      random_id=77, media={"_": "messageMediaEmpty"})
    mine, theirs = sent.sender_copy, sent.recipient_copy
    assert not sent.duplicate
    assert (mine.owner_id, mine.id, mine.peer_id, mine.from_id, mine.out, mine.random_id) == (A, 1, B, A, True, 77)
    assert (theirs.owner_id, theirs.id, theirs.peer_id, theirs.from_id, theirs.out, theirs.random_id) == (
        B, 2, A, A, False, None)
    assert mine.shared_id == theirs.shared_id
    assert mine.entities == theirs.entities == [{"_": "messageEntityBold", "offset": 0, "length": 5}]
    assert theirs.media == {"_": "messageMediaEmpty"}
    assert (sent.sender_pts, sent.recipient_pts) == (2, 3)
    assert (await pts(storage, A), await pts(storage, B)) == (2, 3)
    assert await storage.messages.get(A, [1]) == [mine]
    assert await storage.messages.get(B, [2, 99, 1]) == [theirs, (await storage.messages.get(B, [1]))[0]]
    assert await storage.messages.update_log(A, 1, 10) == [
        UpdateRecord(user_id=A, pts=2, pts_count=1, kind="new_message", data={"id": 1}, date=NOW)]
    assert [(u.pts, u.kind, u.data) for u in await storage.messages.update_log(B, 1, 10)] == [
        (2, "new_message", {"id": 1}), (3, "new_message", {"id": 2})]
    da, db = await storage.messages.dialog(A, WITH_B), await storage.messages.dialog(B, WITH_A)
    assert (da.top_message, da.unread_count, da.date) == (1, 0, NOW)
    assert (db.top_message, db.unread_count, db.date) == (2, 1, NOW)


async def test_a_retried_send_is_deduplicated_by_random_id(storage):
    first = await send(storage, A, B, "once", random_id=5)
    again = await send(storage, A, B, "once", random_id=5, date=NOW + 9)
    assert again.duplicate
    assert (again.sender_copy, again.recipient_copy) == (first.sender_copy, first.recipient_copy)
    assert (again.sender_pts, again.recipient_pts) == (first.sender_pts, first.recipient_pts)
    assert (await pts(storage, A), await pts(storage, B)) == (2, 2)
    assert (await storage.messages.history(B, WITH_A))[1] == 1
    # The same random_id from another sender is another message.
    other = await send(storage, B, A, "mine", random_id=5)
    assert not other.duplicate


async def test_saved_messages_are_one_outgoing_copy(storage):
    sent = await send(storage, A, A, "note")
    assert sent.recipient_copy is None and sent.recipient_pts is None and sent.sender_pts == 2
    m = sent.sender_copy
    assert (m.owner_id, m.peer_id, m.from_id, m.out, m.id) == (A, A, A, True, 1)
    d = await storage.messages.dialog(A, WITH_A)
    assert (d.top_message, d.unread_count) == (1, 0)
    assert len(await storage.messages.update_log(A, 0, 10)) == 1


async def test_replies_map_to_the_recipients_copy(storage):
    await send(storage, C, B, "shift B's ids")
    first = await send(storage, B, A, "question")
    answer = await send(storage, A, B, "answer", reply_to_msg_id=first.recipient_copy.id)
    assert answer.sender_copy.reply_to_msg_id == first.recipient_copy.id
    assert answer.recipient_copy.reply_to_msg_id == first.sender_copy.id
    await storage.messages.delete(B, [first.sender_copy.id], revoke=False)
    late = await send(storage, A, B, "again", reply_to_msg_id=first.recipient_copy.id)
    assert late.sender_copy.reply_to_msg_id == first.recipient_copy.id
    assert late.recipient_copy.reply_to_msg_id is None


async def test_history_paging(storage):
    for i in range(1, 21):
        await send(storage, A, B, f"m{i}", date=NOW + i)
    await send(storage, A, C, "elsewhere")

    async def ids(**kw):
        found, total = await storage.messages.history(A, WITH_B, **kw)
        assert total == 20
        return [m.id for m in found]

    assert await ids(limit=5) == [20, 19, 18, 17, 16]
    assert await ids(offset_id=10, limit=3) == [9, 8, 7]
    assert await ids(offset_id=10, add_offset=2, limit=3) == [7, 6, 5]
    assert await ids(offset_id=10, add_offset=-2, limit=4) == [11, 10, 9, 8]
    assert await ids(offset_id=10, add_offset=-5, limit=3) == [14, 13, 12]
    # The window [i - 5, i - 1] starts above the newest message: only what is left of it.
    assert await ids(offset_id=19, add_offset=-5, limit=4) == [20]
    assert await ids(offset_id=19, add_offset=-1, limit=4) == [19, 18, 17, 16]
    assert await ids(offset_date=NOW + 6, limit=2) == [5, 4]
    assert await ids(max_id=15, min_id=12) == [14, 13]
    assert await ids(offset_id=3) == [2, 1]
    assert await ids(add_offset=-3, limit=5) == [20, 19]
    assert len(await ids(limit=1000)) == 20
    assert await ids(limit=0) == []
    assert await storage.messages.history(B, WITH_C) == ([], 0)


async def test_history_limit_is_capped_at_100(storage):
    async with trio.open_nursery() as nursery:
        for _ in range(105):
            nursery.start_soon(send, storage, A, A)
    found, total = await storage.messages.history(A, WITH_A, limit=500)
    assert total == 105 and len(found) == 100 and found[0].id == 105


async def test_only_the_author_edits_and_both_copies_change(storage):
    sent = await send(storage, A, B, "typo")
    with pytest.raises(NotAuthor):
        await storage.messages.edit(B, sent.recipient_copy.id, message="x", entities=[], edit_date=NOW + 1)
    with pytest.raises(MessageNotFound):
        await storage.messages.edit(A, 99, message="x", entities=[], edit_date=NOW + 1)
    assert (await pts(storage, A), await pts(storage, B)) == (2, 2)
    result = await storage.messages.edit(A, sent.sender_copy.id, message="fixed",
                                         entities=[{"_": "messageEntityItalic", "offset": 0, "length": 5}],
                                         edit_date=NOW + 5)
    assert [(user, p) for user, p, _ in result] == [(A, 3), (B, 3)]
    for user, _, copy in result:
        assert (await storage.messages.get(user, [copy.id])) == [copy]
        assert (copy.message, copy.edit_date, copy.entities[0]["_"]) == ("fixed", NOW + 5, "messageEntityItalic")
    assert [(u.kind, u.data) for u in await storage.messages.update_log(B, 2, 10)] == [
        ("edit_message", {"id": sent.recipient_copy.id})]


async def test_delete_for_me_and_for_everyone(storage):
    await send(storage, C, B, "shift")
    sent = [await send(storage, A, B, f"m{i}") for i in range(4)]
    a_ids = [s.sender_copy.id for s in sent]  # 1..4
    b_ids = [s.recipient_copy.id for s in sent]  # 2..5
    pa, pb = await pts(storage, A), await pts(storage, B)
    assert await storage.messages.delete(A, [a_ids[3], 999], revoke=False) == {A: (pa + 1, 1, [a_ids[3]])}
    assert await storage.messages.get(B, [b_ids[3]]) != []
    assert (await storage.messages.dialog(A, WITH_B)).top_message == a_ids[2]
    assert await pts(storage, B) == pb
    # A no longer has its copy of the 4th message: revoking reaches only what A still has.
    result = await storage.messages.delete(A, [a_ids[0], a_ids[1], a_ids[3]], revoke=True)
    assert result == {A: (pa + 3, 2, a_ids[:2]), B: (pb + 2, 2, b_ids[:2])}
    assert [m.id for m in (await storage.messages.history(B, WITH_A))[0]] == [b_ids[3], b_ids[2]]
    d = await storage.messages.dialog(B, WITH_A)
    assert (d.top_message, d.unread_count) == (b_ids[3], 2)
    log = await storage.messages.update_log(B, 0, 100)
    assert (log[-1].kind, log[-1].pts_count, log[-1].data) == ("delete_messages", 2, {"ids": b_ids[:2]})
    assert_log_is_gapless(log)
    assert await storage.messages.delete(A, [123], revoke=True) == {}
    # Deleting everything hides the dialog but keeps its read state.
    await storage.messages.read_history(B, WITH_A, b_ids[2])
    assert await storage.messages.delete(B, b_ids[2:], revoke=False) == {B: (pb + 5, 2, b_ids[2:])}
    d = await storage.messages.dialog(B, WITH_A)
    assert (d.top_message, d.unread_count, d.read_inbox_max_id) == (0, 0, b_ids[2])
    assert await storage.messages.dialogs(B) == ([await storage.messages.dialog(B, WITH_C)], 1)
    assert [m.id for m in (await storage.messages.history(A, WITH_B))[0]] == [a_ids[2]]


async def test_read_history_inbox_and_outbox(storage):
    await send(storage, C, B, "shift")
    sent = [await send(storage, A, B, f"m{i}") for i in range(3)]
    b_ids = [s.recipient_copy.id for s in sent]  # 2, 3, 4
    assert (await storage.messages.dialog(B, WITH_A)).unread_count == 3
    pa, pb = await pts(storage, A), await pts(storage, B)
    got = await storage.messages.read_history(B, WITH_A, b_ids[1])
    assert got == (pb + 1, WITH_A, pa + 1, sent[1].sender_copy.id)
    d = await storage.messages.dialog(B, WITH_A)
    assert (d.read_inbox_max_id, d.unread_count) == (b_ids[1], 1)
    assert (await storage.messages.dialog(A, WITH_B)).read_outbox_max_id == sent[1].sender_copy.id
    assert (await storage.messages.update_log(B, pb, 10))[0].data == {"peer_id": A, "max_id": b_ids[1],
                                                                       "still_unread_count": 1}
    assert (await storage.messages.update_log(A, pa, 10))[0].data == {"peer_id": B, "max_id": 2}
    # Not higher: nothing changes.
    assert await storage.messages.read_history(B, WITH_A, b_ids[0]) == (None, WITH_A, None, sent[1].sender_copy.id)
    assert (await pts(storage, A), await pts(storage, B)) == (pa + 1, pb + 1)
    # 0 reads everything; a reply from B is outgoing and never unread for B.
    await send(storage, B, A, "reply")
    got = await storage.messages.read_history(B, WITH_A, 0)
    assert got[0] == pb + 3 and got[3] == sent[2].sender_copy.id
    assert (await storage.messages.dialog(B, WITH_A)).unread_count == 0
    assert (await storage.messages.dialog(A, WITH_B)).unread_count == 1
    assert await storage.messages.read_history(B, WITH_C, 0) == (pb + 4, WITH_C, await pts(storage, C), 1)
    assert await storage.messages.read_history(A, WITH_C, 5) == (None, WITH_C, None, 0)  # no dialog


async def test_dialogs_newest_first_with_offsets(storage):
    await send(storage, A, B, "1", date=NOW + 1)
    await send(storage, C, A, "2", date=NOW + 2)
    await send(storage, A, 1000004, "3", date=NOW + 2)
    await send(storage, A, A, "4", date=NOW + 1)
    dialogs, total = await storage.messages.dialogs(A)
    assert total == 4
    assert [(d.peer_id, d.top_message, d.date) for d in dialogs] == [
        (1000004, 3, NOW + 2), (C, 2, NOW + 2), (A, 4, NOW + 1), (B, 1, NOW + 1)]
    assert dialogs[1].unread_count == 1 and dialogs[0].unread_count == 0
    page, total = await storage.messages.dialogs(A, offset_date=NOW + 2, offset_id=2, limit=2)
    assert total == 4 and [d.peer_id for d in page] == [A, B]
    page, _ = await storage.messages.dialogs(A, limit=1)
    assert [d.peer_id for d in page] == [1000004]
    assert await storage.messages.dialogs(B + 100) == ([], 0)


async def test_update_log_slices_and_pruning(storage):
    for i in range(5):
        await send(storage, A, A, f"n{i}", date=NOW + i)
    assert await storage.messages.oldest_logged_pts(A) == 1
    log = await storage.messages.update_log(A, 0, 100)
    assert [u.pts for u in log] == [2, 3, 4, 5, 6]
    assert [u.pts for u in await storage.messages.update_log(A, 3, 2)] == [4, 5]
    assert await storage.messages.update_log(A, 6, 10) == []
    assert await storage.messages.prune_update_log(A, 4) == 3
    assert await storage.messages.oldest_logged_pts(A) == 4
    assert [u.pts for u in await storage.messages.update_log(A, 0, 100)] == [5, 6]
    assert await storage.messages.oldest_logged_pts(B) is None


async def test_concurrent_sends_give_gapless_pts_in_every_box(storage):
    await storage.users.create("15550001", "Ann")
    await storage.users.create("15550002", "Bob")
    results = []

    async def one(i):
        sender, recipient = (A, B) if i % 2 else (B, A)
        results.append(await send(storage, sender, recipient, f"c{i}", random_id=i))

    async with trio.open_nursery() as nursery:
        for i in range(20):
            nursery.start_soon(one, i)
    assert len(results) == 20
    for user in (A, B):
        log = await storage.messages.update_log(user, 0, 100)
        assert [u.pts for u in log] == list(range(2, 22))
        assert_log_is_gapless(log)
        assert await pts(storage, user) == 21
        found, total = await storage.messages.history(user, WITH_B if user == A else WITH_A)
        assert total == 20 and sorted(m.id for m in found) == list(range(1, 21))
    pairs = {(r.sender_copy.owner_id, r.sender_pts) for r in results} | {
        (r.recipient_copy.owner_id, r.recipient_pts) for r in results}
    assert len(pairs) == 40
    # Shared ids grow with message ids in both boxes.
    for user in (A, B):
        found, _ = await storage.messages.history(user, WITH_B if user == A else WITH_A)
        assert [m.shared_id for m in found] == sorted((m.shared_id for m in found), reverse=True)


async def test_racing_retries_of_one_send_make_one_message(storage):
    """The retry check runs after the box locks (on PostgreSQL in the copies' statement,
    whose snapshot is taken once the locks are held), so sends of one random_id racing
    each other see the first one's message: one is new, the others its duplicates."""
    await storage.users.create("15550001", "Ann")
    await storage.users.create("15550002", "Bob")
    results = []

    async def one():
        results.append(await send(storage, A, B, "once", random_id=77))

    async with trio.open_nursery() as nursery:
        for _ in range(6):
            nursery.start_soon(one)
    assert sum(not r.duplicate for r in results) == 1
    first = results[0]
    assert all((r.sender_copy, r.recipient_copy, r.sender_pts, r.recipient_pts)
               == (first.sender_copy, first.recipient_copy, first.sender_pts, first.recipient_pts) for r in results)
    assert (await pts(storage, A), await pts(storage, B)) == (2, 2)
    assert (await storage.messages.history(B, WITH_A))[1] == 1


async def test_concurrent_mixed_writes_neither_deadlock_nor_leave_gaps(storage):
    seed = [await send(storage, A, B, "seed"), await send(storage, B, C, "seed"), await send(storage, C, A, "seed")]

    async def traffic(sender, recipient, i):
        sent = await send(storage, sender, recipient, f"t{i}")
        await storage.messages.read_history(recipient, Peer.user(sender), 0)
        await storage.messages.edit(sender, sent.sender_copy.id, message="e", entities=[], edit_date=NOW + 1)
        if i % 3 == 0:
            await storage.messages.delete(sender, [sent.sender_copy.id], revoke=True)

    async with trio.open_nursery() as nursery:
        for i in range(12):
            for sender, recipient in ((A, B), (B, A), (B, C), (C, A), (A, C)):
                nursery.start_soon(traffic, sender, recipient, i)
    for user in (A, B, C):
        log = await storage.messages.update_log(user, 0, 1000)
        assert_log_is_gapless(log)
        assert log[-1].pts == await pts(storage, user)
    assert seed[0].sender_pts == 2


async def test_pruning_by_date_forgets_older_updates_of_every_user(storage):
    await storage.users.create("15550001", "Ann")
    await storage.users.create("15550002", "Bob")
    await storage.messages.send_private(A, B, date=100, message="old")
    await storage.messages.send_private(B, A, date=200, message="new")
    assert await storage.messages.prune_update_logs_before(150) == 2
    assert [(u.user_id, u.date) for u in await storage.messages.update_log(A, 0, 10)] == [(A, 200)]
    assert [(u.user_id, u.date) for u in await storage.messages.update_log(B, 0, 10)] == [(B, 200)]
    assert await storage.messages.oldest_logged_pts(A) == (await storage.updates.get(A)).pts - 1
