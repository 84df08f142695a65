"""Supergroups and broadcast channels (storage.interface.Channels): the channel itself.

The model (ARCHITECTURE.md, "Messages"; issue 11):

- One copy of each channel message (``channel_messages``), with message ids and pts of
  the channel's own (``channels.last_message_id``, ``channels.pts``), not a copy per
  member as basic groups have: a post to a channel of 100,000 members writes the same
  rows as one to a channel of two -- the message, the channel's log row
  (``channel_update_log``, storage/channel_log.py), and the channel row's counters.
- Per member only what is per member: the participant row (storage/
  channel_participants.py: role creator / admin / member / restricted / kicked / left,
  admin rights as chatAdminRights flags and a rank, banned rights as chatBannedRights
  flags and until_date, inviter, the date the role began, and read_inbox_max_id), and
  the per-dialog settings every kind of dialog keeps by storage peer id
  (storage/peer.py, ``Peer.channel(id).key``): the pin and unread mark in ``dialogs``,
  drafts, notification settings. A member's unread count is counted when read
  (storage/channel_dialogs.py), never stored.
- Updates are meaning in the channel's own log, with the kinds of the users' log; a
  client catches up with updates.getChannelDifference from it. Views are counted once
  per user (storage/channel_views.py). Invite links: storage/channel_invites.py;
  join requests and who joined by which link: storage/channel_joins.py.
- Usernames are one name space with users' (storage/usernames.py): t.me/name finds
  either, and no two peers hold one name, in any case.

Locking, for every channel module: a write is one transaction that first locks the
channel's row (storage/channel_rows.py ``lock_channel``: ``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite serializes transactions with ``BEGIN IMMEDIATE``) and reads what it
checks after that; every other row it changes (participants, messages, views, the log,
``dialogs`` rows, ``usernames``) comes after the channel's row. No channel write takes
a user's message box (``update_state``) and no box write takes a channel row, so the
two kinds of writes never wait on each other in a cycle. Reads take no lock.

What a caller may do (admin rights, default banned rights, slow mode, broadcast posts
by admins only) is for rpc/ to check: storage keeps what must hold whoever asks (a
sender is a member, the creator stays the creator, counts match the rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .channel_messages import send_message
from .channel_participants import change_participant
from .channel_rows import CHANNEL_COLUMNS, MEMBER_ROLES_SQL, channel_from, lock_channel, to_json
from .db import Database, Executor, chunks, in_list, like_escape
from .interface import ChatNotModified
from .models import ChannelCreated, ChannelMessageRecord, ChannelParticipantRecord, ChannelRecord
from .peer import Peer
from .usernames import reserve
from .users import new_access_hash

SEARCH_LIMIT = 100
# What edit() may change; username has set_username, the counters and pts their own writes.
EDITABLE = frozenset({"title", "about", "photo", "forum", "signatures", "noforwards", "join_to_send", "join_request",
                      "pre_history_hidden", "slowmode_seconds", "default_banned_rights", "linked_chat_id"})
_FOLD = {"sqlite": "unicode_lower", "postgres": "lower"}


class SqlChannels:
    """storage.interface.Channels."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def create(self, creator_id: int, title: str, *, date: int, about: str = "", broadcast: bool = False,
                     megagroup: bool = False, forum: bool = False, creator_rights: int = 0,
                     migrated_from_chat_id: int | None = None, migrated_from_max_id: int | None = None,
                     action: dict[str, Any] | None = None) -> ChannelCreated:
        if action is None:
            action = {"_": "messageActionChannelCreate", "title": title}
        return await self._db.transaction(create_channel, creator_id, title, date, about, broadcast, megagroup, forum,
                                          creator_rights, migrated_from_chat_id, migrated_from_max_id, action)

    async def edit(self, channel_id: int, **changes: Any) -> ChannelRecord:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"channels cannot edit {sorted(unknown)} (only {sorted(EDITABLE)})")
        return await self._db.transaction(_edit, channel_id, changes)

    async def set_username(self, channel_id: int, username: str | None) -> ChannelRecord:
        return await self._db.transaction(_set_username, channel_id, username or None)

    async def delete(self, channel_id: int) -> tuple[ChannelRecord, list[int]]:
        return await self._db.transaction(_delete, channel_id)

    # -- reads -------------------------------------------------------------------------------

    async def get(self, channel_id: int) -> ChannelRecord | None:
        row = await self._db.fetchrow(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1", channel_id)
        return None if row is None else channel_from(row)

    async def get_many(self, channel_ids: Iterable[int]) -> list[ChannelRecord]:
        wanted = list(dict.fromkeys(channel_ids))
        found: dict[int, ChannelRecord] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id IN ({in_list(len(part))})",
                                        *part)
            found.update((row[0], channel_from(row)) for row in rows)
        return [found[i] for i in wanted if i in found]

    async def by_username(self, username: str) -> ChannelRecord | None:
        row = await self._db.fetchrow(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE lower(username) = lower($1)"
                                      " AND NOT deactivated", username)
        return None if row is None else channel_from(row)

    async def search(self, query: str, limit: int = 50) -> list[ChannelRecord]:
        folded = query.strip().lower()
        if not folded or limit <= 0:
            return []
        pattern = like_escape(folded)
        rows = await self._db.fetch(
            f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE username IS NOT NULL AND NOT deactivated"
            f" AND (lower(username) LIKE $1 ESCAPE '\\' OR {_FOLD[self._db.dialect]}(title) LIKE $2 ESCAPE '\\')"
            " ORDER BY participants_count DESC, id LIMIT $3",
            pattern + "%", "%" + pattern + "%", min(limit, SEARCH_LIMIT))
        return [channel_from(row) for row in rows]


