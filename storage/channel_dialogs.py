"""A member's dialogs with channels, and their read state (storage.interface.ChannelDialogs).
The list (not `dialog`) also shows the channels the user was banned from, as Telegram's.

Nothing here is written per message: a channel dialog is composed when it is read,
from the channel (top message, its date, pts, the channel-wide outbox mark), the
member's participant row (read_inbox_max_id) and their ``dialogs`` row
(storage/channel_participants.py: the pin and unread mark). The unread count is
counted then: the channel's messages after the member's read_inbox_max_id that they
did not send (deleted ones are gone). messages.getDialogs merges these with
Messages.dialogs by date.

The outbox mark (channels.read_outbox_max_id) is channel-wide, as Telegram shows it in
supergroups: the newest message some member other than its sender has read. A read
that moves it locks the channel's row before the reader's participant row, the order
every channel write takes (storage/channels.py).
"""

from __future__ import annotations

from typing import Any

from .channel_rows import MEMBER_ROLES_SQL, participant_row
from .db import Database, Executor, Row
from .interface import NotParticipant
from .models import ChannelDialogRecord, ChannelReadRecord
from .peer import Peer, PeerKind

DIALOGS_LIMIT = 100

_UNREAD = ("SELECT count(*) FROM channel_messages WHERE channel_id = $1 AND id > $2 AND sender_id <> $3")
_DIALOG = (
    "SELECT c.id, c.top_message, c.top_date, p.read_inbox_max_id, c.read_outbox_max_id,"
    " (SELECT count(*) FROM channel_messages m WHERE m.channel_id = c.id AND m.id > p.read_inbox_max_id"
    "  AND m.sender_id <> p.user_id), c.pts, p.available_min_id"
    " FROM channel_participants p JOIN channels c ON c.id = p.channel_id"
    f" WHERE p.user_id = $1 AND p.role IN {MEMBER_ROLES_SQL} AND NOT c.deactivated")
# The list also keeps the channels the user was put out of while a member, as Telegram's
# does (the client shows them as channelForbidden): their dialog ends where the ban came,
# at the last message sent before it (their read mark, storage/channel_participants.py),
# nothing unread.
_LISTED = (f"p.user_id = $1 AND (p.role IN {MEMBER_ROLES_SQL} OR (p.role = 'kicked' AND p.read_inbox_max_id > 0))"
           " AND NOT c.deactivated")
_KICKED = "p.role = 'kicked'"
_DIALOGS = (
    "SELECT * FROM (SELECT c.id AS id,"
    f" CASE WHEN {_KICKED} THEN p.read_inbox_max_id ELSE c.top_message END AS top_message,"
    f" CASE WHEN {_KICKED} THEN p.date ELSE c.top_date END AS top_date,"
    " p.read_inbox_max_id AS read_inbox_max_id, c.read_outbox_max_id AS read_outbox_max_id,"
    f" CASE WHEN {_KICKED} THEN 0 ELSE (SELECT count(*) FROM channel_messages m WHERE m.channel_id = c.id"
    "  AND m.id > p.read_inbox_max_id AND m.sender_id <> p.user_id) END AS unread_count,"
    " c.pts AS pts, p.available_min_id AS available_min_id"
    f" FROM channel_participants p JOIN channels c ON c.id = p.channel_id WHERE {_LISTED}) d WHERE 1 = 1")


