"""Basic groups (storage/chats.py): members, service messages and group messages in
every member's box, on both backends (tests/storage/conftest.py)."""

from __future__ import annotations

from functools import partial

import pytest
import trio

from storage.interface import (AlreadyParticipant, ChatAdminRequired, ChatNotFound, ChatNotModified, ChatTooBig,
                               InviteExpired, InviteInvalid, NotMember, NotParticipant)
from storage.peer import Peer

NOW = 1_700_000_000
A, B, C, D = 1000001, 1000002, 1000003, 1000004


async def pts(storage, user_id):
    return (await storage.updates.get(user_id)).pts


async def members(storage, chat_id):
    return [p.user_id for p in await storage.chats.participants(chat_id)]


async def box(storage, owner, peer):
    return (await storage.messages.history(owner, peer))[0]


async def test_create_makes_members_and_a_service_message_in_every_box(storage):
    await storage.messages.send_private(C, B, date=NOW, message="shift B's ids")
    change = await storage.chats.create(A, "Team", [B, A, B], date=NOW)
    chat = change.chat
    assert (chat.title, chat.creator_id, chat.photo, chat.deactivated) == ("Team", A, None, False)
    assert sorted(await members(storage, chat.id)) == [A, B]
    assert {p.user_id: p.inviter_id for p in change.participants} == {A: A, B: A}
    mine = change.actor_copy
    assert (mine.owner_id, mine.peer, mine.from_id, mine.out, mine.id) == (A, Peer.chat(chat.id), A, True, 1)
    assert mine.action == {"_": "messageActionChatCreate", "title": "Team", "users": [A, B]}
    assert dict(change.deliveries) == {A: 2, B: 3} and change.actor_pts == 2
    theirs = (await box(storage, B, Peer.chat(chat.id)))[0]
    assert (theirs.id, theirs.out, theirs.from_id, theirs.shared_id, theirs.action) == (
        2, False, A, mine.shared_id, mine.action)
    assert (await storage.messages.dialog(B, Peer.chat(chat.id))).unread_count == 1
    assert await storage.chats.get(chat.id) == chat
    assert await storage.chats.get_many([chat.id, 999999, chat.id]) == [chat]
    assert await storage.chats.counts([chat.id, 999999]) == {chat.id: 2, 999999: 0}
    assert list(await storage.chats.memberships(B, [chat.id, 999999])) == [chat.id]


async def test_a_group_message_reaches_every_member_once_with_their_own_ids(storage):
    chat = (await storage.chats.create(A, "T", [B, C], date=NOW)).chat
    await storage.messages.send_private(D, C, date=NOW, message="shift C's ids")
    first = await storage.chats.send_message(chat.id, B, date=NOW, message="hi all", random_id=7)
    assert (first.sender_copy.owner_id, first.sender_copy.out, first.sender_copy.random_id) == (B, True, 7)
    assert [u for u, _ in first.deliveries] == [A, C]
    reply = await storage.chats.send_message(chat.id, A, date=NOW, message="re", reply_to_msg_id=2)
    copies = {u: (await box(storage, u, Peer.chat(chat.id)))[0] for u in (A, B, C)}
    assert {u: m.message for u, m in copies.items()} == {A: "re", B: "re", C: "re"}
    assert len({m.shared_id for m in copies.values()}) == 1
    # The reply points at each box's own copy of B's message.
    assert {u: m.reply_to_msg_id for u, m in copies.items()} == {
        A: 2, B: first.sender_copy.id, C: (await box(storage, C, Peer.chat(chat.id)))[1].id}
    assert [m.out for m in copies.values()] == [True, False, False]
    again = await storage.chats.send_message(chat.id, B, date=NOW + 5, message="hi all", random_id=7)
    assert again.duplicate and again.sender_copy == first.sender_copy and again.deliveries == first.deliveries
    assert reply.sender_pts == await pts(storage, A)
    with pytest.raises(NotMember):
        await storage.chats.send_message(chat.id, D, date=NOW, message="let me in")
    with pytest.raises(ChatNotFound):
        await storage.chats.send_message(424242, A, date=NOW, message="nobody")


