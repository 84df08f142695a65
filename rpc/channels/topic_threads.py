"""A forum topic as a thread: its messages, newest first (its creating service message
included), as messages.getHistory pages them. messages.getReplies serves topics with
these (rpc/channels/comments.py), messages.readDiscussion checks with `is_topic`."""

from __future__ import annotations

from .access import ChannelAccess
from .history import channel_messages_object
from .reader import first_visible_id
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
