"""Dialogs marked as unread (storage.interface.UnreadMarks): `dialogs.unread_mark`.

A flag the owner sets by hand (messages.markDialogUnread) and reading the dialog clears;
not a message-box change (updateDialogUnreadMark carries no pts), so nothing is logged.
"""

from __future__ import annotations

from .db import Database
from .peer import Peer


class SqlUnreadMarks:
    def __init__(self, db: Database):
        self._db = db

    async def mark(self, owner_id: int, peer: Peer, unread: bool) -> bool | None:
        # One statement: the flag changes only where it differs, so the row count says
        # whether anything changed, and two devices marking at once both see one answer.
        changed = await self._db.execute("UPDATE dialogs SET unread_mark = $3 WHERE owner_id = $1"
                                         " AND peer_id = $2 AND unread_mark <> $3", owner_id, peer.key, unread)
        if changed:
            return True
        exists = await self._db.fetchval("SELECT 1 FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                         owner_id, peer.key)
        return None if exists is None else False

    async def clear(self, owner_id: int, peer: Peer) -> bool:
        return bool(await self._db.execute("UPDATE dialogs SET unread_mark = FALSE WHERE owner_id = $1"
                                           " AND peer_id = $2 AND unread_mark", owner_id, peer.key))

    async def list(self, owner_id: int) -> list[Peer]:
        rows = await self._db.fetch("SELECT peer_id FROM dialogs WHERE owner_id = $1 AND unread_mark"
                                    " ORDER BY date DESC, top_message DESC", owner_id)
        return [Peer.from_key(row[0]) for row in rows]
