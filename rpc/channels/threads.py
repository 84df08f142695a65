"""Reply threads and comments, as Telegram keeps them (storage/discussions.py has the model).

- In a supergroup every message may be the top of a thread: a reply belongs to the thread
  of the message it answers (that message's own thread, or the message itself), kept as
  the reply's reply_to_top_id. The header shows reply_to_top_id only where it is not the
  message replied to, as Telegram's does.
- A post of a broadcast channel with a discussion group is copied into the group when it
  is posted (`copy_to_discussion`); its comments are the thread of that copy.
- A message shows its thread as `replies` (messageReplies): for a post, comments=True with
  the group as channel_id, even with no comment yet ("Leave a comment"); for a group
  message, only once it has replies.
"""

from __future__ import annotations

from storage.models import ChannelMessageRecord, ChannelRecord
from tl import types as T

from ..updates.events import ChannelLogRow
from ..updates.publish import publish_to_channel


async def thread_top(storage, channel: ChannelRecord, reply_to_msg_id: int | None) -> int | None:
    """The thread a reply in a supergroup joins (None: not a reply, or not a supergroup)."""
    if not reply_to_msg_id or not channel.megagroup:
        return None
    replied = await storage.channel_messages.get(channel.id, [reply_to_msg_id])
    if not replied:
        return None
    return replied[0].reply_to_top_id or replied[0].id


async def copy_to_discussion(ctx, channel: ChannelRecord, post: ChannelMessageRecord) -> None:
    """Telegram's automatic forward: a new post of a linked broadcast channel goes to its
    discussion group too, and the group's members are told (the poster's session as well:
    its answer was about the channel only)."""
    if not channel.broadcast or channel.linked_chat_id is None or post.action is not None:
        return
    sent = await ctx.services.storage.discussions.copy_post(post, channel.linked_chat_id, date=post.date)
    if sent is not None:
        group_id = sent.message.channel_id
        await publish_to_channel(ctx.services, ChannelLogRow(channel_id=group_id, pts=sent.pts), group_id)


async def replies_of(storage, channel: ChannelRecord, records: list[ChannelMessageRecord]) -> dict[int, T.MessageReplies]:
    """{message id: messageReplies} for those of these messages of one channel that show a
    thread."""
    ids = [r.id for r in records if r.action is None]
    if not ids:
        return {}
    if channel.broadcast:
        if channel.linked_chat_id is None:
            return {}
        threads = await storage.discussions.of_posts(channel.id, ids)
        group = await storage.channels.get(channel.linked_chat_id)
        if group is None:
            return {}
        return {post_id: T.MessageReplies(comments=True, replies=t.replies, replies_pts=group.pts,
                                          channel_id=group.id, max_id=t.max_id or None)
                for post_id, t in threads.items() if t.group_id == group.id}
    counts = await storage.discussions.threads(channel.id, ids)
    return {top: T.MessageReplies(replies=replies, replies_pts=channel.pts, max_id=max_id)
            for top, (replies, max_id) in counts.items()}
