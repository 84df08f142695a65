"""Forum topics of supergroups (storage.interface.ForumTopics).

A topic is a row of ``channel_forum_topics`` beside the channel's one message stream:
its id is the id of the service message that created it (messageActionTopicCreate), and
its messages are those whose ``reply_to_top_id`` is that id -- the creating service
message too, so that one condition finds them all. "General" (id 1) is the row written
when the forum is turned on; its messages are those with no ``reply_to_top_id`` (what
was there before the forum, and what clients send without naming a topic).

Writes that change messages (creating a topic, deleting its history) lock the channel
and log their change as every channel write does (storage/channel_messages.py); the
topic's own settings (title, icon, closed, hidden, pin) are the row's and move no pts:
their service messages are posted by the caller as ordinary sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

# The channel writes a topic write runs inside its own transaction, and history paging.
from .channel_messages import delete_ids, history_page, send_message
from .channel_rows import lock_channel
from .db import Database, Executor, chunks, in_list, like_escape
from .interface import TopicNotFound
from .models import (KEEP, ChannelMessageRecord, ChannelMessagesChange, ChannelSent, ForumTopicActivity,
                     ForumTopicRecord)

GENERAL = 1  # General's id, in every forum
LIST_LIMIT = 100
DELETE_BATCH = 1000

_COLUMNS = "channel_id, id, date, title, icon_color, icon_emoji_id, from_id, closed, hidden, pinned_at"
_FOLD = {"sqlite": "unicode_lower", "postgres": "lower"}
# The messages of topic $2 of channel $1 (General's have no reply_to_top_id).
_THREAD = ("channel_id = $1 AND (reply_to_top_id = $2 OR ($2 = 1 AND reply_to_top_id IS NULL))")
# The newest message of topic t (two subqueries, so each uses the thread index).
_TOP = ("CASE WHEN t.id = 1 THEN (SELECT max(m.id) FROM channel_messages m WHERE m.channel_id = t.channel_id"
        " AND m.reply_to_top_id IS NULL) ELSE (SELECT max(m.id) FROM channel_messages m"
        " WHERE m.channel_id = t.channel_id AND m.reply_to_top_id = t.id) END")


def _topic(row) -> ForumTopicRecord:
    return ForumTopicRecord(channel_id=row[0], id=row[1], date=row[2], title=row[3], icon_color=row[4],
                            icon_emoji_id=row[5], from_id=row[6], closed=bool(row[7]), hidden=bool(row[8]),
                            pinned_at=row[9])


class SqlForumTopics:
    """storage.interface.ForumTopics."""

    def __init__(self, db: Database):
        self._db = db

    async def open_general(self, channel_id: int, *, date: int, from_id: int, title: str, icon_color: int) -> None:
        await self._db.execute(f"INSERT INTO channel_forum_topics ({_COLUMNS}) VALUES ($1, 1, $2, $3, $4, NULL, $5,"
                               " $6, $6, 0) ON CONFLICT DO NOTHING", channel_id, date, title, icon_color, from_id,
                               False)

    async def create(self, channel_id: int, sender_id: int, *, date: int, title: str, icon_color: int,
                     action: dict[str, Any], icon_emoji_id: int | None = None, random_id: int | None = None,
                     from_id: int | None = None) -> tuple[ForumTopicRecord, ChannelSent]:
        record = ChannelMessageRecord(channel_id=channel_id, id=0, sender_id=sender_id,
                                      from_id=sender_id if from_id is None else from_id, date=date, action=action,
                                      random_id=random_id)
        return await self._db.transaction(_create, record, title, icon_color, icon_emoji_id)

    async def get(self, channel_id: int, ids: Iterable[int]) -> list[ForumTopicRecord]:
        wanted = list(dict.fromkeys(ids))
        found: dict[int, ForumTopicRecord] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM channel_forum_topics WHERE channel_id = $1"
                                        f" AND id IN ({in_list(len(part), start=2)})", channel_id, *part)
            found.update((row[1], _topic(row)) for row in rows)
        return [found[i] for i in wanted if i in found]

    async def list(self, channel_id: int, *, query: str = "", offset_id: int = 0,
                   limit: int = LIST_LIMIT) -> tuple[list[ForumTopicRecord], int]:
        where, args = ["channel_id = $1"], [channel_id]
        folded = query.strip().lower()
        if folded:
            args.append("%" + like_escape(folded) + "%")
            where.append(f"{_FOLD[self._db.dialect]}(title) LIKE ${len(args)} ESCAPE '\\'")
        base = " AND ".join(where)
        total = await self._db.fetchval(f"SELECT count(*) FROM channel_forum_topics WHERE {base}", *args)
        page = ""
        if offset_id > 0:  # a next page: the unpinned topics whose newest message is older
            args.append(offset_id)
            page = f" WHERE pinned_at = 0 AND coalesce(top, 0) < ${len(args)}"
        args.append(max(0, min(limit, LIST_LIMIT)))
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM (SELECT t.*, {_TOP} AS top FROM channel_forum_topics t WHERE {base}) s{page}"
            f" ORDER BY pinned_at DESC, coalesce(top, 0) DESC, id DESC LIMIT ${len(args)}", *args)
        return [_topic(row) for row in rows], total

    async def activity(self, channel_id: int, topic_ids: Iterable[int], *, reader_id: int,
                       read_max_id: int) -> dict[int, ForumTopicActivity]:
        found = {}
        for topic_id in dict.fromkeys(topic_ids):
            mark = await self._db.fetchval("SELECT read_max_id FROM channel_forum_topic_reads WHERE channel_id = $1"
                                           " AND topic_id = $2 AND user_id = $3", channel_id, topic_id, reader_id)
            floor = max(read_max_id, mark or 0)
            row = await self._db.fetchrow(
                f"SELECT max(id), coalesce(sum(CASE WHEN id > $3 AND sender_id <> $4 THEN 1 ELSE 0 END), 0)"
                f" FROM channel_messages WHERE {_THREAD}", channel_id, topic_id, floor, reader_id)
            top = row[0] or 0
            found[topic_id] = ForumTopicActivity(top_message=top, read_inbox_max_id=min(floor, top),
                                                 unread_count=int(row[1]))
        return found

    async def read(self, channel_id: int, topic_id: int, user_id: int, max_id: int) -> int:
        return await self._db.transaction(_read, channel_id, topic_id, user_id, max_id)

    async def messages(self, channel_id: int, topic_id: int, *, offset_id: int = 0, offset_date: int = 0,
                       add_offset: int = 0, limit: int = 100, max_id: int = 0,
                       min_id: int = 0) -> tuple[list[ChannelMessageRecord], int]:
        args = [channel_id, topic_id]
        total = await self._db.fetchval(f"SELECT count(*) FROM channel_messages WHERE {_THREAD}", *args)
        found = await history_page(self._db, _THREAD, args, offset_id=offset_id, offset_date=offset_date,
                                   add_offset=add_offset, limit=limit, max_id=max_id, min_id=min_id)
        return found, total

    async def edit(self, channel_id: int, topic_id: int, *, title: Any = KEEP, icon_emoji_id: Any = KEEP,
                   closed: Any = KEEP, hidden: Any = KEEP) -> ForumTopicRecord:
        changes = {name: value for name, value in (("title", title), ("icon_emoji_id", icon_emoji_id),
                                                   ("closed", closed), ("hidden", hidden)) if value is not KEEP}
        return await self._set(channel_id, topic_id, changes)

    async def pin(self, channel_id: int, topic_id: int, *, pinned: bool, now: int) -> ForumTopicRecord:
        return await self._set(channel_id, topic_id, {"pinned_at": now if pinned else 0})

    async def delete_history(self, channel_id: int, topic_id: int, *, now: int,
                             batch: int = DELETE_BATCH) -> tuple[ChannelMessagesChange | None, int]:
        return await self._db.transaction(_delete_history, channel_id, topic_id, now, max(1, batch))

    async def _set(self, channel_id: int, topic_id: int, changes: dict[str, Any]) -> ForumTopicRecord:
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=3)) or "id = id"
        row = await self._db.fetchrow(f"UPDATE channel_forum_topics SET {sets} WHERE channel_id = $1 AND id = $2"
                                      f" RETURNING {_COLUMNS}", channel_id, topic_id, *changes.values())
        if row is None:
            raise TopicNotFound(f"channel {channel_id} has no topic {topic_id}")
        return _topic(row)


async def _create(tx: Executor, record: ChannelMessageRecord, title: str, icon_color: int,
                  icon_emoji_id: int | None) -> tuple[ForumTopicRecord, ChannelSent]:
    sent = await send_message(tx, record)
    topic_id = sent.message.id
    if not sent.duplicate:
        # The service message opens its own thread: one condition finds all of a topic's messages.
        await tx.execute("UPDATE channel_messages SET reply_to_top_id = id WHERE channel_id = $1 AND id = $2",
                         record.channel_id, topic_id)
        await tx.execute(f"INSERT INTO channel_forum_topics ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7,"
                         " $8, $8, 0)", record.channel_id, topic_id, record.date, title, icon_color, icon_emoji_id,
                         record.from_id, False)
    row = await tx.fetchrow(f"SELECT {_COLUMNS} FROM channel_forum_topics WHERE channel_id = $1 AND id = $2",
                            record.channel_id, topic_id)
    if row is None:  # a retry of a topic deleted since
        raise TopicNotFound(f"channel {record.channel_id} has no topic {topic_id} any more")
    message = msgspec.structs.replace(sent.message, reply_to_top_id=topic_id)
    return _topic(row), msgspec.structs.replace(sent, message=message)


async def _read(tx: Executor, channel_id: int, topic_id: int, user_id: int, max_id: int) -> int:
    """The user's mark of the topic rises to max_id (capped at its newest message; 0: all)."""
    top = await tx.fetchval(f"SELECT max(id) FROM channel_messages WHERE {_THREAD}", channel_id, topic_id) or 0
    wanted = top if max_id <= 0 else min(max_id, top)
    return await tx.fetchval(
        "INSERT INTO channel_forum_topic_reads (channel_id, topic_id, user_id, read_max_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (channel_id, topic_id, user_id) DO UPDATE SET read_max_id = CASE"
        " WHEN excluded.read_max_id > channel_forum_topic_reads.read_max_id THEN excluded.read_max_id"
        " ELSE channel_forum_topic_reads.read_max_id END RETURNING read_max_id",
        channel_id, topic_id, user_id, wanted)


async def _delete_history(tx: Executor, channel_id: int, topic_id: int, now: int,
                          batch: int) -> tuple[ChannelMessagesChange | None, int]:
    """Up to `batch` of the topic's messages, newest first; the topic itself with its last."""
    channel = await lock_channel(tx, channel_id)
    exists = await tx.fetchval("SELECT 1 FROM channel_forum_topics WHERE channel_id = $1 AND id = $2",
                               channel_id, topic_id)
    if exists is None:
        raise TopicNotFound(f"channel {channel_id} has no topic {topic_id}")
    rows = await tx.fetch(f"SELECT id FROM channel_messages WHERE {_THREAD} ORDER BY id DESC LIMIT $3",
                          channel_id, topic_id, batch)
    change = await delete_ids(tx, channel, sorted(row[0] for row in rows), now)
    left = await tx.fetchval(f"SELECT count(*) FROM channel_messages WHERE {_THREAD}", channel_id, topic_id)
    if not left:
        await tx.execute("DELETE FROM channel_forum_topics WHERE channel_id = $1 AND id = $2", channel_id, topic_id)
        await tx.execute("DELETE FROM channel_forum_topic_reads WHERE channel_id = $1 AND topic_id = $2",
                         channel_id, topic_id)
    return change, left

