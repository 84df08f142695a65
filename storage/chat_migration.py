"""Upgrading a basic group to a supergroup (messages.migrateChat; storage.interface.ChatMigrations).

What Telegram does, in one transaction here:

- a new supergroup (megagroup) with the group's title and photo, created by the group's
  creator (basic groups never change creator), opened by
  messageActionChannelMigrateFrom(title, chat_id) as its first message, and remembering
  the group (migrated_from_chat_id; migrated_from_max_id: the creator's last message of
  it, the upgrade's own);
- every member of the group becomes a member of it: the creator stays the creator, the
  group's admins become admins with `admin_rights`, everyone else a member;
- the group is deactivated and names the supergroup (chats.migrated_to), and every
  member's box gets messageActionChatMigrateTo(channel_id) from the actor.

The members stay in chat_participants: the group's history in their boxes stays
readable to them (messages.getHistory on it), while every write to the group refuses
it as deactivated (storage/chats.py ``lock_chat``: ChatNotFound). Who may upgrade is
the caller's check (the creator; anyone adding a member past the size limit).

Locking: the chat's row first, as every basic-group write (storage/chats.py); then the
new channel's rows, which no other transaction can see before the commit, so taking
them waits for nobody; then the members' boxes, in the order storage/message_boxes.py
keeps.
"""

from __future__ import annotations

from .channel_participants import change_participant
from .channel_rows import CHANNEL_COLUMNS, channel_from, to_json
from .channels import create_channel
from .chats import announce, lock_chat, members_of
from .db import Database, Executor
from .models import ChannelCreated, ChannelParticipantRecord, ChannelRecord, ChatMigrated, ChatRecord
from .peer import Peer


class SqlChatMigrations:
    """storage.interface.ChatMigrations."""

    def __init__(self, db: Database):
        self._db = db

    async def migrate(self, chat_id: int, actor_id: int, *, date: int, creator_rights: int,
                      admin_rights: int) -> ChatMigrated:
        return await self._db.transaction(_migrate, self._db.dialect, chat_id, actor_id, date, creator_rights,
                                          admin_rights)


async def _migrate(tx: Executor, dialect: str, chat_id: int, actor: int, date: int, creator_rights: int,
                   admin_rights: int) -> ChatMigrated:
    chat = await lock_chat(tx, dialect, chat_id)
    members = await members_of(tx, chat_id, actor)
    created = await create_channel(
        tx, chat.creator_id, chat.title, date, "", False, True, False, creator_rights, chat.id, None,
        {"_": "messageActionChannelMigrateFrom", "title": chat.title, "chat_id": chat.id})
    channel = created.channel
    for member in members.values():
        if member.user_id != chat.creator_id:
            channel = await _carry_over(tx, channel, chat, member.user_id, member.inviter_id, member.is_admin,
                                        admin_rights, date)
    creator = created.creator
    if chat.creator_id not in members:
        # A creator who had left the group is a former member of the supergroup, and its
        # creator still (storage/channel_participants.py: a creator may come back).
        left = ChannelParticipantRecord(channel_id=channel.id, user_id=creator.user_id, role="left",
                                        inviter_id=creator.inviter_id, date=date, admin_rights=creator.admin_rights)
        channel = (await change_participant(tx, channel, creator, left)).channel
        creator = left
    await tx.execute("UPDATE chats SET deactivated = $2, migrated_to = $3 WHERE id = $1", chat.id, True, channel.id)
    change = await announce(tx, dialect, chat, actor, [], {"_": "messageActionChatMigrateTo", "channel_id": channel.id},
                            date)
    channel = await _finish_channel(tx, channel, chat)
    return ChatMigrated(change=change, created=ChannelCreated(channel=channel, creator=creator, sent=created.sent),
                        members=list(members))


async def _carry_over(tx: Executor, channel: ChannelRecord, chat: ChatRecord, user: int, inviter: int, admin: bool,
                      admin_rights: int, date: int) -> ChannelRecord:
    """One member of the group in the supergroup: an admin there if an admin here."""
    row = ChannelParticipantRecord(
        channel_id=channel.id, user_id=user, role="admin" if admin else "member", inviter_id=inviter, date=date,
        admin_rights=admin_rights if admin else 0, promoted_by=chat.creator_id if admin else None,
        read_inbox_max_id=channel.last_message_id)
    return (await change_participant(tx, channel, None, row)).channel


async def _finish_channel(tx: Executor, channel: ChannelRecord, chat: ChatRecord) -> ChannelRecord:
    """The group's photo, and the creator's last message of the group (the upgrade's)."""
    top = await tx.fetchval("SELECT max(id) FROM messages WHERE owner_id = $1 AND peer_id = $2",
                            chat.creator_id, Peer.chat(chat.id).key)
    photo = None if chat.photo is None else to_json(chat.photo)
    row = await tx.fetchrow(f"UPDATE channels SET photo = $2, migrated_from_max_id = $3 WHERE id = $1"
                            f" RETURNING {CHANNEL_COLUMNS}", channel.id, photo, top or 0)
    return channel_from(row)
