"""Channels' admin logs (storage.interface.ChannelAdminLog): the recent actions of their
admins and the comings and goings of members, for channels.getAdminLog.

Storage keeps each event's action as the rpc layer gives it (rpc/channels/admin_log.py
owns the shape) and reads back what a query selects: by category (the filter flags), by
actor, by words (`search_text`, lowercased here so both dialects compare alike), paged
by id. Events older than 48 hours are pruned (server/maintenance.py), as Telegram keeps
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from .channel_rows import to_json
from .db import Database, Row, like_escape
from .models import ChannelAdminLogRecord

LIMIT_MAX = 100
COLUMNS = "id, channel_id, date, user_id, category, data"


class SqlChannelAdminLog:
    """storage.interface.ChannelAdminLog."""

    def __init__(self, db: Database):
        self._db = db

    async def add(self, channel_id: int, user_id: int, *, date: int, category: str, data: dict[str, Any],
                  search_text: str = "") -> int:
        return await self._db.fetchval(
            "INSERT INTO channel_admin_log (channel_id, date, user_id, category, data, search_text)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            channel_id, date, user_id, category, to_json(data), search_text.lower())

    async def events(self, channel_id: int, *, categories: Iterable[str] | None = None,
                     user_ids: Iterable[int] | None = None, query: str = "", max_id: int = 0, min_id: int = 0,
                     since: int = 0, limit: int = 100) -> list[ChannelAdminLogRecord]:
        where, args = ["channel_id = $1"], [channel_id]

        def arg(value) -> str:
            args.append(value)
            return f"${len(args)}"

        if categories is not None:
            wanted = sorted(set(categories))
            if not wanted:
                return []
            where.append(f"category IN ({', '.join(arg(c) for c in wanted)})")
        if user_ids is not None:
            actors = sorted(set(user_ids))
            if not actors:
                return []
            where.append(f"user_id IN ({', '.join(arg(u) for u in actors)})")
        folded = query.strip().lower()
        if folded:
            where.append(f"search_text LIKE {arg('%' + like_escape(folded) + '%')} ESCAPE '\\'")
        if max_id:
            where.append(f"id < {arg(max_id)}")
        if min_id:
            where.append(f"id > {arg(min_id)}")
        if since:
            where.append(f"date >= {arg(since)}")
        rows = await self._db.fetch(f"SELECT {COLUMNS} FROM channel_admin_log WHERE {' AND '.join(where)}"
                                    f" ORDER BY id DESC LIMIT {arg(max(0, min(limit, LIMIT_MAX)))}", *args)
        return [_from(row) for row in rows]

    async def prune_before(self, date: int) -> int:
        return await self._db.execute("DELETE FROM channel_admin_log WHERE date < $1", date)


def _from(row: Row) -> ChannelAdminLogRecord:
    data = row[5]
    return ChannelAdminLogRecord(id=row[0], channel_id=row[1], date=row[2], user_id=row[3], category=row[4],
                                 data=msgspec.json.decode(data) if isinstance(data, (str, bytes)) else data)