async def test_removed_members_keep_their_history_and_get_nothing_new(storage):
    chat = (await storage.chats.create(A, "T", [B, C], date=NOW)).chat
    await storage.chats.send_message(chat.id, A, date=NOW, message="before")
    with pytest.raises(ChatAdminRequired):
        await storage.chats.remove_user(chat.id, C, B, date=NOW)  # C did not invite B and is no admin
    kicked = await storage.chats.remove_user(chat.id, A, B, date=NOW)
    assert kicked.actor_copy.action == {"_": "messageActionChatDeleteUser", "user_id": B}
    assert sorted(u for u, _ in kicked.deliveries) == [A, B, C]  # B hears of their own removal
    assert sorted(await members(storage, chat.id)) == [A, C]
    b_pts = await pts(storage, B)
    sent = await storage.chats.send_message(chat.id, A, date=NOW, message="after")
    assert [u for u, _ in sent.deliveries] == [C] and await pts(storage, B) == b_pts
    assert [m.message for m in await box(storage, B, Peer.chat(chat.id))][:2] == ["", "before"]
    with pytest.raises(NotMember):
        await storage.chats.send_message(chat.id, B, date=NOW, message="hello?")
    with pytest.raises(NotParticipant):
        await storage.chats.remove_user(chat.id, A, B, date=NOW)
    with pytest.raises(NotParticipant):
        await storage.chats.remove_user(chat.id, B, B, date=NOW)
    left = await storage.chats.remove_user(chat.id, C, C, date=NOW)  # leaving
    assert left.actor_copy.out and left.actor_copy.owner_id == C
    assert await members(storage, chat.id) == [A]
    assert left.chat.version > kicked.chat.version > chat.version


async def test_adding_admins_titles_and_photos(storage):
    chat = (await storage.chats.create(A, "T", [B], date=NOW)).chat
    added = await storage.chats.add_user(chat.id, B, C, date=NOW)  # any member may add
    assert added.actor_copy.action == {"_": "messageActionChatAddUser", "users": [C]}
    assert {p.user_id: p.inviter_id for p in added.participants}[C] == B
    with pytest.raises(AlreadyParticipant):
        await storage.chats.add_user(chat.id, A, C, date=NOW)
    with pytest.raises(NotMember):
        await storage.chats.add_user(chat.id, D, D, date=NOW)
    with pytest.raises(ChatTooBig):
        await storage.chats.add_user(chat.id, A, D, date=NOW, limit=3)
    # B invited C, so B may remove C; C may not remove B.
    with pytest.raises(ChatAdminRequired):
        await storage.chats.set_admin(chat.id, B, C, True)
    promoted = await storage.chats.set_admin(chat.id, A, C, True)
    assert promoted.actor_copy is None and promoted.deliveries == []
    assert {p.user_id: p.is_admin for p in promoted.participants} == {A: False, B: False, C: True}
    assert promoted.chat.version == added.chat.version + 1
    assert (await storage.chats.set_admin(chat.id, A, C, True)).chat.version == promoted.chat.version
    with pytest.raises(NotParticipant):
        await storage.chats.set_admin(chat.id, A, D, True)
    renamed = await storage.chats.edit_title(chat.id, C, "New", date=NOW)
    assert renamed.chat.title == "New" and renamed.actor_copy.action == {"_": "messageActionChatEditTitle",
                                                                         "title": "New"}
    with pytest.raises(ChatNotModified):
        await storage.chats.edit_title(chat.id, A, "New", date=NOW)
    with pytest.raises(ChatNotModified):
        await storage.chats.edit_photo(chat.id, A, None, date=NOW, action={"_": "messageActionChatDeletePhoto"})
    photo = {"chat_photo": {"_": "chatPhotoEmpty"}}
    changed = await storage.chats.edit_photo(chat.id, A, photo, date=NOW, action={"_": "messageActionChatDeletePhoto"})
    assert changed.chat.photo == photo and (await storage.chats.get(chat.id)).photo == photo
    # An admin removes anyone but the creator.
    with pytest.raises(ChatAdminRequired):
        await storage.chats.remove_user(chat.id, C, A, date=NOW)
    await storage.chats.remove_user(chat.id, C, B, date=NOW)


async def test_invite_links(storage):
    chat = (await storage.chats.create(A, "T", [B], date=NOW)).chat
    with pytest.raises(ChatAdminRequired):
        await storage.chats.create_invite(chat.id, B, date=NOW)
    with pytest.raises(NotMember):
        await storage.chats.create_invite(chat.id, C, date=NOW)
    first = await storage.chats.create_invite(chat.id, A, date=NOW, permanent=True)
    second = await storage.chats.create_invite(chat.id, A, date=NOW + 1, permanent=True)
    limited = await storage.chats.create_invite(chat.id, A, date=NOW + 2, usage_limit=1, expire_date=NOW + 100)
    assert (await storage.chats.invite(first.hash)).revoked
    assert [i.hash for i in await storage.chats.invites(chat.id)] == [limited.hash, second.hash]
    assert [i.hash for i in await storage.chats.invites(chat.id, revoked=True)] == [first.hash]
    with pytest.raises(InviteExpired):
        await storage.chats.join_by_invite(first.hash, C, date=NOW)
    with pytest.raises(InviteInvalid):
        await storage.chats.join_by_invite("nope", C, date=NOW)
    with pytest.raises(AlreadyParticipant):
        await storage.chats.join_by_invite(second.hash, B, date=NOW)
    joined = await storage.chats.join_by_invite(limited.hash, C, date=NOW + 3)
    assert joined.actor_copy.action == {"_": "messageActionChatJoinedByLink", "inviter_id": A}
    assert (joined.actor_copy.owner_id, joined.actor_copy.from_id, joined.actor_copy.out) == (C, C, True)
    assert (await storage.chats.invite(limited.hash)).usage == 1
    with pytest.raises(InviteExpired):  # used up
        await storage.chats.join_by_invite(limited.hash, D, date=NOW + 4)
    late = await storage.chats.create_invite(chat.id, A, date=NOW, expire_date=NOW + 10)
    with pytest.raises(InviteExpired):
        await storage.chats.join_by_invite(late.hash, D, date=NOW + 10)
    await storage.chats.join_by_invite(second.hash, D, date=NOW)
    assert sorted(await members(storage, chat.id)) == [A, B, C, D]


