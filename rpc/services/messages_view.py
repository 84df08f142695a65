"""Stored messages and update-log rows as one reader sees them, in TL."""

from __future__ import annotations

import tl
from storage.models import MessageRecord, UpdateRecord
from tl import types as T

from .media_view import message_fields
from .peers import peer_object


def message(record: MessageRecord):
    """A private-chat message from its owner's box (peer_id is the other user)."""
    entities = [tl.from_dict(e) for e in record.entities] or None
    return T.Message(
        id=record.id, out=record.out, silent=record.silent, peer_id=peer_object(record.peer_id),
        from_id=T.PeerUser(user_id=record.from_id), date=record.date, message=record.message,
        entities=entities, edit_date=record.edit_date,
        reply_to=T.MessageReplyHeader(reply_to_msg_id=record.reply_to_msg_id) if record.reply_to_msg_id else None,
        **message_fields(record),
    )


def users_of(records) -> list[int]:
    ids: list[int] = []
    for r in records:
        ids += [r.peer_id, r.from_id]
    return list(dict.fromkeys(ids))


async def render_log(storage, user_id: int, rows: list[UpdateRecord]):
    """(new_messages, other_updates, user ids) for update-log rows, as getDifference
    and live pushes present them. A message deleted since is simply absent."""
    wanted = [r.data["id"] for r in rows if r.kind in ("new_message", "edit_message")]
    found = {m.id: m for m in await storage.messages.get(user_id, wanted)}
    new_messages, others, users = [], [], []
    for r in rows:
        if r.kind == "new_message" and r.data["id"] in found:
            new_messages.append(message(found[r.data["id"]]))
            users += users_of([found[r.data["id"]]])
        elif r.kind == "edit_message" and r.data["id"] in found:
            others.append(T.UpdateEditMessage(message=message(found[r.data["id"]]), pts=r.pts, pts_count=r.pts_count))
            users += users_of([found[r.data["id"]]])
        elif r.kind == "delete_messages":
            others.append(T.UpdateDeleteMessages(messages=list(r.data["ids"]), pts=r.pts, pts_count=r.pts_count))
        elif r.kind == "read_inbox":
            others.append(T.UpdateReadHistoryInbox(peer=peer_object(r.data["peer_id"]), max_id=r.data["max_id"],
                                                   still_unread_count=r.data.get("still_unread_count", 0),
                                                   pts=r.pts, pts_count=r.pts_count))
            users.append(r.data["peer_id"])
        elif r.kind == "read_outbox":
            others.append(T.UpdateReadHistoryOutbox(peer=peer_object(r.data["peer_id"]), max_id=r.data["max_id"],
                                                    pts=r.pts, pts_count=r.pts_count))
            users.append(r.data["peer_id"])
    return new_messages, others, list(dict.fromkeys(users))
