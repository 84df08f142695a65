"""Drafts: what a user was typing to a peer, one per (owner, peer) (storage.interface.Drafts).

Drafts are not message-box changes: they have no pts and no update-log rows (Telegram
pushes updateDraftMessage without pts), so a plain upsert is enough.
"""

from __future__ import annotations

import msgspec

from .db import Database, Row
from .models import DraftRecord
from .peer import Peer

_COLUMNS = "owner_id, peer_id, message, entities, reply_to_msg_id, no_webpage, date"


class SqlDrafts:
    def __init__(self, db: Database):
        self._db = db

    async def save(self, record: DraftRecord) -> None:
        await self._db.execute(
            f"INSERT INTO drafts ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (owner_id, peer_id) DO UPDATE SET message = excluded.message,"
            " entities = excluded.entities, reply_to_msg_id = excluded.reply_to_msg_id,"
            " no_webpage = excluded.no_webpage, date = excluded.date",
            record.owner_id, record.peer.key, record.message, msgspec.json.encode(record.entities).decode(),
            record.reply_to_msg_id, record.no_webpage, record.date)

    async def clear(self, owner_id: int, peer: Peer) -> bool:
        return bool(await self._db.execute("DELETE FROM drafts WHERE owner_id = $1 AND peer_id = $2",
                                           owner_id, peer.key))

    async def delete_all(self, owner_id: int) -> int:
        return await self._db.execute("DELETE FROM drafts WHERE owner_id = $1", owner_id)

    async def get(self, owner_id: int, peer: Peer) -> DraftRecord | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM drafts WHERE owner_id = $1 AND peer_id = $2",
                                      owner_id, peer.key)
        return None if row is None else _draft(row)

    async def list(self, owner_id: int) -> list[DraftRecord]:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM drafts WHERE owner_id = $1 ORDER BY date DESC, peer_id",
                                    owner_id)
        return [_draft(row) for row in rows]


def _draft(row: Row) -> DraftRecord:
    return DraftRecord(owner_id=row[0], peer=Peer.from_key(row[1]), message=row[2],
                       entities=msgspec.json.decode(row[3]), reply_to_msg_id=row[4], no_webpage=bool(row[5]),
                       date=row[6])
