"""Deleting a whole chat history (messages.deleteHistory) (storage.interface.ChatHistory).

Removes the owner's messages of one dialog in batches, newest first, exactly as
storage.messages.delete does (one "delete_messages" per box, dialogs recomputed; with
revoke the other side's copies too). A batch is one transaction; what is left is
reported so that the caller answers affectedHistory.offset and the client calls again.
"""

from __future__ import annotations

from typing import Any

from .db import Database, Executor
from .messages import _delete, _lock_boxes

BATCH = 1000


class SqlChatHistory:
    def __init__(self, db: Database):
        self._db = db

    async def delete(self, owner_id: int, peer_id: int, *, max_id: int = 0, min_date: int = 0, max_date: int = 0,
                     revoke: bool = False, just_clear: bool = False, now: int, batch: int = BATCH,
                     ) -> tuple[dict[int, tuple[int, int, list[int]]], int]:
        return await self._db.transaction(_delete_history, self._db.dialect, owner_id, peer_id, max_id, min_date,
                                          max_date, revoke, just_clear, now, max(1, batch))


async def _delete_history(tx: Executor, dialect: str, owner: int, peer: int, max_id: int, min_date: int,
                          max_date: int, revoke: bool, just_clear: bool, now: int,
                          batch: int) -> tuple[dict[int, tuple[int, int, list[int]]], int]:
    await _lock_boxes(tx, dialect, {owner, peer} if revoke and peer > 0 else {owner})
    where = ["owner_id = $1", "peer_id = $2"]
    args: list[Any] = [owner, peer]
    for condition, value in (("id <= ${}", max_id), ("date >= ${}", min_date), ("date <= ${}", max_date)):
        if value > 0:
            args.append(value)
            where.append(condition.format(len(args)))
    ids = [row[0] for row in await tx.fetch(f"SELECT id FROM messages WHERE {' AND '.join(where)}"
                                            f" ORDER BY id DESC LIMIT {batch + 1}", *args)]
    more = len(ids) > batch
    changed = await _delete(tx, dialect, owner, ids[:batch], revoke, now) if ids else {}
    left = 0
    if more:
        left = await tx.fetchval(f"SELECT count(*) FROM messages WHERE {' AND '.join(where)}", *args)
    elif not just_clear and not await tx.fetchval("SELECT count(*) FROM messages WHERE owner_id = $1"
                                                  " AND peer_id = $2", owner, peer):
        # The dialog itself goes (a cleared one stays, empty, where it was pinned).
        await tx.execute("DELETE FROM dialogs WHERE owner_id = $1 AND peer_id = $2", owner, peer)
    return changed, left
