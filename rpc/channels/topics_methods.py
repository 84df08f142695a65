"""Forum topics of supergroups: channels.toggleForum and the topic methods
(messages.createForumTopic, getForumTopics, getForumTopicsByID, editForumTopic,
updatePinnedForumTopic, deleteTopicHistory). Layers before 216 call the topic methods
channels.* with an InputChannel; rpc/layer_adapters.py routes those here.

A topic is opened by a service message (messageActionTopicCreate) whose id becomes the
topic's; edits are service messages in the topic (messageActionTopicEdit), so members
see both live as any new message, and the actor in the answer. Who may do what, and
where a message goes, is rpc/channels/topics_rules.py's; the model storage/forum_topics.py's.
"""

from __future__ import annotations

import time

from storage.interface import ChannelNotFound, NotMember, TopicNotFound
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from .post import author_of, post_checked
from .posting import sent_updates, tell_channel
from .rights import has_admin_right
from .settings import _admin_channel, _set
from .topics_rules import (GENERAL, can_manage, check_can_create, check_can_edit, icon_color_of, open_forum,
                           open_general, stored_topic, title_of, topic_of)
from .topics_view import forum_topics_object
from .view import channel_object

LIST_MAX = 100


@handler(F.channels.ToggleForum, access=Access.USER)
async def toggle_forum(request, ctx: RequestContext):
    """Supergroups only (CHANNEL_INVALID for a broadcast channel), by admins who may change
    its info; a discussion group stays one stream (CHAT_DISCUSSION_UNALLOWED). `tabs`
    (how apps lay the topics out) is the apps' own choice here and is not kept."""
    channel, me = await _admin_channel(ctx, request.channel, "change_info", megagroup=True)
    enabled = bool(request.enabled)
    if enabled and channel.linked_chat_id is not None:
        raise RpcError(400, E.CHAT_DISCUSSION_UNALLOWED)
    if enabled:
        await open_general(ctx.services.storage, channel)
    return await _set(ctx, channel, me, forum=enabled)


@handler(F.messages.CreateForumTopic, access=Access.USER)
async def create_forum_topic(request, ctx: RequestContext):
    storage = ctx.services.storage
    access = await open_forum(ctx, request.peer)
    now = int(time.time())
    title = title_of(request.title)
    check_can_create(access, now)
    color = icon_color_of(request.icon_color)
    action = {"_": "messageActionTopicCreate", "title": title, "icon_color": color}
    if request.icon_emoji_id:
        action["icon_emoji_id"] = request.icon_emoji_id
    author = await author_of(ctx, access)
    try:
        _, sent = await storage.forum_topics.create(
            access.channel.id, ctx.user_id, date=now, title=title, icon_color=color, action=action,
            icon_emoji_id=request.icon_emoji_id or None, random_id=request.random_id, from_id=author.get("from_id"))
    except NotMember:
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    except ChannelNotFound:
        raise RpcError(400, E.CHANNEL_INVALID) from None
    except TopicNotFound:  # a retry of a topic deleted since
        raise RpcError(400, E.TOPIC_DELETED) from None
    if not sent.duplicate:
        await tell_channel(ctx, access.channel.id, sent.pts)
    return await sent_updates(ctx, access.channel, access.me, [sent], [request.random_id])


@handler(F.messages.GetForumTopics, access=Access.USER)
async def get_forum_topics(request, ctx: RequestContext):
    """Pinned topics first, then by their newest message (order_by_create_date unset);
    the next page starts below offset_id, the newest message of the last topic shown."""
    access = await open_forum(ctx, request.peer)
    limit = max(1, min(request.limit or LIST_MAX, LIST_MAX))
    topics, count = await ctx.services.storage.forum_topics.list(
        access.channel.id, query=request.q or "", offset_id=request.offset_id or 0, limit=limit)
    return await forum_topics_object(ctx, access, topics, count)


@handler(F.messages.GetForumTopicsByID, access=Access.USER)
async def get_forum_topics_by_id(request, ctx: RequestContext):
    """Each topic asked, in order; forumTopicDeleted for one that is not there."""
    access = await open_forum(ctx, request.peer)
    ids = list(dict.fromkeys(request.topics or ()))[:LIST_MAX]
    if not ids:
        raise RpcError(400, E.TOPICS_EMPTY)
    found = {t.id: t for t in await ctx.services.storage.forum_topics.get(access.channel.id, ids)}
    answer = await forum_topics_object(ctx, access, list(found.values()), len(ids))
    shown = {t.id: t for t in answer.topics}
    answer.topics = [shown[i] if i in shown else T.ForumTopicDeleted(id=i) for i in ids]
    return answer


