"""A message box's row (the `messages` table) as the kernel writes it: its columns and
a MessageRecord's values for them, shared by storage/message_boxes.py and
storage/sqlite_copies.py."""

from __future__ import annotations

from typing import Any

import msgspec

from .models import MessageRecord

MESSAGE_COLUMNS = ("owner_id, id, peer_id, from_id, out, date, message, entities, reply_to_msg_id, random_id,"
                   " edit_date, silent, shared_id, media, pinned, fwd_from, action")
MESSAGE_WIDTH = 17


def message_values(m: MessageRecord) -> tuple:
    """The values of MESSAGE_COLUMNS for this record (JSON as text)."""
    return (m.owner_id, m.id, m.peer_id, m.from_id, m.out, m.date, m.message, json_text(m.entities),
            m.reply_to_msg_id, m.random_id, m.edit_date, m.silent, m.shared_id, json_or_none(m.media), m.pinned,
            json_or_none(m.fwd_from), json_or_none(m.action))


def json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def json_or_none(value: Any) -> str | None:
    return None if value is None else json_text(value)
