"""The per-user update log: one row per change to a user's message box, the source of
updates.getDifference and of the pts in every answer that changed a box.

A row is (user_id, pts, pts_count, kind, data, date): the change moved the box's pts
(``update_state.pts``) from pts - pts_count to pts. ``log_update`` moves the pts and
writes the row together, inside the caller's transaction and under its lock on the box
(storage/message_boxes.py's rules), so a box's log has no gaps and no duplicates.

Rows are meaning, not TL: ``kind`` is one of :class:`UpdateKind` and ``data`` a small
JSON object, rendered for each reader at read time (rpc/services/messages_view.py
render_log). The kinds are stored as their strings: a value is never renamed, or
existing databases would hold rows nobody reads.

Rows are pruned by age (server/maintenance.py, config.update_log_days); a client whose
pts falls before the oldest row left gets differenceTooLong (rpc/updates.py).
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from .db import Executor, Row
from .models import UpdateRecord


class UpdateKind(enum.StrEnum):
    """What a log row records, and the shape of its data (storage peer ids: a user, or
    -chat_id for a basic group)."""

    NEW_MESSAGE = "new_message"  # {"id": the message's id in this box}
    EDIT_MESSAGE = "edit_message"  # {"id"}
    DELETE_MESSAGES = "delete_messages"  # {"ids": [...]}; pts_count = len(ids)
    READ_INBOX = "read_inbox"  # {"peer_id", "max_id", "still_unread_count"}
    READ_OUTBOX = "read_outbox"  # {"peer_id", "max_id"}
    PINNED_MESSAGES = "pinned_messages"  # {"peer_id", "ids": [...], "pinned": bool}; pts_count = len(ids)
    # The user's standing in a channel changed (joined, left, kicked, promoted...):
    # updateChannel in getDifference, so a device that was away learns of it. pts_count 1:
    # the log is read by pts, so a row must move the box to be found after a client's pts.
    CHANNEL = "channel"  # {"channel_id"}


_COLUMNS = "user_id, pts, pts_count, kind, data, date"
_BUMP_PTS = ("UPDATE update_state SET pts = pts + $2, date = CASE WHEN date < $3 THEN $3 ELSE date END"
             " WHERE user_id = $1 RETURNING pts")
_INSERT = f"INSERT INTO update_log ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
_BUMP_AND_INSERT = (  # PostgreSQL: _BUMP_PTS and _INSERT in one statement
    "WITH bumped AS (UPDATE update_state SET pts = pts + $2::integer,"
    " date = CASE WHEN date < $3::bigint THEN $3::bigint ELSE date END WHERE user_id = $1 RETURNING pts)"
    f" INSERT INTO update_log ({_COLUMNS}) SELECT $1, pts, $2::integer, $4::text, $5::jsonb, $3::bigint"
    " FROM bumped RETURNING pts")


# -- writing ---------------------------------------------------------------------------------


async def log_update(tx: Executor, user_id: int, pts_count: int, kind: UpdateKind, data: dict, date: int) -> int:
    """Moves the (locked) box's pts by pts_count and logs the update; returns the new pts.
    ValueError for a kind that is not an UpdateKind: readers would skip such a row, and
    the box would have a pts step no client is ever told about."""
    if not isinstance(kind, UpdateKind):
        raise ValueError(f"not an update-log kind: {kind!r} (storage.update_log.UpdateKind)")
    if tx.dialect == "postgres":
        # One statement, not two: every statement through trio-asyncio costs ~0.15 ms of
        # CPU, and a delivered message writes two of these (bench/README.md).
        return await tx.fetchval(_BUMP_AND_INSERT, user_id, pts_count, date, kind.value, _json(data))
    pts = await tx.fetchval(_BUMP_PTS, user_id, pts_count, date)
    await tx.execute(_INSERT, user_id, pts, pts_count, kind.value, _json(data), date)
    return pts


# -- reading ---------------------------------------------------------------------------------


async def updates_after(ex: Executor, user_id: int, from_pts: int, limit: int) -> list[UpdateRecord]:
    """The rows with pts > from_pts, ascending, at most limit (Messages.update_log)."""
    rows = await ex.fetch(f"SELECT {_COLUMNS} FROM update_log WHERE user_id = $1 AND pts > $2"
                          " ORDER BY pts LIMIT $3", user_id, from_pts, max(0, limit))
    return [update_record(row) for row in rows]


async def oldest_pts(ex: Executor, user_id: int) -> int | None:
    """The pts just before the oldest row left (its pts - pts_count); None if none is."""
    return await ex.fetchval("SELECT min(pts - pts_count) FROM update_log WHERE user_id = $1", user_id)


async def logged_pts(ex: Executor, user_id: int, kind: UpdateKind, data: dict) -> int | None:
    """The pts of the newest row of this kind with exactly this data (a retried send asks
    for its message's "new_message"); None once pruned."""
    return await ex.fetchval("SELECT pts FROM update_log WHERE user_id = $1 AND kind = $2 AND data = $3"
                             " ORDER BY pts DESC LIMIT 1", user_id, kind.value, _json(data))


async def row_count(ex: Executor) -> int:
    """Rows in every user's log (for metrics): exact on SQLite and for small PostgreSQL
    tables, the planner's estimate for big ones."""
    if ex.dialect == "postgres":
        # count(*) reads the whole table; the planner's estimate is free, and close
        # enough once the table is big (-1 before its first ANALYZE).
        estimate = await ex.fetchval("SELECT reltuples::bigint FROM pg_class WHERE oid = 'update_log'::regclass")
        if estimate is not None and estimate >= 100_000:
            return int(estimate)
    return int(await ex.fetchval("SELECT count(*) FROM update_log"))


# -- pruning ---------------------------------------------------------------------------------


async def prune_box(ex: Executor, user_id: int, keep_after_pts: int) -> int:
    """Forgets one user's rows with pts <= keep_after_pts; returns how many."""
    return await ex.execute("DELETE FROM update_log WHERE user_id = $1 AND pts <= $2", user_id, keep_after_pts)


async def prune_before(ex: Executor, date: int) -> int:
    """Forgets every user's rows logged before `date`; returns how many."""
    return await ex.execute("DELETE FROM update_log WHERE date < $1", date)


def update_record(row: Row) -> UpdateRecord:
    return UpdateRecord(user_id=row[0], pts=row[1], pts_count=row[2], kind=_kind(row[3]),
                        data=msgspec.json.decode(row[4]), date=row[5])


def _kind(stored: str) -> str:
    """The row's UpdateKind; a kind this server does not know (written by a newer one
    sharing the database) stays a plain string, which every reader skips."""
    try:
        return UpdateKind(stored)
    except ValueError:
        return stored


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()