@handler(F.messages.EditForumTopic, access=Access.USER)
async def edit_forum_topic(request, ctx: RequestContext):
    """The fields given change, told as messageActionTopicEdit with those fields;
    TOPIC_NOT_MODIFIED when none does."""
    storage = ctx.services.storage
    access = await open_forum(ctx, request.peer)
    topic = await topic_of(storage, access, request.topic_id)
    check_can_edit(access, topic, hidden=request.hidden is not None)
    changes = {}
    if request.title is not None and title_of(request.title) != topic.title:
        changes["title"] = title_of(request.title)
    if request.icon_emoji_id is not None and (request.icon_emoji_id or None) != topic.icon_emoji_id:
        if topic.id == GENERAL:
            raise RpcError(400, E.TOPIC_ID_INVALID)  # General keeps its icon
        changes["icon_emoji_id"] = request.icon_emoji_id or None
    for name in ("closed", "hidden"):
        value = getattr(request, name)
        if value is not None and bool(value) != getattr(topic, name):
            changes[name] = bool(value)
    if not changes:
        raise RpcError(400, E.TOPIC_NOT_MODIFIED)
    await stored_topic(storage.forum_topics.edit(access.channel.id, topic.id, **changes))
    action = {"_": "messageActionTopicEdit", **changes}
    if "icon_emoji_id" in changes:
        action["icon_emoji_id"] = changes["icon_emoji_id"] or 0  # 0: back to the colour's icon
    # The service message goes into the topic it edits (General's messages have no reply header).
    thread = {} if topic.id == GENERAL else {"reply_to_msg_id": topic.id, "reply_to_top_id": topic.id}
    author = {k: v for k, v in (await author_of(ctx, access)).items() if k == "from_id"}
    sent = await post_checked(ctx, access, action=action, **thread, **author)
    return await sent_updates(ctx, access.channel, access.me, [sent])


@handler(F.messages.UpdatePinnedForumTopic, access=Access.USER)
async def update_pinned_forum_topic(request, ctx: RequestContext):
    """Admins with manage_topics; pinned topics lead the list, the newest pin first. The
    answer is updatePinnedForumTopic; other members see the order when they list again."""
    storage = ctx.services.storage
    access = await open_forum(ctx, request.peer)
    if not can_manage(access):
        raise RpcError(403, E.CHAT_ADMIN_REQUIRED)
    topic = await topic_of(storage, access, request.topic_id)
    pinned = bool(request.pinned)
    if pinned != (topic.pinned_at > 0):
        await stored_topic(storage.forum_topics.pin(access.channel.id, topic.id, pinned=pinned,
                                                    now=time.time_ns() // 1000))
    update = T.UpdatePinnedForumTopic(pinned=pinned or None, peer=T.PeerChannel(channel_id=access.channel.id),
                                      topic_id=topic.id)
    return T.Updates(updates=[update], users=[], chats=[channel_object(access.channel, access.me)],
                     date=int(time.time()), seq=0)


@handler(F.messages.DeleteTopicHistory, access=Access.USER)
async def delete_topic_history(request, ctx: RequestContext):
    """A topic's messages, and the topic with its last one, by an admin who may delete
    messages (General stays: TOPIC_ID_INVALID). Like messages.deleteHistory it works in
    batches: a nonzero offset asks the client to call again."""
    storage = ctx.services.storage
    access = await open_forum(ctx, request.peer)
    if not has_admin_right(access.me, access.channel, "delete_messages"):
        raise RpcError(403, E.CHAT_ADMIN_REQUIRED)
    if request.top_msg_id == GENERAL:
        raise RpcError(400, E.TOPIC_ID_INVALID)
    topic = await topic_of(storage, access, request.top_msg_id)
    change, left = await stored_topic(storage.forum_topics.delete_history(access.channel.id, topic.id,
                                                                          now=int(time.time())))
    if change is None:
        return T.messages.AffectedHistory(pts=access.channel.pts, pts_count=0, offset=0)
    await tell_channel(ctx, access.channel.id, change.pts)
    return T.messages.AffectedHistory(pts=change.pts, pts_count=change.pts_count, offset=topic.id if left else 0)
