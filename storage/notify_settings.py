"""Notification settings (storage.interface.NotifySettings): per user, per chat or per
global scope (all private chats, all groups, all channels). A global scope's row has
peer_id 0 (no peer's key is 0).

Not message-box changes (updateNotifySettings carries no pts), so a plain upsert: the
settings a client sends replace what was stored for that scope, and settings with
nothing set are the same as none, so their row goes.
"""

from __future__ import annotations

import msgspec

from .db import Database, Row, chunks, in_list
from .models import NotifySettingsRecord
from .peer import Peer

_COLUMNS = ("owner_id, scope, peer_id, show_previews, silent, mute_until, sound, stories_muted,"
            " stories_hide_sender, stories_sound")


class SqlNotifySettings:
    def __init__(self, db: Database):
        self._db = db

    async def set(self, record: NotifySettingsRecord) -> None:
        if record.is_empty():
            await self.clear(record.owner_id, record.scope, record.peer)
            return
        await self._db.execute(
            f"INSERT INTO notify_settings ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (owner_id, scope, peer_id) DO UPDATE SET show_previews = excluded.show_previews,"
            " silent = excluded.silent, mute_until = excluded.mute_until, sound = excluded.sound,"
            " stories_muted = excluded.stories_muted, stories_hide_sender = excluded.stories_hide_sender,"
            " stories_sound = excluded.stories_sound",
            record.owner_id, record.scope, _key(record.peer), record.show_previews, record.silent, record.mute_until,
            _json(record.sound), record.stories_muted, record.stories_hide_sender, _json(record.stories_sound))

    async def clear(self, owner_id: int, scope: str, peer: Peer | None = None) -> bool:
        return bool(await self._db.execute(
            "DELETE FROM notify_settings WHERE owner_id = $1 AND scope = $2 AND peer_id = $3",
            owner_id, scope, _key(peer)))

    async def get(self, owner_id: int, scope: str, peer: Peer | None = None) -> NotifySettingsRecord | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM notify_settings WHERE owner_id = $1 AND scope = $2"
                                      " AND peer_id = $3", owner_id, scope, _key(peer))
        return None if row is None else _record(row)

    async def for_peers(self, owner_id: int, peers: list[Peer]) -> dict[Peer, NotifySettingsRecord]:
        found: dict[Peer, NotifySettingsRecord] = {}
        for part in chunks(list(dict.fromkeys(p.key for p in peers))):
            rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM notify_settings WHERE owner_id = $1"
                                        f" AND scope = 'peer' AND peer_id IN ({in_list(len(part), 2)})",
                                        owner_id, *part)
            found.update((record.peer, record) for record in map(_record, rows))
        return found

    async def list(self, owner_id: int) -> list[NotifySettingsRecord]:
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM notify_settings WHERE owner_id = $1"
                                    " ORDER BY scope, peer_id", owner_id)
        return [_record(row) for row in rows]

    async def reset(self, owner_id: int) -> list[NotifySettingsRecord]:
        rows = await self._db.fetch(f"DELETE FROM notify_settings WHERE owner_id = $1 RETURNING {_COLUMNS}",
                                    owner_id)
        return sorted((_record(row) for row in rows), key=lambda r: (r.scope, _key(r.peer)))


def _key(peer: Peer | None) -> int:
    return 0 if peer is None else peer.key


def _json(value: dict | None) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


def _bool(value) -> bool | None:
    return None if value is None else bool(value)


def _record(row: Row) -> NotifySettingsRecord:
    return NotifySettingsRecord(
        owner_id=row[0], scope=row[1], peer=Peer.from_key(row[2]) if row[2] else None,
        show_previews=_bool(row[3]), silent=_bool(row[4]),
        mute_until=row[5], sound=None if row[6] is None else msgspec.json.decode(row[6]),
        stories_muted=_bool(row[7]), stories_hide_sender=_bool(row[8]),
        stories_sound=None if row[9] is None else msgspec.json.decode(row[9]))
