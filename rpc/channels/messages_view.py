"""Channel messages as one reader sees them, in TL: the one stored copy, with `out` for
its sender, the channel as peer_id, and for a broadcast post the channel as author (no
from_id), its view count and signature."""

from __future__ import annotations

import tl
from storage.models import ChannelMessageRecord, ChannelRecord
from storage.peer import Peer, PeerKind
from tl import types as T

from ..services.media_view import media_object
from ..services.messages_view import action_users
from ..services.peers import ids_of, peer_object
from ..services import file_references


def _media_fields(record: ChannelMessageRecord) -> dict:
    if not record.media:
        return {}
    origin = file_references.channel_message_origin(record.channel_id, record.id)
    return {"media": media_object(record.media, file_references.make(file_references.CHANNEL_MESSAGE, origin))}


def _reply_header(record: ChannelMessageRecord, channel: ChannelRecord):
    """A reply straight to its thread's top names no top (rpc/channels/threads.py). In a
    forum a message of a topic says so (forum_topic); one sent straight into the topic
    replies to the topic's first message, as Telegram's do (TDLib reads the topic from
    reply_to_msg_id then). General's messages have none."""
    if not record.reply_to_msg_id:
        return None
    top = record.reply_to_top_id
    forum_topic = channel.forum and top is not None
    return T.MessageReplyHeader(forum_topic=forum_topic or None, reply_to_msg_id=record.reply_to_msg_id,
                                reply_to_top_id=None if top == record.reply_to_msg_id else top)


def _forward_header(fwd_from: dict):
    saved_from = fwd_from.get("saved_from_peer")  # a discussion group's copy of a post
    return T.MessageFwdHeader(from_id=peer_object(Peer.from_key(fwd_from["from_id"])), date=fwd_from["date"],
                              channel_post=fwd_from.get("channel_post"), post_author=fwd_from.get("post_author"),
                              saved_from_peer=None if saved_from is None else peer_object(Peer.from_key(saved_from)),
                              saved_from_msg_id=fwd_from.get("saved_from_msg_id"))


def channel_message(record: ChannelMessageRecord, channel: ChannelRecord, viewer_id: int, replies=None):
    """replies: the message's messageReplies, if it shows a thread (threads.replies_of)."""
    peer = T.PeerChannel(channel_id=record.channel_id)
    author = record.author
    from_id = None if author == Peer.channel(record.channel_id) else peer_object(author)
    reply_to = _reply_header(record, channel)
    out = record.sender_id == viewer_id
    if record.action is not None:
        return T.MessageService(id=record.id, out=out, silent=record.silent, post=channel.broadcast, peer_id=peer,
                                from_id=from_id, date=record.date, action=tl.from_dict(record.action), reply_to=reply_to)
    fwd = None if record.fwd_from is None else _forward_header(record.fwd_from)
    entities = [tl.from_dict(e) for e in record.entities] or None
    return T.Message(
        id=record.id, out=out, silent=record.silent, pinned=record.pinned, post=channel.broadcast, peer_id=peer,
        from_id=from_id, date=record.date, message=record.message, entities=entities, edit_date=record.edit_date,
        reply_to=reply_to, fwd_from=fwd, views=record.views if channel.broadcast else None,
        forwards=0 if channel.broadcast else None,  # one flag with views; forwards are not counted
        post_author=record.post_author, grouped_id=record.grouped_id, replies=replies, **_media_fields(record))


def peers_named(records) -> list[Peer]:
    """Everyone these channel messages show: authors, forward origins, users a service
    message names."""
    peers: list[Peer] = []
    for r in records:
        peers.append(r.author)
        if r.forwarded_from is not None:
            peers.append(r.forwarded_from)
        peers += [Peer.user(u) for u in action_users(r.action)]
    return peers


def user_ids_named(records) -> list[int]:
    return ids_of(peers_named(records), PeerKind.USER)
