"""Each channel's update log (storage.interface.ChannelLog): every change to its
messages by the pts it moved the channel to, read by updates.getChannelDifference.

One log per channel, not per member: a post to a channel of any size is one row
here. The kinds and data are those of the users' log (storage.models.UpdateRecord,
ChannelUpdateRecord): "new_message", "edit_message", "delete_messages",
"pinned_messages". A row is written in the transaction of the change it records,
under the channel's lock (storage/channels.py), with pts = the channel's pts before +
pts_count, so a channel's pts has no gaps and no duplicates.

Rows older than the retention (config.update_log_days, like the users' log) are
pruned; a client whose pts is older than the oldest row left gets too_long
(channelDifferenceTooLong: the dialog and the latest messages instead of the updates).
"""

from __future__ import annotations

from .channel_rows import UPDATE_COLUMNS, to_json, update_from
from .db import Database, Executor
from .models import ChannelDifferenceRecord, ChannelUpdateRecord

DIFFERENCE_LIMIT = 1000  # rows per difference at most

_BUMP_PTS = "UPDATE channels SET pts = pts + $2 WHERE id = $1 RETURNING pts"
_INSERT = f"INSERT INTO channel_update_log ({UPDATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
_BUMP_AND_LOG = (  # PostgreSQL: _BUMP_PTS and _INSERT in one statement (one hop, bench/README.md)
    "WITH bumped AS (UPDATE channels SET pts = pts + $2::integer WHERE id = $1 RETURNING pts)"
    f" INSERT INTO channel_update_log ({UPDATE_COLUMNS}) SELECT $1, pts, $2::integer, $3::text, $4::jsonb,"
    " $5::bigint FROM bumped RETURNING pts")


class SqlChannelLog:
    """storage.interface.ChannelLog."""

    def __init__(self, db: Database):
        self._db = db

    async def difference(self, channel_id: int, pts: int, limit: int = DIFFERENCE_LIMIT
                         ) -> ChannelDifferenceRecord | None:
        current = await self._db.fetchval("SELECT pts FROM channels WHERE id = $1", channel_id)
        if current is None:
            return None
        if pts >= current:
            return ChannelDifferenceRecord(pts=current, updates=[])
        rows = await self._db.fetch(f"SELECT {UPDATE_COLUMNS} FROM channel_update_log WHERE channel_id = $1"
                                    " AND pts > $2 ORDER BY pts LIMIT $3",
                                    channel_id, pts, max(1, min(limit, DIFFERENCE_LIMIT)))
        updates = [update_from(row) for row in rows]
        # The first update after the client's pts must start where the client is: if it
        # starts later (or nothing is left), what lay between was pruned.
        if not updates or updates[0].pts - updates[0].pts_count > pts:
            return ChannelDifferenceRecord(pts=current, updates=[], too_long=True)
        return ChannelDifferenceRecord(pts=current, updates=updates)

    async def row(self, channel_id: int, pts: int) -> ChannelUpdateRecord | None:
        row = await self._db.fetchrow(f"SELECT {UPDATE_COLUMNS} FROM channel_update_log WHERE channel_id = $1"
                                      " AND pts = $2", channel_id, pts)
        return None if row is None else update_from(row)

    async def prune_before(self, date: int) -> int:
        return await self._db.execute("DELETE FROM channel_update_log WHERE date < $1", date)

    async def rows(self) -> int:
        if self._db.dialect == "postgres":
            # As storage/messages.py's update_log_rows: the planner's estimate once big.
            estimate = await self._db.fetchval(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = 'channel_update_log'::regclass")
            if estimate is not None and estimate >= 100_000:
                return int(estimate)
        return int(await self._db.fetchval("SELECT count(*) FROM channel_update_log"))


async def log_update(tx: Executor, channel_id: int, pts_count: int, kind: str, data: dict, date: int) -> int:
    """Inside a transaction holding the channel's lock: moves its pts by pts_count and logs
    the update; returns the new pts."""
    if tx.dialect == "postgres":
        return await tx.fetchval(_BUMP_AND_LOG, channel_id, pts_count, kind, to_json(data), date)
    pts = await tx.fetchval(_BUMP_PTS, channel_id, pts_count)
    await insert_log_row(tx, channel_id, pts, pts_count, kind, data, date)
    return pts


async def insert_log_row(tx: Executor, channel_id: int, pts: int, pts_count: int, kind: str, data: dict,
                         date: int) -> None:
    """The log row of an update whose pts the caller has already moved (a send moves it
    with the message id, in one statement)."""
    await tx.execute(_INSERT, channel_id, pts, pts_count, kind, to_json(data), date)
