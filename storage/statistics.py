"""Counts for operators (the admin API's /admin/api/stats): accounts, activity,
messages, groups and the bytes files take. Read-only; each figure is one statement.

Daily activity comes from authorizations.active_at (the last request of each logged-in
device), so it counts users active in the last N days, not a history of past days.
Messages per day count what is still stored (a message has one row per participant's
box: they are counted once, by shared_id), by UTC day of sending.
"""

from __future__ import annotations

import time

from .db import Database

DAY = 86400
FIRST_USER_ID = 1000000  # ids below are fixed accounts (the service account, 777000)


class SqlStatistics:
    def __init__(self, db: Database):
        self._db = db

    async def summary(self, now: int, days: int = 14) -> dict:
        db = self._db
        users = await db.fetchrow(
            "SELECT count(*), coalesce(sum(CASE WHEN banned THEN 1 ELSE 0 END), 0) FROM users"
            " WHERE NOT deleted AND id >= $1", FIRST_USER_ID)
        active = {}
        for label, span in (("1d", 1), ("7d", 7), ("30d", 30)):
            active[label] = await db.fetchval(
                "SELECT count(DISTINCT user_id) FROM authorizations WHERE active_at >= $1", now - span * DAY)
        since = (now // DAY - (days - 1)) * DAY
        rows = await db.fetch(
            "SELECT date / 86400 AS day, count(DISTINCT shared_id) FROM messages WHERE date >= $1"
            " GROUP BY date / 86400 ORDER BY day", since)
        per_day = {int(row[0]): int(row[1]) for row in rows}
        files = await db.fetchrow("SELECT count(*), coalesce(sum(size), 0) FROM files")
        uploads = await db.fetchval("SELECT coalesce(sum(size), 0) FROM upload_parts")
        return {
            "users": {"total": int(users[0]), "banned": int(users[1])},
            "active_users": {k: int(v) for k, v in active.items()},
            "sessions": int(await db.fetchval("SELECT count(*) FROM authorizations WHERE parent_auth_key_id = 0")),
            "messages": {
                "total": int(await db.fetchval("SELECT count(DISTINCT shared_id) FROM messages")),
                "per_day": [{"day": _iso_day(day), "messages": per_day.get(day, 0)}
                            for day in range(since // DAY, now // DAY + 1)],
            },
            "groups": int(await db.fetchval("SELECT count(*) FROM chats WHERE NOT deactivated")),
            "storage": {"files": int(files[0]), "file_bytes": int(files[1]), "pending_upload_bytes": int(uploads)},
        }


def _iso_day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
