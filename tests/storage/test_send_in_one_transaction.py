"""What a sendMessage folds into its storage transaction (storage/recipient_check.py,
storage/message_boxes.py, storage/sqlite_copies.py): the recipient check, refused with
nothing written, and the sender's draft, cleared with the new message only. Both
backends (tests/storage/conftest.py)."""

from __future__ import annotations

import pytest

from storage.interface import RecipientBlocked, RecipientDeleted, RecipientInvalid
from storage.models import DraftRecord
from storage.peer import Peer

NOW = 1_700_000_000


async def users(storage, count):
    return [await storage.users.create(f"1555444{i:04d}", f"U{i}", now=NOW) for i in range(count)]


async def send(storage, sender, recipient, access_hash, **kw):
    return await storage.messages.send_private(sender.id, recipient.id, date=NOW, message="hi",
                                               recipient_access_hash=access_hash, **kw)


async def box_state(storage, *people):
    return [((await storage.updates.get(p.id)).pts, len(await storage.messages.update_log(p.id, 0, 10)))
            for p in people]


async def test_a_recipient_named_right_gets_the_message(storage):
    ann, ben = await users(storage, 2)
    sent = await send(storage, ann, ben, ben.access_hash)
    assert sent.recipient_copy.owner_id == ben.id and not sent.duplicate and not sent.draft_cleared


async def test_a_refused_recipient_leaves_every_box_as_it_was(storage):
    ann, ben, cat = await users(storage, 3)
    await send(storage, ann, ben, ben.access_hash)  # both boxes exist and have a message
    before = await box_state(storage, ann, ben)
    with pytest.raises(RecipientInvalid):
        await send(storage, ann, ben, ben.access_hash ^ 1)
    with pytest.raises(RecipientInvalid):
        await storage.messages.send_private(ann.id, 987654321, date=NOW, message="hi", recipient_access_hash=0)
    await storage.users.mark_deleted(cat.id)
    with pytest.raises(RecipientDeleted):
        await send(storage, ann, cat, cat.access_hash)
    await storage.blocked.block(ann.id, ben.id, NOW)
    with pytest.raises(RecipientBlocked):
        await send(storage, ann, ben, ben.access_hash)
    assert await box_state(storage, ann, ben) == before
    # Only the sender's own block refuses (as before): the one blocked still writes.
    assert not (await send(storage, ben, ann, ann.access_hash)).duplicate


async def test_a_deleted_account_is_refused_before_a_block_and_a_bad_hash_before_both(storage):
    ann, ben = await users(storage, 2)
    await storage.blocked.block(ann.id, ben.id, NOW)
    await storage.users.mark_deleted(ben.id)
    with pytest.raises(RecipientInvalid):
        await send(storage, ann, ben, ben.access_hash ^ 1)
    with pytest.raises(RecipientDeleted):
        await send(storage, ann, ben, ben.access_hash)


async def test_saved_messages_by_own_id_need_no_hash(storage):
    ann, = await users(storage, 1)
    sent = await send(storage, ann, ann, 0)
    assert sent.recipient_copy is None and sent.sender_copy.peer_id == ann.id


async def test_the_check_comes_before_a_retrys_answer(storage):
    ann, ben = await users(storage, 2)
    first = await send(storage, ann, ben, ben.access_hash, random_id=7)
    again = await send(storage, ann, ben, ben.access_hash, random_id=7)
    assert again.duplicate and again.sender_copy == first.sender_copy and again.sender_pts == first.sender_pts
    await storage.blocked.block(ann.id, ben.id, NOW)
    with pytest.raises(RecipientBlocked):
        await send(storage, ann, ben, ben.access_hash, random_id=7)


async def draft(storage, owner, peer):
    await storage.drafts.save(DraftRecord(owner_id=owner.id, peer=peer, message="typing", date=NOW))


async def test_a_send_clears_the_senders_draft_there_and_no_other(storage):
    ann, ben, cat = await users(storage, 3)
    await draft(storage, ann, Peer.user(ben.id))
    await draft(storage, ann, Peer.user(cat.id))
    await draft(storage, ben, Peer.user(ann.id))  # the recipient's draft to the sender stays
    sent = await send(storage, ann, ben, ben.access_hash, clear_draft=True, random_id=1)
    assert sent.draft_cleared
    assert await storage.drafts.get(ann.id, Peer.user(ben.id)) is None
    assert await storage.drafts.get(ann.id, Peer.user(cat.id)) is not None
    assert await storage.drafts.get(ben.id, Peer.user(ann.id)) is not None
    assert not (await send(storage, ann, ben, ben.access_hash, clear_draft=True)).draft_cleared  # none left
    await draft(storage, ann, Peer.user(ben.id))
    retried = await send(storage, ann, ben, ben.access_hash, clear_draft=True, random_id=1)
    assert retried.duplicate and not retried.draft_cleared  # a retry sends nothing, so replaces nothing
    assert await storage.drafts.get(ann.id, Peer.user(ben.id)) is not None
    assert not (await send(storage, ann, ben, ben.access_hash)).draft_cleared  # not asked
    assert await storage.drafts.get(ann.id, Peer.user(ben.id)) is not None


async def test_a_refused_send_keeps_the_draft(storage):
    ann, ben = await users(storage, 2)
    await draft(storage, ann, Peer.user(ben.id))
    await storage.blocked.block(ann.id, ben.id, NOW)
    with pytest.raises(RecipientBlocked):
        await send(storage, ann, ben, ben.access_hash, clear_draft=True)
    assert await storage.drafts.get(ann.id, Peer.user(ben.id)) is not None


async def test_a_group_send_clears_the_senders_draft_in_the_group(storage):
    ann, ben, cat = await users(storage, 3)
    chat = (await storage.chats.create(ann.id, "G", [ben.id, cat.id], date=NOW)).chat
    await draft(storage, ann, Peer.chat(chat.id))
    await draft(storage, ben, Peer.chat(chat.id))
    sent = await storage.chats.send_message(chat.id, ann.id, date=NOW, message="hi all", clear_draft=True, random_id=3)
    assert sent.draft_cleared and len(sent.deliveries) == 2
    assert await storage.drafts.get(ann.id, Peer.chat(chat.id)) is None
    assert await storage.drafts.get(ben.id, Peer.chat(chat.id)) is not None
    again = await storage.chats.send_message(chat.id, ann.id, date=NOW, message="hi all", clear_draft=True,
                                             random_id=3)
    assert again.duplicate and again.sender_copy == sent.sender_copy


async def test_a_large_groups_copies_each_get_their_own_ids_and_pts(storage):
    people = await users(storage, 30)
    ann, others = people[0], people[1:]
    chat = (await storage.chats.create(ann.id, "Big", [p.id for p in others], date=NOW)).chat
    before = {p.id: (await storage.updates.get(p.id)).pts for p in people}
    sent = await storage.chats.send_message(chat.id, ann.id, date=NOW, message="to all")
    assert dict(sent.deliveries) == {p.id: before[p.id] + 1 for p in others}
    assert sent.sender_pts == before[ann.id] + 1
    for p in others:
        (copy,), _ = await storage.messages.history(p.id, Peer.chat(chat.id), limit=1)
        assert copy.message == "to all" and copy.shared_id == sent.sender_copy.shared_id and not copy.out
        assert (await storage.messages.dialog(p.id, Peer.chat(chat.id))).top_message == copy.id
