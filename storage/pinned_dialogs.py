"""Pinned dialogs (storage.interface.PinnedDialogs): `dialogs.pinned_order`, NULL when
not pinned, higher first; a newly pinned dialog goes to the top.

Not a message-box change (updateDialogPinned / updatePinnedDialogs carry no pts), so
nothing is logged; the owner's box is still locked while the order changes, so two
devices pinning at once cannot pass the limit together.
"""

from __future__ import annotations

from collections.abc import Sequence

from .db import Database, Executor
from .interface import TooManyPinned
from .message_boxes import DIALOG_COLUMNS, dialog_record, lock_boxes
from .models import DialogRecord
from .peer import Peer

PINNED_LIMIT = 5  # Telegram's dialogs_pinned_max_default


class SqlPinnedDialogs:
    def __init__(self, db: Database):
        self._db = db

    async def pin(self, owner_id: int, peer: Peer, pinned: bool, *, limit: int = PINNED_LIMIT) -> bool | None:
        return await self._db.transaction(_pin, self._db.dialect, owner_id, peer.key, pinned, limit)

    async def reorder(self, owner_id: int, peers: Sequence[Peer], *, force: bool = False,
                      limit: int = PINNED_LIMIT) -> list[Peer]:
        order = await self._db.transaction(_reorder, self._db.dialect, owner_id,
                                           list(dict.fromkeys(p.key for p in peers)), force, limit)
        return [Peer.from_key(key) for key in order]

    async def list(self, owner_id: int) -> list[DialogRecord]:
        rows = await self._db.fetch(f"SELECT {DIALOG_COLUMNS} FROM dialogs WHERE owner_id = $1"
                                    " AND pinned_order IS NOT NULL ORDER BY pinned_order DESC", owner_id)
        return [dialog_record(row) for row in rows]


async def _pin(tx: Executor, dialect: str, owner: int, peer: int, pinned: bool, limit: int) -> bool | None:
    await lock_boxes(tx, dialect, (owner,))
    current = await tx.fetchrow("SELECT pinned_order FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                owner, peer)
    if current is None:
        return None
    if (current[0] is not None) == pinned:
        return False
    if not pinned:
        await tx.execute("UPDATE dialogs SET pinned_order = NULL WHERE owner_id = $1 AND peer_id = $2", owner, peer)
        return True
    count, top = await tx.fetchrow("SELECT count(*), max(pinned_order) FROM dialogs WHERE owner_id = $1"
                                   " AND pinned_order IS NOT NULL", owner)
    if count >= limit:
        raise TooManyPinned(f"user {owner} already has {count} pinned dialogs")
    await tx.execute("UPDATE dialogs SET pinned_order = $3 WHERE owner_id = $1 AND peer_id = $2",
                     owner, peer, (top or 0) + 1)
    return True


async def _reorder(tx: Executor, dialect: str, owner: int, order: list[int], force: bool, limit: int) -> list[int]:
    await lock_boxes(tx, dialect, (owner,))
    rows = await tx.fetch("SELECT peer_id, pinned_order FROM dialogs WHERE owner_id = $1", owner)
    known = {row[0] for row in rows}
    was_pinned = [row[0] for row in sorted((r for r in rows if r[1] is not None), key=lambda r: -r[1])]
    # The order names the top first; peers without a dialog are skipped. Without force,
    # pinned dialogs the order leaves out stay pinned, below it.
    wanted = [p for p in order if p in known]
    if not force:
        wanted += [p for p in was_pinned if p not in wanted]
    if len(wanted) > limit:
        raise TooManyPinned(f"user {owner} would have {len(wanted)} pinned dialogs")
    await tx.execute("UPDATE dialogs SET pinned_order = NULL WHERE owner_id = $1 AND pinned_order IS NOT NULL",
                     owner)
    for position, peer in enumerate(wanted):
        await tx.execute("UPDATE dialogs SET pinned_order = $3 WHERE owner_id = $1 AND peer_id = $2",
                         owner, peer, len(wanted) - position)
    return wanted