class SqlChannelDialogs:
    """storage.interface.ChannelDialogs."""

    def __init__(self, db: Database):
        self._db = db

    async def dialogs(self, user_id: int, *, offset_date: int = 0, offset_channel_id: int = 0, limit: int = 100,
                      exclude_pinned: bool = False) -> tuple[list[ChannelDialogRecord], int]:
        total = await self._db.fetchval(
            f"SELECT count(*) FROM channel_participants p JOIN channels c ON c.id = p.channel_id WHERE {_LISTED}",
            user_id)
        limit = min(limit, DIALOGS_LIMIT)
        if limit <= 0:
            return [], total
        flags = await self._flags(user_id)
        sql, args = _DIALOGS, [user_id]
        if exclude_pinned:
            pinned = [channel_id for channel_id, (order, _) in flags.items() if order is not None]
            if pinned:
                sql += f" AND d.id NOT IN ({', '.join(f'${i}' for i in range(2, len(pinned) + 2))})"
                args += pinned
        if offset_date > 0:
            args += [offset_date, offset_channel_id or 2 ** 62]
            n = len(args)
            sql += f" AND (d.top_date < ${n - 1} OR (d.top_date = ${n - 1} AND d.id < ${n}))"
        args.append(limit)
        rows = await self._db.fetch(f"{sql} ORDER BY d.top_date DESC, d.id DESC LIMIT ${len(args)}", *args)
        return [_dialog(row, flags) for row in rows], total

    async def dialog(self, user_id: int, channel_id: int) -> ChannelDialogRecord | None:
        row = await self._db.fetchrow(f"{_DIALOG} AND c.id = $2", user_id, channel_id)
        if row is None:
            return None
        return _dialog(row, await self._flags(user_id))

    async def read_history(self, channel_id: int, user_id: int, max_id: int) -> ChannelReadRecord:
        return await self._db.transaction(_read_history, channel_id, user_id, max_id)

    async def _flags(self, user_id: int) -> dict[int, tuple[int | None, bool]]:
        """{channel_id: (pinned_order, unread_mark)} of the member's dialogs rows that have either."""
        rows = await self._db.fetch("SELECT peer_id, pinned_order, unread_mark FROM dialogs WHERE owner_id = $1"
                                    " AND (pinned_order IS NOT NULL OR unread_mark)", user_id)
        found = {}
        for key, order, mark in rows:
            peer = Peer.from_key(key)
            if peer.kind is PeerKind.CHANNEL:
                found[peer.id] = (order, bool(mark))
        return found


async def _read_history(tx: Executor, channel_id: int, user: int, max_id: int) -> ChannelReadRecord:
    me = await participant_row(tx, channel_id, user)
    if me is None or not me.is_member:
        raise NotParticipant(f"user {user} is not in channel {channel_id}")
    top, outbox = await tx.fetchrow("SELECT last_message_id, read_outbox_max_id FROM channels WHERE id = $1",
                                    channel_id)
    target = top if max_id <= 0 else min(max_id, top)
    authors: list[int] = []
    # The outbox first: the channel's row before the participant's (the module docstring).
    newest = await tx.fetchval("SELECT max(id) FROM channel_messages WHERE channel_id = $1 AND id <= $2"
                               " AND sender_id <> $3", channel_id, target, user)
    if newest is not None and newest > outbox and await tx.execute(
            "UPDATE channels SET read_outbox_max_id = $2 WHERE id = $1 AND read_outbox_max_id < $2",
            channel_id, newest):
        # sender 0: a post's copy in a discussion group, sent by no user (storage/discussions.py).
        rows = await tx.fetch("SELECT DISTINCT sender_id FROM channel_messages WHERE channel_id = $1 AND id > $2"
                              " AND id <= $3 AND sender_id <> $4 AND sender_id <> 0 ORDER BY sender_id",
                              channel_id, outbox, newest, user)
        authors = [row[0] for row in rows]
        outbox = newest
    else:
        outbox = max(outbox, newest or 0)
    # Two devices reading at once: the mark only rises.
    moved = bool(await tx.execute("UPDATE channel_participants SET read_inbox_max_id = $3 WHERE channel_id = $1"
                                  " AND user_id = $2 AND read_inbox_max_id < $3", channel_id, user, target))
    read_max = target if moved else (await participant_row(tx, channel_id, user)).read_inbox_max_id
    unread = await tx.fetchval(_UNREAD, channel_id, read_max, user)
    return ChannelReadRecord(read_inbox_max_id=read_max, still_unread_count=unread, inbox_moved=moved,
                             read_outbox_max_id=outbox, outbox_authors=authors)


def _dialog(row: Row, flags: dict[int, tuple[Any, bool]]) -> ChannelDialogRecord:
    order, mark = flags.get(row[0], (None, False))
    return ChannelDialogRecord(channel_id=row[0], top_message=row[1], date=row[2], read_inbox_max_id=row[3],
                               read_outbox_max_id=row[4], unread_count=row[5], pts=row[6], available_min_id=row[7],
                               pinned_order=order, unread_mark=mark)
