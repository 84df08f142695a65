"""Basic groups (legacy "chats"): the chat, its members, invite links, and the messages
written into every member's box (storage.interface.Chats).

A basic group has no message stream of its own (ARCHITECTURE.md, "Messages"): every
member has their own copy of each group message in their own box (peer_id = -chat_id),
written by storage/message_boxes.py's ``deliver`` under the same rules as private messages.
Membership lives in ``chat_participants`` (current members only: a user who left keeps
their history, and gets nothing new).

Locking: every write here first locks the chat row (PostgreSQL ``FOR UPDATE``; SQLite
transactions are serialized anyway), then reads the member list, checks its
preconditions, and locks the members' boxes in ascending id order (storage/message_boxes.py).
So the member list cannot change between the check and the delivery, and no
transaction ever waits for a chat row while holding a box lock.

Every change to the chat moves its ``version`` and, except admin changes, is
announced by a service message (``messages.action``) in the box of every member after
the change and of the user removed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .db import Database, Executor, Row, in_list
from .interface import (AlreadyParticipant, ChatAdminRequired, ChatNotFound, ChatNotModified, ChatTooBig,
                        InviteExpired, InviteInvalid, NotMember, NotParticipant)
from .message_boxes import deliver, lock_boxes, sent_before_or_shared_id
from .models import ChatChange, ChatInviteRecord, ChatParticipantRecord, ChatRecord, SentMessage
from .query import Query, run_chunked

MEMBERS_LIMIT = 200  # a basic group's size (Telegram's chat_size_max)

_CHAT_COLUMNS = "id, title, photo, creator_id, date, version, deactivated, migrated_to"
_PARTICIPANT_COLUMNS = "chat_id, user_id, inviter_id, date, is_admin"
_INVITE_COLUMNS = "hash, chat_id, admin_id, date, expire_date, usage_limit, usage, revoked, permanent, title"
_LOCK_CHAT = {
    "postgres": f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id = $1 FOR UPDATE",
    "sqlite": f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id = $1",
}
_ADD_PARTICIPANT = (f"INSERT INTO chat_participants ({_PARTICIPANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)")
_BUMP_VERSION = f"UPDATE chats SET version = version + 1 WHERE id = $1 RETURNING {_CHAT_COLUMNS}"


class SqlChats:
    """storage.interface.Chats."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def create(self, creator_id: int, title: str, user_ids: Sequence[int], *, date: int) -> ChatChange:
        return await self._db.transaction(_create, self._db.dialect, creator_id, title,
                                          [u for u in dict.fromkeys(user_ids) if u != creator_id], date)

    async def send_message(self, chat_id: int, sender_id: int, *, date: int, message: str,
                           entities: Sequence[dict[str, Any]] = (), reply_to_msg_id: int | None = None,
                           random_id: int | None = None, silent: bool = False,
                           media: dict[str, Any] | None = None, clear_draft: bool = False) -> SentMessage:
        return await self._db.transaction(send_to_chat, self._db.dialect, chat_id, sender_id, dict(
            date=date, text=message, entities=list(entities), reply_to=reply_to_msg_id, random_id=random_id,
            silent=silent, media=media, clear_draft=clear_draft))

    async def add_user(self, chat_id: int, actor_id: int, user_id: int, *, date: int,
                       limit: int = MEMBERS_LIMIT) -> ChatChange:
        return await self._db.transaction(_add_user, self._db.dialect, chat_id, actor_id, user_id, date, limit)

    async def remove_user(self, chat_id: int, actor_id: int, user_id: int, *, date: int) -> ChatChange:
        return await self._db.transaction(_remove_user, self._db.dialect, chat_id, actor_id, user_id, date)

    async def edit_title(self, chat_id: int, actor_id: int, title: str, *, date: int) -> ChatChange:
        return await self._db.transaction(_edit, self._db.dialect, chat_id, actor_id, "title", title, date,
                                          {"_": "messageActionChatEditTitle", "title": title})

    async def edit_photo(self, chat_id: int, actor_id: int, photo: dict[str, Any] | None, *, date: int,
                         action: dict[str, Any]) -> ChatChange:
        return await self._db.transaction(_edit, self._db.dialect, chat_id, actor_id, "photo", photo, date, action)

    async def set_admin(self, chat_id: int, actor_id: int, user_id: int, is_admin: bool) -> ChatChange:
        return await self._db.transaction(_set_admin, self._db.dialect, chat_id, actor_id, user_id, is_admin)

    async def create_invite(self, chat_id: int, admin_id: int, *, date: int, expire_date: int | None = None,
                            usage_limit: int | None = None, title: str | None = None,
                            permanent: bool = False) -> ChatInviteRecord:
        invite = ChatInviteRecord(hash=secrets.token_urlsafe(12), chat_id=chat_id, admin_id=admin_id, date=date,
                                  expire_date=expire_date, usage_limit=usage_limit, title=title, permanent=permanent)
        return await self._db.transaction(_create_invite, self._db.dialect, invite)

    async def revoke_invites_of(self, admin_id: int) -> int:
        """Revokes every live link `admin_id` made, in any group (a deleted account's
        links admit nobody); returns how many."""
        return await self._db.execute("UPDATE chat_invites SET revoked = $2 WHERE admin_id = $1 AND NOT revoked",
                                      admin_id, True)

    async def join_by_invite(self, hash: str, user_id: int, *, date: int, limit: int = MEMBERS_LIMIT) -> ChatChange:
        return await self._db.transaction(_join_by_invite, self._db.dialect, hash, user_id, date, limit)

    # -- reads -------------------------------------------------------------------------------

    async def get(self, chat_id: int) -> ChatRecord | None:
        row = await self._db.fetchrow(f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id = $1", chat_id)
        return None if row is None else _chat(row)

    async def get_many(self, chat_ids: Iterable[int]) -> list[ChatRecord]:
        wanted = list(dict.fromkeys(chat_ids))
        found = await run_chunked(self._db, wanted, self.get_many_query)
        return [found[i] for i in wanted if i in found]

    def get_many_query(self, chat_ids: Sequence[int]) -> Query[dict[int, ChatRecord]]:
        return Query(f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id IN ({in_list(len(chat_ids))})", tuple(chat_ids),
                     lambda rows: {row[0]: _chat(row) for row in rows})

    async def participants(self, chat_id: int) -> list[ChatParticipantRecord]:
        return await _participants(self._db, chat_id)

    async def counts(self, chat_ids: Iterable[int]) -> dict[int, int]:
        return await run_chunked(self._db, chat_ids, self.counts_query)

    def counts_query(self, chat_ids: Sequence[int]) -> Query[dict[int, int]]:
        def decode(rows: list[Row]) -> dict[int, int]:
            counts = dict.fromkeys(chat_ids, 0)
            counts.update((row[0], row[1]) for row in rows)
            return counts
        return Query("SELECT chat_id, count(*) FROM chat_participants"
                     f" WHERE chat_id IN ({in_list(len(chat_ids))}) GROUP BY chat_id", tuple(chat_ids), decode)

    async def memberships(self, user_id: int, chat_ids: Iterable[int]) -> dict[int, ChatParticipantRecord]:
        return await run_chunked(self._db, chat_ids, lambda part: self.memberships_query(user_id, part))

    def memberships_query(self, user_id: int, chat_ids: Sequence[int]) -> Query[dict[int, ChatParticipantRecord]]:
        return Query(f"SELECT {_PARTICIPANT_COLUMNS} FROM chat_participants WHERE user_id = $1"
                     f" AND chat_id IN ({in_list(len(chat_ids), start=2)})", (user_id, *chat_ids),
                     lambda rows: {row[0]: _participant(row) for row in rows})

    async def chat_ids(self, user_id: int) -> list[int]:
        """The basic groups the user is a member of now, by id."""
        rows = await self._db.fetch("SELECT chat_id FROM chat_participants WHERE user_id = $1 ORDER BY chat_id",
                                    user_id)
        return [row[0] for row in rows]

    async def common(self, user_id: int, other_id: int, *, max_id: int = 0, limit: int = 100) -> list[int]:
        rows = await self._db.fetch(
            "SELECT mine.chat_id FROM chat_participants mine JOIN chat_participants theirs"
            " ON theirs.chat_id = mine.chat_id AND theirs.user_id = $2"
            " WHERE mine.user_id = $1 AND mine.chat_id > $3 ORDER BY mine.chat_id LIMIT $4",
            user_id, other_id, max_id, limit)
        return [row[0] for row in rows]

    async def invite(self, hash: str) -> ChatInviteRecord | None:
        row = await self._db.fetchrow(f"SELECT {_INVITE_COLUMNS} FROM chat_invites WHERE hash = $1", hash)
        return None if row is None else _invite(row)

    async def invites(self, chat_id: int, *, admin_id: int | None = None, revoked: bool = False,
                      limit: int = 100) -> list[ChatInviteRecord]:
        where, args = "chat_id = $1 AND revoked = $2", [chat_id, revoked]
        if admin_id is not None:
            args.append(admin_id)
            where += f" AND admin_id = ${len(args)}"
        args.append(max(0, limit))
        rows = await self._db.fetch(f"SELECT {_INVITE_COLUMNS} FROM chat_invites WHERE {where}"
                                    f" ORDER BY date DESC, hash LIMIT ${len(args)}", *args)
        return [_invite(row) for row in rows]


# -- transaction bodies -----------------------------------------------------------------------


async def _create(tx: Executor, dialect: str, creator: int, title: str, users: list[int], date: int) -> ChatChange:
    chat = _chat(await tx.fetchrow(f"INSERT INTO chats (title, creator_id, date) VALUES ($1, $2, $3)"
                                   f" RETURNING {_CHAT_COLUMNS}", title, creator, date))
    for user in [creator, *users]:
        await tx.execute(_ADD_PARTICIPANT, chat.id, user, creator, date, False)
    action = {"_": "messageActionChatCreate", "title": title, "users": [creator, *users]}
    return await announce(tx, dialect, chat, creator, [], action, date)


async def send_to_chat(tx: Executor, dialect: str, chat_id: int, sender: int, message: dict) -> SentMessage:
    """Inside a transaction: a new message (deliver()'s fields) into every member's box;
    NotMember for a sender outside the group."""
    members = await lock_chat_members(tx, dialect, chat_id, sender)
    found, shared_id = await sent_before_or_shared_id(tx, dialect, sender, message.get("random_id"))
    if found is not None:
        return found
    copies, draft_cleared = await deliver(tx, dialect, sender, dict.fromkeys(members, -chat_id), shared_id=shared_id,
                                          **message)
    (own, own_pts), others = copies[0], copies[1:]
    return SentMessage(sender_copy=own, recipient_copy=None, sender_pts=own_pts, recipient_pts=None,
                       deliveries=[(m.owner_id, pts) for m, pts in others], copies=[m for m, _ in others],
                       draft_cleared=draft_cleared)


async def _add_user(tx: Executor, dialect: str, chat_id: int, actor: int, user: int, date: int,
                    limit: int) -> ChatChange:
    chat = await lock_chat(tx, dialect, chat_id)
    members = await members_of(tx, chat_id, actor)
    if user in members:
        raise AlreadyParticipant(f"user {user} is already in chat {chat_id}")
    if len(members) >= limit:
        raise ChatTooBig(f"chat {chat_id} has {len(members)} members")
    await tx.execute(_ADD_PARTICIPANT, chat_id, user, actor, date, False)
    return await announce(tx, dialect, chat, actor, [], {"_": "messageActionChatAddUser", "users": [user]}, date)


async def _remove_user(tx: Executor, dialect: str, chat_id: int, actor: int, user: int, date: int) -> ChatChange:
    chat = await lock_chat(tx, dialect, chat_id)
    if actor == user:
        if not await tx.fetchval("SELECT 1 FROM chat_participants WHERE chat_id = $1 AND user_id = $2",
                                 chat_id, user):
            raise NotParticipant(f"user {user} is not in chat {chat_id}")
    else:
        members = await members_of(tx, chat_id, actor)
        if user not in members:
            raise NotParticipant(f"user {user} is not in chat {chat_id}")
        # The creator removes anyone; an admin anyone but the creator; a member whom they invited.
        allowed = actor == chat.creator_id or (user != chat.creator_id and (
            members[actor].is_admin or members[user].inviter_id == actor))
        if not allowed:
            raise ChatAdminRequired(f"user {actor} may not remove user {user} from chat {chat_id}")
    await tx.execute("DELETE FROM chat_participants WHERE chat_id = $1 AND user_id = $2", chat_id, user)
    action = {"_": "messageActionChatDeleteUser", "user_id": user}
    return await announce(tx, dialect, chat, actor, [user], action, date)


async def _edit(tx: Executor, dialect: str, chat_id: int, actor: int, column: str, value: Any, date: int,
                action: dict) -> ChatChange:
    chat = await lock_chat(tx, dialect, chat_id)
    await members_of(tx, chat_id, actor)
    if getattr(chat, column) == value:
        raise ChatNotModified(f"chat {chat_id}: {column} is already that")
    stored = value if column == "title" else (None if value is None else _json(value))
    await tx.execute(f"UPDATE chats SET {column} = $2 WHERE id = $1", chat_id, stored)
    return await announce(tx, dialect, chat, actor, [], action, date)


async def _set_admin(tx: Executor, dialect: str, chat_id: int, actor: int, user: int, is_admin: bool) -> ChatChange:
    chat = await lock_chat(tx, dialect, chat_id)
    members = await members_of(tx, chat_id, actor)
    if actor != chat.creator_id:
        raise ChatAdminRequired(f"only the creator of chat {chat_id} appoints admins")
    if user not in members:
        raise NotParticipant(f"user {user} is not in chat {chat_id}")
    if members[user].is_admin != is_admin and user != chat.creator_id:
        await tx.execute("UPDATE chat_participants SET is_admin = $3 WHERE chat_id = $1 AND user_id = $2",
                         chat_id, user, is_admin)
        chat = _chat(await tx.fetchrow(_BUMP_VERSION, chat_id))
    return ChatChange(chat=chat, participants=await _participants(tx, chat_id))


async def _create_invite(tx: Executor, dialect: str, invite: ChatInviteRecord) -> ChatInviteRecord:
    chat = await lock_chat(tx, dialect, invite.chat_id)
    members = await members_of(tx, chat.id, invite.admin_id)
    if invite.admin_id != chat.creator_id and not members[invite.admin_id].is_admin:
        raise ChatAdminRequired(f"user {invite.admin_id} may not make invite links of chat {chat.id}")
    if invite.permanent:
        await tx.execute("UPDATE chat_invites SET revoked = $2 WHERE chat_id = $1 AND permanent AND NOT revoked",
                         chat.id, True)
    await tx.execute(f"INSERT INTO chat_invites ({_INVITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                     invite.hash, invite.chat_id, invite.admin_id, invite.date, invite.expire_date, invite.usage_limit,
                     invite.usage, invite.revoked, invite.permanent, invite.title)
    return invite


async def _join_by_invite(tx: Executor, dialect: str, hash: str, user: int, date: int, limit: int) -> ChatChange:
    row = await tx.fetchrow(f"SELECT {_INVITE_COLUMNS} FROM chat_invites WHERE hash = $1", hash)
    if row is None:
        raise InviteInvalid(f"no invite {hash!r}")
    chat = await lock_chat(tx, dialect, _invite(row).chat_id)
    invite = _invite(await tx.fetchrow(f"SELECT {_INVITE_COLUMNS} FROM chat_invites WHERE hash = $1", hash))
    if not invite.usable(date):
        raise InviteExpired(f"invite {hash!r} can no longer be used")
    members = {p.user_id for p in await _participants(tx, chat.id)}
    if user in members:
        raise AlreadyParticipant(f"user {user} is already in chat {chat.id}")
    if len(members) >= limit:
        raise ChatTooBig(f"chat {chat.id} has {len(members)} members")
    await tx.execute(_ADD_PARTICIPANT, chat.id, user, invite.admin_id, date, False)
    await tx.execute("UPDATE chat_invites SET usage = usage + 1 WHERE hash = $1", hash)
    action = {"_": "messageActionChatJoinedByLink", "inviter_id": invite.admin_id}
    return await announce(tx, dialect, chat, user, [], action, date)


# -- helpers ------------------------------------------------------------------------------------


async def lock_chat_members(tx: Executor, dialect: str, chat_id: int, actor: int) -> list[int]:
    """Inside a transaction: locks the chat, then every member's box (the order of
    storage/message_boxes.py's rules); returns the members. ChatNotFound; NotMember unless
    the actor is one."""
    await lock_chat(tx, dialect, chat_id)
    members = list(await members_of(tx, chat_id, actor))
    await lock_boxes(tx, dialect, members)
    return members


async def lock_chat(tx: Executor, dialect: str, chat_id: int) -> ChatRecord:
    row = await tx.fetchrow(_LOCK_CHAT[dialect], chat_id)
    if row is None or row[6]:  # deactivated (upgraded to a supergroup): nothing changes it any more
        raise ChatNotFound(f"no chat {chat_id}")
    return _chat(row)


async def members_of(tx: Executor, chat_id: int, actor: int) -> dict[int, ChatParticipantRecord]:
    """The members by user id; NotMember unless the actor is one."""
    members = {p.user_id: p for p in await _participants(tx, chat_id)}
    if actor not in members:
        raise NotMember(f"user {actor} is not a member of chat {chat_id}")
    return members


async def announce(tx: Executor, dialect: str, chat: ChatRecord, actor: int, also: list[int], action: dict,
                    date: int) -> ChatChange:
    """Moves the chat's version and writes the service message into the box of every
    member and of `also` (a user just removed)."""
    chat = _chat(await tx.fetchrow(_BUMP_VERSION, chat.id))
    participants = await _participants(tx, chat.id)
    boxes = [p.user_id for p in participants] + also
    await lock_boxes(tx, dialect, boxes)
    copies, _ = await deliver(tx, dialect, actor, dict.fromkeys(boxes, -chat.id), date=date, action=action)
    own = next(((m, pts) for m, pts in copies if m.owner_id == actor), (None, None))
    return ChatChange(chat=chat, participants=participants, actor_copy=own[0], actor_pts=own[1],
                      deliveries=[(m.owner_id, pts) for m, pts in copies])


async def _participants(ex: Executor, chat_id: int) -> list[ChatParticipantRecord]:
    rows = await ex.fetch(f"SELECT {_PARTICIPANT_COLUMNS} FROM chat_participants WHERE chat_id = $1"
                          " ORDER BY date, user_id", chat_id)
    return [_participant(row) for row in rows]


def _chat(row: Row) -> ChatRecord:
    return ChatRecord(id=row[0], title=row[1], photo=None if row[2] is None else msgspec.json.decode(row[2]),
                      creator_id=row[3], date=row[4], version=row[5], deactivated=bool(row[6]),
                      migrated_to=row[7])


def _participant(row: Row) -> ChatParticipantRecord:
    return ChatParticipantRecord(chat_id=row[0], user_id=row[1], inviter_id=row[2], date=row[3],
                                 is_admin=bool(row[4]))


def _invite(row: Row) -> ChatInviteRecord:
    return ChatInviteRecord(hash=row[0], chat_id=row[1], admin_id=row[2], date=row[3], expire_date=row[4],
                            usage_limit=row[5], usage=row[6], revoked=bool(row[7]), permanent=bool(row[8]),
                            title=row[9])


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()