# -- transaction bodies -----------------------------------------------------------------------


async def create_channel(tx: Executor, creator: int, title: str, date: int, about: str, broadcast: bool, megagroup: bool,
                  forum: bool, creator_rights: int, migrated_from_chat_id: int | None,
                  migrated_from_max_id: int | None, action: dict[str, Any]) -> ChannelCreated:
    row = await tx.fetchrow(
        "INSERT INTO channels (access_hash, title, about, creator_id, date, broadcast, megagroup, forum,"
        " migrated_from_chat_id, migrated_from_max_id, top_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $5)"
        f" RETURNING {CHANNEL_COLUMNS}", new_access_hash(), title, about, creator, date, broadcast, megagroup, forum,
        migrated_from_chat_id, migrated_from_max_id)
    channel = channel_from(row)  # nobody else sees it before the commit: no lock needed
    me = ChannelParticipantRecord(channel_id=channel.id, user_id=creator, role="creator", inviter_id=creator,
                                  date=date, admin_rights=creator_rights)
    joined = await change_participant(tx, channel, None, me)
    # The opening service message; not unread for the creator, who sent it.
    sent = await send_message(tx, ChannelMessageRecord(channel_id=channel.id, id=0, sender_id=creator,
                                                       from_id=creator, date=date, action=action))
    channel = channel_from(await tx.fetchrow(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1", channel.id))
    return ChannelCreated(channel=channel, creator=joined.after, sent=sent)


async def _edit(tx: Executor, channel_id: int, changes: dict[str, Any]) -> ChannelRecord:
    channel = await lock_channel(tx, channel_id)
    changed = {name: value for name, value in changes.items() if getattr(channel, name) != value}
    if not changed:
        raise ChatNotModified(f"channel {channel_id}: {sorted(changes)} already so")
    stored = {name: (None if value is None else to_json(value)) if name == "photo" else value
              for name, value in changed.items()}
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(stored, start=2))
    row = await tx.fetchrow(f"UPDATE channels SET {sets} WHERE id = $1 RETURNING {CHANNEL_COLUMNS}",
                            channel_id, *stored.values())
    return channel_from(row)


async def _set_username(tx: Executor, channel_id: int, username: str | None) -> ChannelRecord:
    channel = await lock_channel(tx, channel_id)
    if channel.username == username:
        raise ChatNotModified(f"channel {channel_id} has the username {username!r} already")
    await reserve(tx, Peer.channel(channel_id), username)
    row = await tx.fetchrow(f"UPDATE channels SET username = $2 WHERE id = $1 RETURNING {CHANNEL_COLUMNS}",
                            channel_id, username)
    return channel_from(row)


async def _delete(tx: Executor, channel_id: int) -> tuple[ChannelRecord, list[int]]:
    """Deactivates the channel (its id stays taken, its rows stay until pruned), frees its
    username, and removes its members' dialogs rows; returns the members it had."""
    await lock_channel(tx, channel_id)
    rows = await tx.fetch(f"SELECT user_id FROM channel_participants WHERE channel_id = $1"
                          f" AND role IN {MEMBER_ROLES_SQL} ORDER BY user_id", channel_id)
    members = [row[0] for row in rows]
    await reserve(tx, Peer.channel(channel_id), None)
    for part in chunks(members):
        await tx.execute(f"DELETE FROM dialogs WHERE peer_id = $1 AND owner_id IN ({in_list(len(part), start=2)})",
                         Peer.channel(channel_id).key, *part)
    row = await tx.fetchrow(f"UPDATE channels SET deactivated = $2, username = NULL WHERE id = $1"
                            f" RETURNING {CHANNEL_COLUMNS}", channel_id, True)
    return channel_from(row), members
