"""Forum topics as one reader sees them: TL forumTopic and messages.forumTopics.

A topic's newest message and unread count are counted when asked (storage
ForumTopics.activity), from the higher of the reader's read marks: the channel's
(channels.readHistory) and the topic's (messages.readDiscussion). Mentions and reactions are not counted (0), as in the
channel's dialog.
"""

from __future__ import annotations

from storage.models import ForumTopicActivity, ForumTopicRecord
from storage.peer import Peer
from tl import types as T

from ..services.chats_named import chats_named
from ..services.notify_view import settings_object
from ..services.peers import peer_object
from ..services.users import UserView
from .access import ChannelAccess
from .messages_view import channel_message, peers_named, user_ids_named
from .reader import visible_messages
from .view import channel_object


def forum_topic_object(topic: ForumTopicRecord, access: ChannelAccess, activity: ForumTopicActivity, viewer_id: int):
    channel = access.channel
    read_inbox = activity.read_inbox_max_id if access.member else activity.top_message
    return T.ForumTopic(
        id=topic.id, date=topic.date, peer=T.PeerChannel(channel_id=channel.id), title=topic.title,
        icon_color=topic.icon_color, icon_emoji_id=topic.icon_emoji_id or None, top_message=activity.top_message,
        read_inbox_max_id=read_inbox,
        read_outbox_max_id=min(channel.read_outbox_max_id, activity.top_message),
        unread_count=activity.unread_count if access.member else 0, unread_mentions_count=0,
        unread_reactions_count=0, unread_poll_votes_count=0, from_id=peer_object(topic.creator),
        notify_settings=settings_object(None), my=topic.creator == Peer.user(viewer_id) or None,
        closed=topic.closed or None, pinned=topic.pinned_at > 0 or None, hidden=topic.hidden or None)


async def forum_topics_object(ctx, access: ChannelAccess, topics: list[ForumTopicRecord], count: int):
    """messages.forumTopics: the topics, their newest messages, the users and chats these
    name, the channel's pts."""
    storage = ctx.services.storage
    channel = access.channel
    read_max = access.me.read_inbox_max_id if access.member else 0
    activity = await storage.forum_topics.activity(channel.id, [t.id for t in topics], reader_id=ctx.user_id,
                                                   read_max_id=read_max)
    tops = [activity[t.id].top_message for t in topics if activity[t.id].top_message]
    records = visible_messages(access, await storage.channel_messages.get(channel.id, tops))
    named = peers_named(records) + [t.creator for t in topics]
    others = [p for p in named if not p.is_user and p != Peer.channel(channel.id)]
    users = await UserView(storage, ctx.user_id).users(user_ids_named(records) + [p.id for p in named if p.is_user])
    return T.messages.ForumTopics(
        count=count, topics=[forum_topic_object(t, access, activity[t.id], ctx.user_id) for t in topics],
        messages=[channel_message(r, channel, ctx.user_id) for r in records],
        chats=[channel_object(channel, access.me)] + await chats_named(storage, ctx.user_id, others),
        users=users, pts=channel.pts)
