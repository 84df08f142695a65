"""Deleting a whole chat history (messages.deleteHistory) (storage.interface.ChatHistory).

Removes the owner's messages of one dialog in batches, newest first, as
storage.messages.delete does (one "delete_messages" per box, dialogs recomputed); with
revoke the other side's dialog with the owner goes too, as in Telegram's "delete for
both" (their copies of what the owner had deleted only for themselves included). A batch is one transaction; what is left is
reported so that the caller answers affectedHistory.offset and the client calls again.
"""

from __future__ import annotations

from typing import Any

from .db import Database, Executor
from .message_boxes import delete_messages, lock_boxes
from .peer import Peer

BATCH = 1000


class SqlChatHistory:
    def __init__(self, db: Database):
        self._db = db

    async def delete(self, owner_id: int, peer: Peer, *, max_id: int = 0, min_date: int = 0, max_date: int = 0,
                     revoke: bool = False, just_clear: bool = False, now: int, batch: int = BATCH,
                     ) -> tuple[dict[int, tuple[int, int, list[int]]], int]:
        return await self._db.transaction(_delete_history, self._db.dialect, owner_id, peer.key, max_id, min_date,
                                          max_date, revoke, just_clear, now, max(1, batch))


async def _delete_history(tx: Executor, dialect: str, owner: int, peer: int, max_id: int, min_date: int,
                          max_date: int, revoke: bool, just_clear: bool, now: int,
                          batch: int) -> tuple[dict[int, tuple[int, int, list[int]]], int]:
    both = revoke and 0 < peer != owner
    await lock_boxes(tx, dialect, {owner, peer} if both else {owner})
    dates = []
    for condition, value in (("date >= {}", min_date), ("date <= {}", max_date)):
        if value > 0:
            dates.append((condition, value))
    mine = [("id <= {}", max_id)] if max_id > 0 else []
    changed, left = {}, 0
    sides = [(owner, peer, dates + mine)]
    if both:
        # For both sides: the peer's whole dialog with the owner, their copies of messages
        # the owner had already deleted for themselves included. max_id is in the owner's
        # box; ids and shared ids grow together there, so it bounds the shared ids.
        theirs = list(dates)
        if max_id > 0:
            bound = await tx.fetchval("SELECT max(shared_id) FROM messages WHERE owner_id = $1 AND id <= $2",
                                      owner, max_id)
            theirs.append(("shared_id <= {}", -1 if bound is None else bound))
        sides.append((peer, owner, theirs))
    for box, other, conditions in sides:
        where = ["owner_id = $1", "peer_id = $2"]
        args: list[Any] = [box, other]
        for condition, value in conditions:
            args.append(value)
            where.append(condition.format(f"${len(args)}"))
        sql = " AND ".join(where)
        ids = [row[0] for row in await tx.fetch(f"SELECT id FROM messages WHERE {sql} ORDER BY id DESC"
                                                f" LIMIT {batch + 1}", *args)]
        if ids:
            changed.update(await delete_messages(tx, dialect, box, ids[:batch], False, now, set()))
        if len(ids) > batch:
            left += await tx.fetchval(f"SELECT count(*) FROM messages WHERE {sql}", *args)
    if not left and not just_clear and not await tx.fetchval(
            "SELECT count(*) FROM messages WHERE owner_id = $1 AND peer_id = $2", owner, peer):
        # The dialog itself goes (a cleared one stays, empty, where it was pinned).
        await tx.execute("DELETE FROM dialogs WHERE owner_id = $1 AND peer_id = $2", owner, peer)
    return changed, left
