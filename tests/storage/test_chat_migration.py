"""Upgrading a basic group to a supergroup (storage/chat_migration.py), on both
backends (tests/storage/conftest.py): one transaction makes the supergroup with the
group's members, deactivates the group and writes the service messages."""

from __future__ import annotations

import pytest

from storage.interface import ChatNotFound, NotMember
from storage.peer import Peer

NOW = 1_700_000_000
A, B, C, D = 1000001, 1000002, 1000003, 1000004
CREATOR, ADMIN = 0b111, 0b1


async def test_migrate_carries_the_members_over_and_closes_the_group(storage):
    chat = (await storage.chats.create(A, "Team", [B, C], date=NOW)).chat
    await storage.chats.set_admin(chat.id, A, B, True)
    await storage.chats.edit_photo(chat.id, A, {"chat_photo": {"_": "chatPhotoEmpty"}}, date=NOW,
                                   action={"_": "messageActionChatDeletePhoto"})
    with pytest.raises(NotMember):
        await storage.chat_migrations.migrate(chat.id, D, date=NOW, creator_rights=CREATOR, admin_rights=ADMIN)

    done = await storage.chat_migrations.migrate(chat.id, A, date=NOW + 1, creator_rights=CREATOR,
                                                 admin_rights=ADMIN)
    channel = done.created.channel
    assert channel.megagroup and not channel.broadcast and channel.creator_id == A and channel.title == "Team"
    assert channel.photo == {"chat_photo": {"_": "chatPhotoEmpty"}}
    assert channel.participants_count == 3 and channel.admins_count == 2
    assert channel.migrated_from_chat_id == chat.id
    assert done.created.sent.message.action == {"_": "messageActionChannelMigrateFrom", "title": "Team",
                                                "chat_id": chat.id}
    roles = {p.user_id: (p.role, p.admin_rights) for p in
             (await storage.channel_participants.list(channel.id))[0]}
    assert roles == {A: ("creator", CREATOR), B: ("admin", ADMIN), C: ("member", 0)}
    assert sorted(done.members) == [A, B, C]

    assert done.change.chat.deactivated and done.change.chat.migrated_to == channel.id
    assert (await storage.chats.get(chat.id)).migrated_to == channel.id
    for owner in (A, B, C):
        top = (await storage.messages.history(owner, Peer.chat(chat.id)))[0][0]
        assert top.action == {"_": "messageActionChatMigrateTo", "channel_id": channel.id}
        assert top.from_id == A
    assert channel.migrated_from_max_id == done.change.actor_copy.id
    with pytest.raises(ChatNotFound):
        await storage.chats.send_message(chat.id, B, date=NOW, message="late")
    with pytest.raises(ChatNotFound):
        await storage.chat_migrations.migrate(chat.id, A, date=NOW, creator_rights=CREATOR, admin_rights=ADMIN)


async def test_a_creator_who_left_stays_the_creator_outside(storage):
    chat = (await storage.chats.create(A, "Team", [B, C], date=NOW)).chat
    await storage.chats.remove_user(chat.id, A, A, date=NOW)
    done = await storage.chat_migrations.migrate(chat.id, B, date=NOW, creator_rights=CREATOR, admin_rights=ADMIN)
    channel = done.created.channel
    assert channel.creator_id == A and channel.participants_count == 2
    assert (await storage.channel_participants.get(channel.id, A)).role == "left"
    assert done.change.actor_copy.owner_id == B