async def test_group_edits_deletes_and_reads_reach_every_copy(storage):
    chat = (await storage.chats.create(A, "T", [B, C], date=NOW)).chat
    peer = Peer.chat(chat.id)
    from_b = await storage.chats.send_message(chat.id, B, date=NOW, message="b1")
    from_c = await storage.chats.send_message(chat.id, C, date=NOW, message="c1")
    edited = await storage.messages.edit(B, from_b.sender_copy.id, message="b1!", entities=[], edit_date=NOW + 1)
    assert [owner for owner, _, _ in edited] == [B, A, C]
    assert all(m.message == "b1!" for _, _, m in edited)
    # A reads everything: both authors hear of it, each with their own id.
    owner_pts, receipts = await storage.messages.read_chat_history(A, peer, 0)
    assert owner_pts == await pts(storage, A)
    assert receipts == [(B, await pts(storage, B), from_b.sender_copy.id),
                        (C, await pts(storage, C), from_c.sender_copy.id)]
    assert (await storage.messages.dialog(B, peer)).read_outbox_max_id == from_b.sender_copy.id
    assert (await storage.messages.dialog(A, peer)).unread_count == 0
    assert await storage.messages.read_chat_history(A, peer, 0) == (None, [])
    # Revoking another member's message deletes only one's own copy; one's own, every copy.
    a_copy_of_c = (await box(storage, A, peer))[0]
    assert await storage.messages.delete(A, [a_copy_of_c.id], revoke=True) == {
        A: (await pts(storage, A), 1, [a_copy_of_c.id])}
    deleted = await storage.messages.delete(B, [from_b.sender_copy.id], revoke=True)
    assert sorted(deleted) == [A, B, C]
    assert [m.message for m in await box(storage, C, peer)] == ["c1", ""]
    # Whoever moderates the group (the caller says so) takes anyone's message back.
    from_c2 = await storage.chats.send_message(chat.id, C, date=NOW, message="c2")
    a_copy = (await box(storage, A, peer))[0]
    assert a_copy.shared_id == from_c2.sender_copy.shared_id
    moderated = await storage.messages.delete(A, [a_copy.id], revoke=True, moderated_chats=[chat.id])
    assert sorted(moderated) == [A, B, C]
    assert [m.message for m in await box(storage, C, peer)] == ["c1", ""]


async def test_concurrent_group_sends_and_member_changes_keep_every_box_gapless(storage):
    chat = (await storage.chats.create(A, "T", [B], date=NOW)).chat
    users = [A, B, C, D]

    async def chatter(sender):
        for i in range(5):
            try:
                await storage.chats.send_message(chat.id, sender, date=NOW, message=f"{sender}:{i}")
            except NotMember:
                pass

    async with trio.open_nursery() as nursery:
        for u in users:
            nursery.start_soon(chatter, u)
        nursery.start_soon(partial(storage.chats.add_user, chat.id, A, C, date=NOW))
        nursery.start_soon(partial(storage.chats.add_user, chat.id, B, D, date=NOW))
    for u in users:
        log = await storage.messages.update_log(u, 0, 1000)
        start = 1
        for row in log:
            assert row.pts == start + row.pts_count
            start = row.pts
        assert start == await pts(storage, u)
    a_ids = {m.shared_id for m in await box(storage, A, Peer.chat(chat.id))}
    for u in (B, C, D):  # nobody has a message A lacks
        assert {m.shared_id for m in await box(storage, u, Peer.chat(chat.id))} <= a_ids


async def test_common_groups_of_two_users(storage):
    a, b, c = A, B, C
    first = await storage.chats.create(a, "both", [b], date=1)
    await storage.chats.create(a, "not b", [c], date=2)
    third = await storage.chats.create(b, "both again", [a, c], date=3)
    assert await storage.chats.common(a, b) == [first.chat.id, third.chat.id]
    assert await storage.chats.common(b, a, max_id=first.chat.id) == [third.chat.id]
    assert await storage.chats.common(b, c, limit=5) == [third.chat.id]
