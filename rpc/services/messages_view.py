"""Stored messages and update-log rows as one reader sees them, in TL."""

from __future__ import annotations

import tl
from storage.models import MessageRecord, UpdateRecord
from tl import types as T

from .peers import peer_object


def message(record: MessageRecord):
    """A message from its owner's box: peer_id is the other user of a private chat, or
    the basic group; a service message (record.action) is a messageService."""
    reply_to = T.MessageReplyHeader(reply_to_msg_id=record.reply_to_msg_id) if record.reply_to_msg_id else None
    if record.action is not None:
        return T.MessageService(
            id=record.id, out=record.out, silent=record.silent, peer_id=peer_object(record.peer_id),
            from_id=T.PeerUser(user_id=record.from_id), date=record.date, action=tl.from_dict(record.action),
            reply_to=reply_to)
    entities = [tl.from_dict(e) for e in record.entities] or None
    return T.Message(
        id=record.id, out=record.out, silent=record.silent, peer_id=peer_object(record.peer_id),
        from_id=T.PeerUser(user_id=record.from_id), date=record.date, message=record.message,
        entities=entities, edit_date=record.edit_date, reply_to=reply_to,
    )


def _action_users(action: dict | None) -> list[int]:
    """Users a service message names (who was added, removed, invited by)."""
    if not action:
        return []
    return [*action.get("users", ()), *(action[k] for k in ("user_id", "inviter_id") if k in action)]


def users_of(records) -> list[int]:
    """The users the client needs to show these messages."""
    ids: list[int] = []
    for r in records:
        ids += [r.peer_id, r.from_id, *_action_users(r.action)]
    return list(dict.fromkeys(i for i in ids if i > 0))


def chats_of(records) -> list[int]:
    """The basic groups these messages are in (chat ids)."""
    return list(dict.fromkeys(-r.peer_id for r in records if r.peer_id < 0))


async def render_log(storage, user_id: int, rows: list[UpdateRecord]):
    """(new_messages, other_updates, user ids, chat ids) for update-log rows, as
    getDifference and live pushes present them. A message deleted since is simply absent."""
    wanted = [r.data["id"] for r in rows if r.kind in ("new_message", "edit_message")]
    found = {m.id: m for m in await storage.messages.get(user_id, wanted)}
    new_messages, others, shown, peers = [], [], [], []
    for r in rows:
        if r.kind == "new_message" and r.data["id"] in found:
            new_messages.append(message(found[r.data["id"]]))
            shown.append(found[r.data["id"]])
        elif r.kind == "edit_message" and r.data["id"] in found:
            others.append(T.UpdateEditMessage(message=message(found[r.data["id"]]), pts=r.pts, pts_count=r.pts_count))
            shown.append(found[r.data["id"]])
        elif r.kind == "delete_messages":
            others.append(T.UpdateDeleteMessages(messages=list(r.data["ids"]), pts=r.pts, pts_count=r.pts_count))
        elif r.kind == "read_inbox":
            others.append(T.UpdateReadHistoryInbox(peer=peer_object(r.data["peer_id"]), max_id=r.data["max_id"],
                                                   still_unread_count=r.data.get("still_unread_count", 0),
                                                   pts=r.pts, pts_count=r.pts_count))
            peers.append(r.data["peer_id"])
        elif r.kind == "read_outbox":
            others.append(T.UpdateReadHistoryOutbox(peer=peer_object(r.data["peer_id"]), max_id=r.data["max_id"],
                                                    pts=r.pts, pts_count=r.pts_count))
            peers.append(r.data["peer_id"])
    users = users_of(shown) + [p for p in peers if p > 0]
    chats = chats_of(shown) + [-p for p in peers if p < 0]
    return new_messages, others, list(dict.fromkeys(users)), list(dict.fromkeys(chats))
