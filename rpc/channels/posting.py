"""Putting a message into a channel (a post, a reply, a service message) and telling its
members: one stored copy, one row in the channel's log, one publish on the channel's
topic (rpc/updates/publish.py). Rights are checked before, by the caller
(rpc/channels/rights.py)."""

from __future__ import annotations

import time
from typing import Any

from storage.models import ChannelParticipantRecord, ChannelRecord, ChannelSent
from storage.peer import Peer
from tl import types as T

from ..services.chats_named import chats_named
from ..services.users import UserView
from ..updates.events import ChannelLogRow
from ..updates.publish import publish_to_channel
from .messages_view import channel_message, peers_named, user_ids_named
from .threads import copy_to_discussion, replies_of, thread_top
from .view import channel_object


async def post(ctx, channel: ChannelRecord, *, message: str = "", entities=(), media: dict[str, Any] | None = None,
               action: dict[str, Any] | None = None, random_id: int | None = None,
               reply_to_msg_id: int | None = None, reply_to_top_id: int | None = None, silent: bool = False,
               from_id: int | None = None, post_author: str | None = None, grouped_id: int | None = None,
               fwd_from: dict[str, Any] | None = None) -> ChannelSent:
    """Stores the message from the request's user and tells the channel's live sessions
    (the sending session has it in its answer). A retried random_id stores nothing new."""
    storage = ctx.services.storage
    sent = await storage.channel_messages.send(
        channel.id, ctx.user_id, date=int(time.time()), message=message, entities=list(entities), media=media,
        action=action, random_id=random_id, reply_to_msg_id=reply_to_msg_id,
        reply_to_top_id=await _top_of(storage, channel, reply_to_msg_id, reply_to_top_id), silent=silent,
        from_id=from_id, post_author=post_author, grouped_id=grouped_id, fwd_from=fwd_from)
    if not sent.duplicate:
        await tell_channel(ctx, channel.id, sent.pts)
        await copy_to_discussion(ctx, channel, sent.message)
    return sent


async def _top_of(storage, channel: ChannelRecord, reply_to_msg_id: int | None, top_id: int | None) -> int | None:
    """The thread a message joins: the forum topic the caller chose (topics_rules.py), or
    in a supergroup that is no forum, the thread of the message it replies to."""
    if top_id is not None or channel.forum:
        return top_id
    return await thread_top(storage, channel, reply_to_msg_id)


async def tell_channel(ctx, channel_id: int, pts: int) -> None:
    """Tells the channel's live sessions of its log row `pts` (the acting session has its
    answer)."""
    await publish_to_channel(ctx.services, ChannelLogRow(channel_id=channel_id, pts=pts), channel_id, by=ctx)


async def sent_updates(ctx, channel: ChannelRecord, me: ChannelParticipantRecord | None, sent: list[ChannelSent],
                       random_ids: list[int | None] | None = None):
    """The Updates answering the sender: updateMessageID for each random_id, then
    updateNewChannelMessage for each message, with the users and the channel named."""
    updates = []
    for i, one in enumerate(sent):
        random_id = random_ids[i] if random_ids else None
        if random_id is not None:
            updates.append(T.UpdateMessageID(id=one.message.id, random_id=random_id))
    records = [s.message for s in sent]
    # A new post shows its comments; a new supergroup message has no replies yet (no query).
    replies = await replies_of(ctx.services.storage, channel, records) if channel.broadcast else {}
    for one in sent:
        shown = channel_message(one.message, channel, ctx.user_id, replies.get(one.message.id))
        updates.append(T.UpdateNewChannelMessage(message=shown, pts=one.pts, pts_count=1))
    users = await UserView(ctx.services.storage, ctx.user_id).users(user_ids_named(records))
    # Other chats a forward names (the channel or group it came from).
    others = [p for p in peers_named(records) if not p.is_user and p != Peer.channel(channel.id)]
    chats = [channel_object(channel, me)] + await chats_named(ctx.services.storage, ctx.user_id, others)
    return T.Updates(updates=updates, users=users, chats=chats, date=int(time.time()), seq=0)
