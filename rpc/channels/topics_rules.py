"""Forum topics: which forum a request names, who may do what with its topics, and
which topic a new message goes into, with Telegram's errors.

- A topic method on a supergroup that is not a forum: CHANNEL_FORUM_MISSING; on a
  peer that is no channel: PEER_ID_INVALID; a topic that is not there: TOPIC_ID_INVALID
  (a message sent into one: TOPIC_DELETED).
- Creating a topic: whoever may post there, unless the channel's default banned rights
  forbid manage_topics (admins are never restricted, core.telegram.org/api/rights).
- Editing: admins with manage_topics edit any topic; a topic's creator edits its title,
  icon and closed state; hiding is General's alone, and an admin's.
- A closed topic takes messages from admins with manage_topics only (TOPIC_CLOSED).
- A message names its topic with reply_to.top_msg_id, or by replying to a message of
  it; one that names none goes into General (id 1), which keeps no reply header, as
  Telegram's clients send it.
"""

from __future__ import annotations

from storage.interface import TopicNotFound
from storage.models import ForumTopicRecord
from storage.peer import PeerKind

from ..errors import E, RpcError
from ..services.peers import resolve_input_peer
from .access import ChannelAccess
from .reader import access_of, readable
from .rights import forbidden, has_admin_right
from .send_rules import check_can_post

GENERAL = 1
GENERAL_TITLE = "General"
# The colours of topic icons Telegram's apps offer (messages.createForumTopic's icon_color).
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
TITLE_MAX = 128


async def open_forum(ctx, input_peer) -> ChannelAccess:
    """The forum an InputPeer names and the viewer's row, if the viewer may read it."""
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, ctx.user_id, input_peer)
    if peer.kind is not PeerKind.CHANNEL:
        raise RpcError(400, E.PEER_ID_INVALID)
    access = await access_of(storage, ctx.user_id, peer.id)
    if not readable(access):
        raise RpcError(400, E.CHANNEL_PRIVATE)
    if not access.channel.forum:
        raise RpcError(400, E.CHANNEL_FORUM_MISSING)
    return access


async def open_general(storage, channel) -> None:
    """Writes General for a channel that is (becoming) a forum; nothing if it has it."""
    await storage.forum_topics.open_general(channel.id, date=channel.date, from_id=channel.creator_id,
                                            title=GENERAL_TITLE, icon_color=ICON_COLORS[0])


def can_manage(access: ChannelAccess) -> bool:
    return has_admin_right(access.me, access.channel, "manage_topics")


def title_of(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise RpcError(400, E.TOPIC_TITLE_EMPTY)
    return title[:TITLE_MAX]


def icon_color_of(color: int | None) -> int:
    """The colour asked if it is one of the apps' (Telegram picks one otherwise)."""
    return color if color in ICON_COLORS else ICON_COLORS[0]


def check_can_create(access: ChannelAccess, now: int) -> None:
    check_can_post(access, now)
    if not can_manage(access) and forbidden(access.me, access.channel, "manage_topics", now):
        raise RpcError(403, E.CHAT_ADMIN_REQUIRED)


def check_can_edit(access: ChannelAccess, topic: ForumTopicRecord, *, hidden: bool) -> None:
    if not access.member:
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN)
    if hidden and topic.id != GENERAL:
        raise RpcError(400, E.TOPIC_ID_INVALID)  # only General is hidden
    if can_manage(access):
        return
    mine = topic.from_id == access.me.user_id and topic.id != GENERAL
    if hidden or not mine:
        raise RpcError(403, E.CHAT_ADMIN_REQUIRED)


async def topic_of(storage, access: ChannelAccess, topic_id: int, missing: str = E.TOPIC_ID_INVALID):
    found = await storage.forum_topics.get(access.channel.id, [topic_id])
    if not found:
        raise RpcError(400, missing)
    return found[0]


async def stored_topic(call):
    """A topic write's result; TOPIC_ID_INVALID for a topic gone meanwhile."""
    try:
        return await call
    except TopicNotFound:
        raise RpcError(400, E.TOPIC_ID_INVALID) from None


async def thread_of_send(storage, access: ChannelAccess, reply_to_msg_id: int | None, top_msg_id: int | None,
                         ) -> tuple[int | None, int | None]:
    """(reply_to_msg_id, reply_to_top_id) of a new message in the channel. Outside a forum
    they are as asked (no topic); in a forum the topic is checked: there, and open to this
    sender (an admin with manage_topics posts into a closed one)."""
    if not access.channel.forum:
        return reply_to_msg_id, None
    topic_id = top_msg_id or None
    if topic_id is None and reply_to_msg_id:
        replied = await storage.channel_messages.get(access.channel.id, [reply_to_msg_id])
        topic_id = replied[0].reply_to_top_id if replied else None
    if (topic_id or GENERAL) == GENERAL:
        # General is written when the forum is turned on; a forum without it still has it.
        found = await storage.forum_topics.get(access.channel.id, [GENERAL])
        _check_open(access, found[0] if found else None)
        return (None if reply_to_msg_id == GENERAL else reply_to_msg_id), None
    topic = await topic_of(storage, access, topic_id, E.TOPIC_DELETED)
    _check_open(access, topic)
    return reply_to_msg_id or topic.id, topic.id


def _check_open(access: ChannelAccess, topic: ForumTopicRecord | None) -> None:
    if topic is not None and topic.closed and not can_manage(access):
        raise RpcError(400, E.TOPIC_CLOSED)
