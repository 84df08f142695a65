"""SQLite: the copies of a new message written a step at a time for all boxes at once
(storage/message_boxes.py ``deliver``), where PostgreSQL writes them in one statement
(``_COPIES_IN_ONE``). Each step (the boxes' next ids, the messages, the dialogs, the pts,
the update-log rows) is one multi-row statement, so a copy costs no statement of its
own: each SQLite statement is a hop into the worker thread, and a basic group's
message has a copy per member. The transaction holds the whole database (BEGIN
IMMEDIATE) and the boxes are the caller's alone, so the steps may be taken in any
order of boxes.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .db import Executor, chunks, in_list
from .message_rows import MESSAGE_COLUMNS, MESSAGE_WIDTH, json_text, message_values
from .models import MessageRecord
from .update_log import UpdateKind

_ROWS_PER_STATEMENT = 500  # × 17 message columns, well under SQLite's 32766 parameters


def _rows(count: int, width: int) -> str:
    """``($1, $2), ($3, $4), ...``: count rows of width placeholders."""
    return ", ".join(f"({in_list(width, start=1 + row * width)})" for row in range(count))


async def write_copies(tx: Executor, copies: Sequence[MessageRecord], date: int) -> list[tuple[MessageRecord, int]]:
    """The copies (id still 0) written with their box's next id, each box's dialog and
    pts step and new_message log row: [(copy with its id, the box's pts after it)], in
    the order given."""
    result = []
    for part in chunks(copies, _ROWS_PER_STATEMENT):
        owners = [c.owner_id for c in part]
        rows = await tx.fetch(
            "INSERT INTO message_boxes (user_id, last_message_id) VALUES "
            + ", ".join(f"(${i}, 1)" for i in range(1, len(owners) + 1))
            + " ON CONFLICT (user_id) DO UPDATE SET last_message_id = message_boxes.last_message_id + 1"
            " RETURNING user_id, last_message_id", *owners)
        ids = {row[0]: row[1] for row in rows}
        part = [msgspec.structs.replace(c, id=ids[c.owner_id]) for c in part]
        await tx.execute(f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES {_rows(len(part), MESSAGE_WIDTH)}",
                         *(value for c in part for value in message_values(c)))
        await tx.execute(
            f"INSERT INTO dialogs (owner_id, peer_id, top_message, unread_count, date) VALUES {_rows(len(part), 5)}"
            " ON CONFLICT (owner_id, peer_id) DO UPDATE SET top_message = excluded.top_message,"
            " date = excluded.date, unread_count = dialogs.unread_count + excluded.unread_count",
            *(value for c in part for value in (c.owner_id, c.peer_id, c.id, 0 if c.out else 1, date)))
        rows = await tx.fetch(
            "UPDATE update_state SET pts = pts + 1, date = CASE WHEN date < $1 THEN $1 ELSE date END"
            f" WHERE user_id IN ({in_list(len(owners), start=2)}) RETURNING user_id, pts", date, *owners)
        pts = {row[0]: row[1] for row in rows}
        await tx.execute(
            f"INSERT INTO update_log (user_id, pts, pts_count, kind, data, date) VALUES {_rows(len(part), 6)}",
            *(value for c in part for value in (c.owner_id, pts[c.owner_id], 1, UpdateKind.NEW_MESSAGE.value,
                                                json_text({"id": c.id}), date)))
        result += [(c, pts[c.owner_id]) for c in part]
    return result

