"""messages.getReplies and messages.readDiscussion for forum topics: a topic's messages,
newest first (its creating service message included), as messages.getHistory pages
them; the reader's mark of one topic.

Comment threads (a channel post's discussion) are not served here: getReplies on any
other message answers an empty list, so a client shows an empty thread rather than an
error, and readDiscussion answers METHOD_NOT_IMPLEMENTED. `topic_messages` and
`is_topic` are what a thread implementation can call for topics. The reader's other
sessions are not told of a topic read (no updateReadChannelDiscussionInbox yet).
"""

from __future__ import annotations

from storage.peer import PeerKind
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, NOT_IMPLEMENTED, RpcError
from ..router import Access, handler
from ..services.peers import resolve_input_peer
from .access import ChannelAccess
from .history import channel_messages_object
from .reader import first_visible_id, readable_peer
from .topics_rules import GENERAL

REPLIES_MAX = 100


async def topic_messages(ctx, access: ChannelAccess, topic_id: int, request):
    """messages.channelMessages: a page of the topic's messages the viewer may see."""
    records, total = await ctx.services.storage.forum_topics.messages(
        access.channel.id, topic_id, offset_id=request.offset_id or 0, offset_date=request.offset_date or 0,
        add_offset=request.add_offset or 0, limit=max(1, min(request.limit or REPLIES_MAX, REPLIES_MAX)),
        max_id=request.max_id or 0, min_id=max(request.min_id or 0, first_visible_id(access)))
    return await channel_messages_object(ctx, access, records, total)


async def is_topic(storage, access: ChannelAccess, message_id: int) -> bool:
    if not access.channel.forum:
        return False
    return message_id == GENERAL or bool(await storage.forum_topics.get(access.channel.id, [message_id]))


@handler(F.messages.GetReplies, access=Access.USER)
async def get_replies(request, ctx: RequestContext):
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, ctx.user_id, request.peer)
    if peer.kind is not PeerKind.CHANNEL:
        return T.messages.Messages(messages=[], topics=[], chats=[], users=[])
    access = await readable_peer(storage, ctx.user_id, peer.id)
    if await is_topic(storage, access, request.msg_id):
        return await topic_messages(ctx, access, request.msg_id, request)
    return await channel_messages_object(ctx, access, [], 0)


@handler(F.messages.ReadDiscussion, access=Access.USER)
async def read_discussion(request, ctx: RequestContext):
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, ctx.user_id, request.peer)
    if peer.kind is not PeerKind.CHANNEL:
        raise RpcError(400, E.PEER_ID_INVALID)
    access = await readable_peer(storage, ctx.user_id, peer.id)
    if not await is_topic(storage, access, request.msg_id):
        raise RpcError(400, NOT_IMPLEMENTED)  # comment threads keep no read mark here
    if not access.member:
        raise RpcError(400, E.CHANNEL_PRIVATE)
    await storage.forum_topics.read(peer.id, request.msg_id, ctx.user_id, request.read_max_id or 0)
    return True
