"""Stored messages as one reader sees them, in TL (update-log rows: rpc/updates/log_render.py)."""

from __future__ import annotations

import tl
from storage.models import MessageRecord
from storage.peer import Peer, PeerKind
from tl import types as T

from .media_view import message_fields
from .peers import ids_of, peer_object


def message(record: MessageRecord):
    """A message from its owner's box: peer_id is the other user of a private chat, or
    the basic group; a service message (record.action) is a messageService."""
    reply_to = T.MessageReplyHeader(reply_to_msg_id=record.reply_to_msg_id) if record.reply_to_msg_id else None
    if record.action is not None:
        return T.MessageService(
            id=record.id, out=record.out, silent=record.silent, peer_id=peer_object(record.peer),
            from_id=T.PeerUser(user_id=record.from_id), date=record.date, action=tl.from_dict(record.action),
            reply_to=reply_to)
    entities = [tl.from_dict(e) for e in record.entities] or None
    return T.Message(
        id=record.id, out=record.out, silent=record.silent, pinned=record.pinned, peer_id=peer_object(record.peer),
        from_id=T.PeerUser(user_id=record.from_id), date=record.date, message=record.message,
        entities=entities, edit_date=record.edit_date, reply_to=reply_to, fwd_from=forward_header(record),
        **message_fields(record),
    )


def forward_header(record: MessageRecord):
    """messageFwdHeader of a stored forward (storage/forwards.py), None for a message
    that is not one."""
    if record.fwd_from is None:
        return None
    saved_from = record.saved_from
    return T.MessageFwdHeader(from_id=peer_object(record.forwarded_from), date=record.fwd_from["date"],
                              channel_post=record.fwd_from.get("channel_post"),
                              post_author=record.fwd_from.get("post_author"),
                              saved_from_peer=None if saved_from is None else peer_object(saved_from),
                              saved_from_msg_id=record.fwd_from.get("saved_from_msg_id"))


def action_users(action: dict | None) -> list[int]:
    """Users a service message names (who was added, removed, invited by)."""
    if not action:
        return []
    return [*action.get("users", ()), *(action[k] for k in ("user_id", "inviter_id") if k in action)]


def _peers_named(r: MessageRecord) -> list[Peer]:
    """Every peer a message shows: its dialog, author, forward origin and the users a
    service message names."""
    peers = [r.peer, *(Peer.user(u) for u in [r.from_id, *action_users(r.action)])]
    if r.fwd_from is not None:
        peers += [r.forwarded_from, r.saved_from or r.forwarded_from]
    return peers


def _all_peers_named(records) -> list[Peer]:
    return [p for r in records for p in _peers_named(r)]


def users_of(records) -> list[int]:
    """The users the client needs to show these messages."""
    return ids_of(_all_peers_named(records), PeerKind.USER)


def chats_of(records) -> list[int]:
    """The basic groups these messages show (chat ids)."""
    return ids_of(_all_peers_named(records), PeerKind.CHAT)


def chat_peers_of(records) -> list[Peer]:
    """The basic groups and channels these messages show (a forward from a channel
    names it), for rpc/services/chats_named.py."""
    return list(dict.fromkeys(p for p in _all_peers_named(records) if p.kind is not PeerKind.USER))
