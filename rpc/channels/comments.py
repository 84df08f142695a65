"""Reading a thread: messages.getDiscussionMessage and messages.getReplies.

A thread is named by a message the caller can read: a broadcast post (its comments, in
the channel's discussion group: rpc/channels/threads.py) or a supergroup message (the
replies in its thread). A post's comments are the subscribers' to read whether or not
they joined the group, as Telegram shows them. MSG_ID_INVALID for a message that is not
there, not visible, or has no thread; PEER_ID_INVALID for a peer that is no channel.

In a forum, getReplies on a topic lists the topic (rpc/channels/topic_threads.py).
Per-thread read marks (messages.readDiscussion) are kept for forum topics only: a comment
thread's read state is the reader's read mark in the group.
"""

from __future__ import annotations

from typing import NamedTuple

from storage.models import ChannelMessageRecord
from storage.peer import PeerKind
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.chats_named import chats_named
from ..services.peers import resolve_input_peer
from ..services.users import UserView
from .access import ChannelAccess
from .history import HISTORY_MAX, channel_messages_object
from .messages_view import channel_message, peers_named, user_ids_named
from .reader import access_of, first_visible_id, readable_peer, visible_messages
from .threads import replies_of
from .topic_threads import is_topic, topic_messages
from .view import channel_object

UNREAD_COUNTED = 100  # a thread's unread count stops here


class Thread(NamedTuple):
    group: ChannelAccess  # the supergroup the thread is in, with the reader's row there
    top: ChannelMessageRecord  # its top message there
    via: ChannelAccess  # the peer asked about (the broadcast channel, or the group itself)


async def _message(storage, access: ChannelAccess, msg_id: int) -> ChannelMessageRecord:
    found = visible_messages(access, await storage.channel_messages.get(access.channel.id, [msg_id]))
    if not found or found[0].action is not None:
        raise RpcError(400, E.MSG_ID_INVALID)
    return found[0]


async def thread_of(ctx, input_peer, msg_id: int) -> Thread:
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, ctx.user_id, input_peer)
    if peer.kind is not PeerKind.CHANNEL:
        raise RpcError(400, E.PEER_ID_INVALID)
    access = await readable_peer(storage, ctx.user_id, peer.id)
    message = await _message(storage, access, msg_id)
    if access.channel.megagroup:
        top_id = message.reply_to_top_id or message.id
        top = message if top_id == message.id else await _message(storage, access, top_id)
        return Thread(access, top, access)
    discussion = (await storage.discussions.of_posts(access.channel.id, [message.id])).get(message.id)
    if discussion is None or discussion.group_id != access.channel.linked_chat_id:
        raise RpcError(400, E.MSG_ID_INVALID)
    group = await access_of(storage, ctx.user_id, discussion.group_id)
    tops = await storage.channel_messages.get(group.channel.id, [discussion.root_id])
    if not tops:
        raise RpcError(400, E.MSG_ID_INVALID)  # the copy was deleted in the group
    return Thread(group, tops[0], access)


async def _unread(storage, thread: Thread, read_max: int, viewer_id: int) -> int:
    newer, _ = await storage.channel_messages.history(thread.group.channel.id, top_id=thread.top.id,
                                                      min_id=read_max, limit=UNREAD_COUNTED)
    return sum(r.sender_id != viewer_id for r in newer)


@handler(F.messages.GetDiscussionMessage, access=Access.USER)
async def get_discussion_message(request, ctx: RequestContext):
    """The thread's top message in the group, its newest reply and the reader's marks."""
    storage = ctx.services.storage
    thread = await thread_of(ctx, request.peer, request.msg_id)
    group, top = thread.group, thread.top
    replies = await replies_of(storage, group.channel, [top])
    counts = await storage.discussions.threads(group.channel.id, [top.id])
    max_id = counts.get(top.id, (0, 0))[1]
    read_max = group.me.read_inbox_max_id if group.member else 0
    others = [p for p in peers_named([top]) if not p.is_user]
    chats = [channel_object(group.channel, group.me)]
    if thread.via.channel.id != group.channel.id:
        chats.append(channel_object(thread.via.channel, thread.via.me))
    chats += await chats_named(storage, ctx.user_id, [p for p in others if p.id not in {c.id for c in chats}])
    return T.messages.DiscussionMessage(
        messages=[channel_message(top, group.channel, ctx.user_id, replies.get(top.id))],
        max_id=max_id or None, read_inbox_max_id=min(read_max, max_id) if max_id and read_max else None,
        unread_count=await _unread(storage, thread, read_max, ctx.user_id), chats=chats,
        users=await UserView(storage, ctx.user_id).users(user_ids_named([top])))


@handler(F.messages.GetReplies, access=Access.USER)
async def get_replies(request, ctx: RequestContext):
    """A page of the thread's replies, newest first, as getHistory pages (the top
    message itself is getDiscussionMessage's)."""
    storage = ctx.services.storage
    if isinstance(request.peer, T.InputPeerChannel):  # a forum topic is a thread too
        topic_peer = await resolve_input_peer(storage, ctx.user_id, request.peer)
        access = await readable_peer(storage, ctx.user_id, topic_peer.id)
        if await is_topic(storage, access, request.msg_id):
            return await topic_messages(ctx, access, request.msg_id, request)
    thread = await thread_of(ctx, request.peer, request.msg_id)
    group = thread.group
    records, count = await storage.channel_messages.history(
        group.channel.id, top_id=thread.top.id, offset_id=request.offset_id or 0,
        offset_date=request.offset_date or 0, add_offset=request.add_offset or 0,
        limit=max(1, min(request.limit or HISTORY_MAX, HISTORY_MAX)), max_id=request.max_id or 0,
        min_id=max(request.min_id or 0, first_visible_id(group)))
    return await channel_messages_object(ctx, group, records, count)
