"""Invite links of supergroups and channels (storage.interface.ChannelInvites).

Their own table (``channel_invites``), beside basic groups' ``chat_invites``
(storage/chats.py), whose chat_id names a basic group: a hash is random (12 bytes), so
messages.importChatInvite / checkChatInvite look it up in both. A join through a link
is a participant change (storage/channel_participants.py), one more use of the link
and its importer's row (storage/channel_joins.py), in one transaction under the
channel's lock. Links that need an admin's approval (request_needed) are stored here;
the requests made through them are storage/channel_joins.py's.
"""

from __future__ import annotations

import secrets

from .channel_joins import record_importer
from .channel_participants import add_participant
from .channel_rows import INVITE_COLUMNS, invite_from, lock_channel
from .db import Database, Executor
from .interface import InviteExpired, InviteInvalid
from .models import ChannelInviteRecord, ChannelParticipantChange

_INSERT = f"INSERT INTO channel_invites ({INVITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
_SELECT = f"SELECT {INVITE_COLUMNS} FROM channel_invites WHERE hash = $1"


class SqlChannelInvites:
    """storage.interface.ChannelInvites."""

    def __init__(self, db: Database):
        self._db = db

    async def create(self, channel_id: int, admin_id: int, *, date: int, expire_date: int | None = None,
                     usage_limit: int | None = None, title: str | None = None, permanent: bool = False,
                     request_needed: bool = False) -> ChannelInviteRecord:
        invite = ChannelInviteRecord(hash=secrets.token_urlsafe(12), channel_id=channel_id, admin_id=admin_id,
                                     date=date, expire_date=expire_date, usage_limit=usage_limit, title=title,
                                     permanent=permanent, request_needed=request_needed)
        return await self._db.transaction(_create, invite)

    async def get(self, hash: str) -> ChannelInviteRecord | None:
        row = await self._db.fetchrow(_SELECT, hash)
        return None if row is None else invite_from(row)

    async def list(self, channel_id: int, *, admin_id: int | None = None, revoked: bool = False,
                   limit: int = 100) -> list[ChannelInviteRecord]:
        where, args = "channel_id = $1 AND revoked = $2", [channel_id, revoked]
        if admin_id is not None:
            args.append(admin_id)
            where += f" AND admin_id = ${len(args)}"
        args.append(max(0, limit))
        rows = await self._db.fetch(f"SELECT {INVITE_COLUMNS} FROM channel_invites WHERE {where}"
                                    f" ORDER BY date DESC, hash LIMIT ${len(args)}", *args)
        return [invite_from(row) for row in rows]

    async def edit(self, hash: str, *, expire_date: int | None = None, usage_limit: int | None = None,
                   title: str | None = None, request_needed: bool | None = None,
                   revoked: bool | None = None) -> ChannelInviteRecord | None:
        """Changes the fields given (not None; 0 clears expire_date / usage_limit);
        None without such a link."""
        changes = {name: value for name, value in (
            ("expire_date", expire_date), ("usage_limit", usage_limit), ("title", title),
            ("request_needed", request_needed), ("revoked", revoked)) if value is not None}
        for name in ("expire_date", "usage_limit"):
            if changes.get(name) == 0:
                changes[name] = None
        if not changes:
            return await self.get(hash)
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        row = await self._db.fetchrow(f"UPDATE channel_invites SET {sets} WHERE hash = $1 RETURNING {INVITE_COLUMNS}",
                                      hash, *changes.values())
        return None if row is None else invite_from(row)

    async def delete(self, hash: str) -> bool:
        return bool(await self._db.execute("DELETE FROM channel_invites WHERE hash = $1", hash))

    async def join(self, hash: str, user_id: int, *, date: int,
                   limit: int | None = None) -> tuple[ChannelParticipantChange, ChannelInviteRecord]:
        return await self._db.transaction(_join, hash, user_id, date, limit)


async def _create(tx: Executor, invite: ChannelInviteRecord) -> ChannelInviteRecord:
    await lock_channel(tx, invite.channel_id)  # one permanent link at a time
    if invite.permanent:
        await tx.execute("UPDATE channel_invites SET revoked = $2 WHERE channel_id = $1 AND permanent AND NOT revoked",
                         invite.channel_id, True)
    await tx.execute(_INSERT, invite.hash, invite.channel_id, invite.admin_id, invite.date, invite.expire_date,
                     invite.usage_limit, invite.usage, invite.revoked, invite.permanent, invite.request_needed,
                     invite.title)
    return invite


async def _join(tx: Executor, hash: str, user: int, date: int,
                limit: int | None) -> tuple[ChannelParticipantChange, ChannelInviteRecord]:
    row = await tx.fetchrow(_SELECT, hash)
    if row is None:
        raise InviteInvalid(f"no invite {hash!r}")
    await lock_channel(tx, invite_from(row).channel_id)
    invite = invite_from(await tx.fetchrow(_SELECT, hash))  # again, under the lock: its uses count
    if not invite.usable(date):
        raise InviteExpired(f"invite {hash!r} can no longer be used")
    change = await add_participant(tx, invite.channel_id, user, invite.admin_id, date, limit, False)
    await record_importer(tx, hash, invite.channel_id, user, date, None)
    row = await tx.fetchrow(f"UPDATE channel_invites SET usage = usage + 1 WHERE hash = $1 RETURNING {INVITE_COLUMNS}",
                            hash)
    return change, invite_from(row)
