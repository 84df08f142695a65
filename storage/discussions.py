"""Discussion groups and comment threads (storage.interface.Discussions).

A broadcast channel may be linked to one supergroup, its discussion group, and that group
to that channel alone: both rows' ``linked_chat_id`` name each other, set and cleared in
one transaction that locks the two rows it names (lower id first, so two links made at
once do not wait on each other in a cycle) before it unlinks their former partners.

Each post of a linked channel is copied into the group (Telegram's automatic forward):
a message of the group shown as from the channel, with a forward header naming the post,
sent by nobody (``CHANNEL_SENDER``: no user's `out`, no user's unread or read receipt).
``channel_discussions`` maps the post to its copy. A comment is a group message in the
thread of that copy (``reply_to_top_id`` = the copy's id, kept for every reply in a
thread, also one straight to the top); counts and the newest id of a thread are counted
when read, so a deleted comment needs no bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .channel_messages import send_message
from .channel_rows import CHANNEL_COLUMNS, channel_from, lock_channel
from .db import Database, Executor, chunks, in_list
from .interface import ChannelNotFound, ChatNotModified
from .models import ChannelMessageRecord, ChannelRecord, ChannelSent, DiscussionRecord
from .peer import Peer

CHANNEL_SENDER = 0  # sender_id of a message no user sent: a post's copy in the discussion group


class SqlDiscussions:
    """storage.interface.Discussions."""

    def __init__(self, db: Database):
        self._db = db

    async def link(self, channel_id: int, group_id: int | None) -> list[ChannelRecord]:
        return await self._db.transaction(_link, channel_id, group_id)

    async def copy_post(self, post: ChannelMessageRecord, group_id: int, *, date: int) -> ChannelSent | None:
        return await self._db.transaction(_copy_post, post, group_id, date)

    async def of_posts(self, channel_id: int, post_ids: Iterable[int]) -> dict[int, DiscussionRecord]:
        wanted = list(dict.fromkeys(post_ids))
        found: dict[int, tuple[int, int]] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(
                "SELECT post_id, group_id, root_id FROM channel_discussions WHERE channel_id = $1"
                f" AND post_id IN ({in_list(len(part), start=2)})", channel_id, *part)
            found.update((row[0], (row[1], row[2])) for row in rows)
        by_group: dict[int, list[int]] = {}
        for group_id, root_id in found.values():
            by_group.setdefault(group_id, []).append(root_id)
        counts = {group_id: await self.threads(group_id, roots) for group_id, roots in by_group.items()}
        result = {}
        for post_id, (group_id, root_id) in found.items():
            replies, max_id = counts[group_id].get(root_id, (0, 0))
            result[post_id] = DiscussionRecord(channel_id=channel_id, post_id=post_id, group_id=group_id,
                                               root_id=root_id, replies=replies, max_id=max_id)
        return result

    async def of_root(self, group_id: int, root_id: int) -> DiscussionRecord | None:
        row = await self._db.fetchrow("SELECT channel_id, post_id FROM channel_discussions"
                                      " WHERE group_id = $1 AND root_id = $2", group_id, root_id)
        if row is None:
            return None
        replies, max_id = (await self.threads(group_id, [root_id])).get(root_id, (0, 0))
        return DiscussionRecord(channel_id=row[0], post_id=row[1], group_id=group_id, root_id=root_id,
                                replies=replies, max_id=max_id)

    async def threads(self, channel_id: int, top_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        wanted = list(dict.fromkeys(top_ids))
        found: dict[int, tuple[int, int]] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(
                "SELECT reply_to_top_id, count(*), max(id) FROM channel_messages WHERE channel_id = $1"
                f" AND reply_to_top_id IN ({in_list(len(part), start=2)}) GROUP BY reply_to_top_id",
                channel_id, *part)
            found.update((row[0], (row[1], row[2])) for row in rows)
        return found


async def _link(tx: Executor, channel_id: int, group_id: int | None) -> list[ChannelRecord]:
    """Links the channel to the group (None: unlinks it); whatever either was linked to
    before is unlinked. Returns every channel whose link changed, as it is after."""
    named = {i: await lock_channel(tx, i) for i in sorted(i for i in (channel_id, group_id) if i is not None)}
    if named[channel_id].linked_chat_id == group_id:
        raise ChatNotModified(f"channel {channel_id} is linked to {group_id} already")
    # A former partner is only unlinked (it may be deleted meanwhile): its row is taken by
    # the update, after the two named, as a link made at the same time takes them.
    partners = {c.linked_chat_id for c in named.values()} - {None, *named}
    touched = sorted({*named, *partners})
    for one in touched:
        await tx.execute("UPDATE channels SET linked_chat_id = NULL WHERE id = $1", one)
    if group_id is not None:
        await tx.execute("UPDATE channels SET linked_chat_id = $2 WHERE id = $1", channel_id, group_id)
        await tx.execute("UPDATE channels SET linked_chat_id = $2 WHERE id = $1", group_id, channel_id)
    rows = [await tx.fetchrow(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1", one) for one in touched]
    return [channel_from(row) for row in rows if row is not None]


async def _copy_post(tx: Executor, post: ChannelMessageRecord, group_id: int, date: int) -> ChannelSent | None:
    """The post's copy in the group, unless the group is gone or no longer linked to the
    post's channel (None)."""
    try:
        group = await lock_channel(tx, group_id)
    except ChannelNotFound:  # deleted meanwhile
        return None
    if group.linked_chat_id != post.channel_id:
        return None
    channel = Peer.channel(post.channel_id).key
    header: dict[str, Any] = {"from_id": channel, "date": post.date, "channel_post": post.id,
                              "saved_from_peer": channel, "saved_from_msg_id": post.id}
    if post.post_author:
        header["post_author"] = post.post_author
    copy = ChannelMessageRecord(channel_id=group_id, id=0, sender_id=CHANNEL_SENDER, from_id=channel, date=date,
                                message=post.message, entities=list(post.entities), media=post.media,
                                fwd_from=header, silent=post.silent, grouped_id=post.grouped_id)
    sent = await send_message(tx, copy, sender_must_be_member=False)
    await tx.execute("INSERT INTO channel_discussions (channel_id, post_id, group_id, root_id) VALUES ($1, $2, $3, $4)",
                     post.channel_id, post.id, group_id, sent.message.id)
    return sent
