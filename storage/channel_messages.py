"""The messages of supergroups and channels (storage.interface.ChannelMessages): one
copy of each, ids and pts of the channel's own (storage/channels.py has the model).

A write is one transaction: it locks the channel's row (storage/channel_rows.py),
checks what it needs under that lock, changes the messages, moves the channel's pts
and writes the channel's log row (storage/channel_log.py). A send touches the channel
row, one message row and one log row, whatever the number of members; nobody's box.

Rights (who may post, edit or delete what) are the caller's to check; storage checks
only what must hold when the change is made: the sender is a member of a channel that
exists, the messages exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .channel_log import insert_log_row, log_update
from .channel_rows import MESSAGE_COLUMNS, json_or_none, lock_channel, message_from, to_json
from .db import Database, Executor, chunks, in_list
from .interface import MessageNotFound, NotMember
from .models import KEEP, MEMBER_ROLES, ChannelMessageRecord, ChannelMessagesChange, ChannelRecord, ChannelSent
from .search import Conditions, add_search_terms, filter_condition

HISTORY_LIMIT = 100  # messages.getHistory's cap
SEARCH_LIMIT = 100
ACROSS_CHANNELS_MAX = 1000  # channels one searchGlobal reads (Telegram's membership cap is 500, 1000 premium)
DELETE_BATCH = 1000


_NEXT_ID = ("UPDATE channels SET last_message_id = last_message_id + 1, pts = pts + 1,"
            " top_message = last_message_id + 1, top_date = $2 WHERE id = $1 RETURNING last_message_id, pts")
_INSERT = (f"INSERT INTO channel_messages ({MESSAGE_COLUMNS}) VALUES"
           " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)")
# PostgreSQL: _NEXT_ID, _INSERT and the log row in one statement (each statement through
# trio-asyncio costs a hop; bench/README.md). $2.. are the message's columns after id.
_SEND = (
    "WITH bumped AS (UPDATE channels SET last_message_id = last_message_id + 1, pts = pts + 1,"
    " top_message = last_message_id + 1, top_date = $4::bigint WHERE id = $1 RETURNING last_message_id, pts),"
    f" sent AS (INSERT INTO channel_messages ({MESSAGE_COLUMNS}) SELECT $1, last_message_id, $2::bigint,"
    " $3::bigint, $4::bigint, $5::text, $6::jsonb, $7::jsonb, $8::integer, $9::integer, $10::jsonb, $11::jsonb,"
    " $12::bigint, $13::bigint, $14::boolean, $15::boolean, $16::bigint, $17::text, $18::integer FROM bumped),"
    " logged AS (INSERT INTO channel_update_log (channel_id, pts, pts_count, kind, data, date)"
    " SELECT $1, pts, 1, 'new_message', jsonb_build_object('id', last_message_id), $4::bigint FROM bumped)"
    " SELECT last_message_id, pts FROM bumped")


class SqlChannelMessages:
    """storage.interface.ChannelMessages."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def send(self, channel_id: int, sender_id: int, *, date: int, message: str = "",
                   entities: Sequence[dict[str, Any]] = (), media: dict[str, Any] | None = None,
                   reply_to_msg_id: int | None = None, reply_to_top_id: int | None = None,
                   fwd_from: dict[str, Any] | None = None, action: dict[str, Any] | None = None,
                   random_id: int | None = None, silent: bool = False, from_id: int | None = None,
                   post_author: str | None = None, grouped_id: int | None = None) -> ChannelSent:
        record = ChannelMessageRecord(
            channel_id=channel_id, id=0, sender_id=sender_id, from_id=sender_id if from_id is None else from_id,
            date=date, message=message, entities=list(entities), media=media, reply_to_msg_id=reply_to_msg_id,
            reply_to_top_id=reply_to_top_id, fwd_from=fwd_from, action=action, random_id=random_id, silent=silent,
            grouped_id=grouped_id, post_author=post_author)
        return await self._db.transaction(send_message, record)

    async def edit(self, channel_id: int, id: int, *, edit_date: int, message: str,
                   entities: Sequence[dict[str, Any]] = (), media: Any = KEEP) -> ChannelMessagesChange:
        return await self._db.transaction(_edit, channel_id, id, edit_date, message, list(entities), media)

    async def delete(self, channel_id: int, ids: Iterable[int], *, now: int) -> ChannelMessagesChange | None:
        wanted = sorted(set(ids))
        if not wanted:
            return None
        return await self._db.transaction(_delete, channel_id, wanted, now)

    async def delete_from(self, channel_id: int, sender_id: int, *, now: int,
                          batch: int = DELETE_BATCH) -> tuple[ChannelMessagesChange | None, int]:
        return await self._db.transaction(_delete_from, channel_id, sender_id, now, max(1, batch))

    async def pin(self, channel_id: int, ids: Iterable[int], *, pinned: bool = True,
                  now: int) -> ChannelMessagesChange | None:
        wanted = sorted(set(ids))
        if not wanted:
            return None
        return await self._db.transaction(_pin, channel_id, wanted, pinned, now)

    async def unpin_all(self, channel_id: int, *, now: int) -> ChannelMessagesChange | None:
        return await self._db.transaction(_unpin_all, channel_id, now)

    # -- reads -------------------------------------------------------------------------------

    async def get(self, channel_id: int, ids: Iterable[int]) -> list[ChannelMessageRecord]:
        return await _get(self._db, channel_id, list(ids))

    async def by_random_id(self, channel_id: int, sender_id: int, random_id: int) -> ChannelMessageRecord | None:
        row = await self._db.fetchrow(f"SELECT {MESSAGE_COLUMNS} FROM channel_messages WHERE channel_id = $1"
                                      " AND sender_id = $2 AND random_id = $3", channel_id, sender_id, random_id)
        return None if row is None else message_from(row)

    async def pinned_ids(self, channel_id: int) -> list[int]:
        rows = await self._db.fetch("SELECT id FROM channel_messages WHERE channel_id = $1 AND pinned"
                                    " ORDER BY id DESC", channel_id)
        return [row[0] for row in rows]

    async def last_sent_date(self, channel_id: int, sender_id: int) -> int | None:
        return await self._db.fetchval("SELECT date FROM channel_messages WHERE channel_id = $1 AND sender_id = $2"
                                       " ORDER BY id DESC LIMIT 1", channel_id, sender_id)

    async def history(self, channel_id: int, *, offset_id: int = 0, offset_date: int = 0, add_offset: int = 0,
                      limit: int = HISTORY_LIMIT, max_id: int = 0,
                      min_id: int = 0, top_id: int | None = None) -> tuple[list[ChannelMessageRecord], int]:
        base, args = "channel_id = $1", [channel_id]
        if top_id is not None:  # a thread: the replies, not its top message
            base, args = "channel_id = $1 AND reply_to_top_id = $2", [channel_id, top_id]
        total = await self._db.fetchval(f"SELECT count(*) FROM channel_messages WHERE {base}", *args)
        found = await history_page(self._db, base, args, offset_id=offset_id, offset_date=offset_date,
                                   add_offset=add_offset, limit=limit, max_id=max_id, min_id=min_id)
        return found, total

    async def search(self, channel_id: int, *, query: str = "", sender_id: int | None = None,
                     filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                     offset_id: int = 0, add_offset: int = 0, limit: int = SEARCH_LIMIT, max_id: int = 0,
                     min_id: int = 0, top_id: int | None = None) -> tuple[list[ChannelMessageRecord], int]:
        dialect = self._db.dialect
        condition = filter_condition(dialect, filter)
        if condition is None:
            return [], 0
        terms = Conditions(["channel_id = $1", condition], [channel_id])
        where, args = terms.where, terms.args
        if sender_id is not None:
            terms.bind("sender_id = {}", sender_id)
        if top_id is not None:
            terms.bind("(reply_to_top_id = {0} OR id = {0})", top_id)
        add_search_terms(terms, dialect, query=query, filter=filter, min_date=min_date, max_date=max_date,
                         max_id=max_id, min_id=min_id)
        base = " AND ".join(where)
        total = await self._db.fetchval(f"SELECT count(*) FROM channel_messages WHERE {base}", *args)
        # A negative add_offset (newer than the offset) is not offered by search: from the offset on.
        found = await _page(self._db, base, args, offset_id if offset_id > 0 else None, "id < {}", "id >= {}",
                            max(0, add_offset), min(limit, SEARCH_LIMIT))
        return found, total


    async def search_across(self, floors: dict[int, int], *, query: str = "",
                            filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                            limit: int = SEARCH_LIMIT) -> tuple[list[ChannelMessageRecord], int]:
        dialect = self._db.dialect
        condition = filter_condition(dialect, filter)
        if condition is None or not floors:
            return [], 0
        ids = list(floors)[:ACROSS_CHANNELS_MAX]
        terms = Conditions([f"channel_id IN ({in_list(len(ids))})", condition], list(ids))
        for channel_id in ids:
            if floors[channel_id] > 0:  # history hidden from this reader before their join
                terms.args.append(channel_id)
                terms.args.append(floors[channel_id])
                terms.where.append(f"NOT (channel_id = ${len(terms.args) - 1} AND id <= ${len(terms.args)})")
        add_search_terms(terms, dialect, query=query, filter=filter, min_date=min_date, max_date=max_date,
                         max_id=0, min_id=0)
        base = terms.sql()
        args = terms.args
        total = await self._db.fetchval(f"SELECT count(*) FROM channel_messages WHERE {base}", *args)
        limit = min(limit, SEARCH_LIMIT)
        if limit <= 0:
            return [], total
        rows = await self._db.fetch(f"SELECT {MESSAGE_COLUMNS} FROM channel_messages WHERE {base}"
                                    f" ORDER BY date DESC, channel_id DESC, id DESC LIMIT ${len(args) + 1}",
                                    *args, limit)
        return [message_from(row) for row in rows], total


# -- transaction bodies -----------------------------------------------------------------------


async def send_message(tx: Executor, record: ChannelMessageRecord, *,
                       sender_must_be_member: bool = True) -> ChannelSent:
    """Inside a transaction: `record` (its id aside) as the channel's next message. NotMember
    unless the sender is one (sender_must_be_member=False: a message no user sends, as a
    post's copy in a discussion group); a retry (same sender and random_id) returns the
    first send."""
    channel_id, sender = record.channel_id, record.sender_id
    await lock_channel(tx, channel_id)
    if sender_must_be_member:
        # After the lock, so that a member removed meanwhile is seen as removed.
        row = await tx.fetchrow("SELECT role, (SELECT id FROM channel_messages WHERE channel_id = $1"
                                " AND sender_id = $2 AND random_id = $3) FROM channel_participants"
                                " WHERE channel_id = $1 AND user_id = $2", channel_id, sender, record.random_id)
        if row is None or row[0] not in MEMBER_ROLES:
            raise NotMember(f"user {sender} is not a member of channel {channel_id}")
        if row[1] is not None:
            return await _already_sent(tx, channel_id, row[1])
    columns = (record.sender_id, record.from_id, record.date, record.message, to_json(record.entities),
               json_or_none(record.media), record.reply_to_msg_id, record.reply_to_top_id,
               json_or_none(record.fwd_from), json_or_none(record.action), record.random_id, record.edit_date,
               record.silent, record.pinned, record.grouped_id, record.post_author, record.views)
    if tx.dialect == "postgres":
        message_id, pts = await tx.fetchrow(_SEND, channel_id, *columns)
    else:
        message_id, pts = await tx.fetchrow(_NEXT_ID, channel_id, record.date)
        await tx.execute(_INSERT, channel_id, message_id, *columns)
        await insert_log_row(tx, channel_id, pts, 1, "new_message", {"id": message_id}, record.date)
    return ChannelSent(message=msgspec.structs.replace(record, id=message_id), pts=pts)


async def _already_sent(tx: Executor, channel_id: int, message_id: int) -> ChannelSent:
    """A retried send: the message, pts as logged then (the channel's pts now if that log
    row was pruned)."""
    found = (await _get(tx, channel_id, [message_id]))[0]
    pts = await tx.fetchval("SELECT pts FROM channel_update_log WHERE channel_id = $1 AND kind = 'new_message'"
                            " AND data = $2", channel_id, to_json({"id": message_id}))
    if pts is None:
        pts = await tx.fetchval("SELECT pts FROM channels WHERE id = $1", channel_id)
    return ChannelSent(message=found, pts=pts, duplicate=True)


async def _edit(tx: Executor, channel_id: int, message_id: int, edit_date: int, text: str, entities: list[dict],
                media: Any) -> ChannelMessagesChange:
    await lock_channel(tx, channel_id)
    found = await _get(tx, channel_id, [message_id])
    if not found or found[0].action is not None:
        raise MessageNotFound(f"channel {channel_id} has no message {message_id} to edit")
    if media is KEEP:
        media = found[0].media
    await tx.execute("UPDATE channel_messages SET message = $3, entities = $4, media = $5, edit_date = $6"
                     " WHERE channel_id = $1 AND id = $2", channel_id, message_id, text, to_json(entities),
                     json_or_none(media), edit_date)
    pts = await log_update(tx, channel_id, 1, "edit_message", {"id": message_id}, edit_date)
    edited = (await _get(tx, channel_id, [message_id]))[0]
    return ChannelMessagesChange(pts=pts, pts_count=1, ids=[message_id], messages=[edited])


async def _delete(tx: Executor, channel_id: int, ids: list[int], now: int) -> ChannelMessagesChange | None:
    channel = await lock_channel(tx, channel_id)
    existing = [m.id for m in await _get(tx, channel_id, ids)]
    return await delete_ids(tx, channel, sorted(existing), now)


async def _delete_from(tx: Executor, channel_id: int, sender: int, now: int,
                       batch: int) -> tuple[ChannelMessagesChange | None, int]:
    channel = await lock_channel(tx, channel_id)
    rows = await tx.fetch("SELECT id FROM channel_messages WHERE channel_id = $1 AND sender_id = $2"
                          " ORDER BY id DESC LIMIT $3", channel_id, sender, batch)
    change = await delete_ids(tx, channel, sorted(row[0] for row in rows), now)
    left = await tx.fetchval("SELECT count(*) FROM channel_messages WHERE channel_id = $1 AND sender_id = $2",
                             channel_id, sender)
    return change, left


async def delete_ids(tx: Executor, channel: ChannelRecord, ids: list[int], now: int) -> ChannelMessagesChange | None:
    """Deletes these existing messages of the locked channel, logged as one update."""
    if not ids:
        return None
    for part in chunks(ids):
        marks = in_list(len(part), start=2)
        await tx.execute(f"DELETE FROM channel_messages WHERE channel_id = $1 AND id IN ({marks})", channel.id, *part)
        # A view counted meanwhile by a transaction that began before this one may stay
        # behind; nothing reads views of messages that are gone.
        await tx.execute(f"DELETE FROM channel_message_views WHERE channel_id = $1 AND message_id IN ({marks})",
                         channel.id, *part)
    if channel.top_message in ids:
        top = await tx.fetchrow("SELECT id, date FROM channel_messages WHERE channel_id = $1 ORDER BY id DESC LIMIT 1",
                                channel.id)
        top_id, top_date = top if top is not None else (0, channel.date)
        await tx.execute("UPDATE channels SET top_message = $2, top_date = $3 WHERE id = $1",
                         channel.id, top_id, top_date)
    pts = await log_update(tx, channel.id, len(ids), "delete_messages", {"ids": ids}, now)
    return ChannelMessagesChange(pts=pts, pts_count=len(ids), ids=ids)


async def _pin(tx: Executor, channel_id: int, ids: list[int], pinned: bool, now: int) -> ChannelMessagesChange | None:
    await lock_channel(tx, channel_id)
    found = await _get(tx, channel_id, ids)
    if len(found) < len(ids) or any(m.action is not None for m in found):
        raise MessageNotFound(f"channel {channel_id} has no message among {ids} to pin")
    return await _set_pinned(tx, channel_id, sorted(m.id for m in found if m.pinned != pinned), pinned, now)


async def _unpin_all(tx: Executor, channel_id: int, now: int) -> ChannelMessagesChange | None:
    await lock_channel(tx, channel_id)
    rows = await tx.fetch("SELECT id FROM channel_messages WHERE channel_id = $1 AND pinned ORDER BY id", channel_id)
    return await _set_pinned(tx, channel_id, [row[0] for row in rows], False, now)


async def _set_pinned(tx: Executor, channel_id: int, ids: list[int], pinned: bool,
                      now: int) -> ChannelMessagesChange | None:
    if not ids:
        return None
    for part in chunks(ids):
        await tx.execute(f"UPDATE channel_messages SET pinned = $2 WHERE channel_id = $1"
                         f" AND id IN ({in_list(len(part), start=3)})", channel_id, pinned, *part)
    pts = await log_update(tx, channel_id, len(ids), "pinned_messages", {"ids": ids, "pinned": pinned}, now)
    return ChannelMessagesChange(pts=pts, pts_count=len(ids), ids=ids)


# -- reading ----------------------------------------------------------------------------------


async def _get(ex: Executor, channel_id: int, ids: list[int]) -> list[ChannelMessageRecord]:
    """The messages that exist, in the order asked, each once."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, ChannelMessageRecord] = {}
    for part in chunks(wanted):
        rows = await ex.fetch(f"SELECT {MESSAGE_COLUMNS} FROM channel_messages WHERE channel_id = $1"
                              f" AND id IN ({in_list(len(part), start=2)})", channel_id, *part)
        found.update((row[1], message_from(row)) for row in rows)
    return [found[i] for i in wanted if i in found]


async def history_page(ex: Executor, base: str, args: list[Any], *, offset_id: int, offset_date: int,
                       add_offset: int, limit: int, max_id: int, min_id: int) -> list[ChannelMessageRecord]:
    """messages.getHistory's page of the messages `base` (a WHERE condition on `args`)
    selects: between min_id and max_id (exclusive, 0: no bound), split at offset_id or
    else offset_date (`_page`), at most HISTORY_LIMIT."""
    where, args = [base], list(args)
    if max_id > 0:
        args.append(max_id)
        where.append(f"id < ${len(args)}")
    if min_id > 0:
        args.append(min_id)
        where.append(f"id > ${len(args)}")
    if offset_id > 0:
        split_value, older, newer = offset_id, "id < {}", "id >= {}"
    elif offset_date > 0:
        split_value, older, newer = offset_date, "date < {}", "date >= {}"
    else:
        split_value, older, newer = None, None, None
    return await _page(ex, " AND ".join(where), args, split_value, older, newer, add_offset,
                       min(limit, HISTORY_LIMIT))


async def _page(ex: Executor, base: str, args: list[Any], split_value: Any, older: str | None, newer: str | None,
                add_offset: int, limit: int) -> list[ChannelMessageRecord]:
    """messages.getHistory's page, newest first: add_offset messages after the first one
    on the older side of the split (id < offset_id, or date < offset_date), at most
    `limit`; a negative add_offset reaches into the newer side (the offset message
    included). Without a split, a negative add_offset only cuts the page short."""
    if limit <= 0:
        return []
    if split_value is not None:
        args = [*args, split_value]
        mark = f"${len(args)}"
        older, newer = older.format(mark), newer.format(mark)

    async def query(split: str | None, order: str, count: int, skip: int) -> list[ChannelMessageRecord]:
        n = len(args)
        sql = (f"SELECT {MESSAGE_COLUMNS} FROM channel_messages WHERE {base}" + (f" AND {split}" if split else "")
               + f" ORDER BY id {order} LIMIT ${n + 1} OFFSET ${n + 2}")
        return [message_from(row) for row in await ex.fetch(sql, *args, count, skip)]

    if add_offset < 0 and split_value is not None:
        back = -add_offset
        found = list(reversed(await query(newer, "ASC", min(back, limit), max(0, back - limit))))
        if limit + add_offset > 0:
            found += await query(older, "DESC", limit + add_offset, 0)
        return found
    count = limit if add_offset >= 0 else limit + add_offset
    if count <= 0:
        return []
    return await query(older if split_value is not None else None, "DESC", count, max(0, add_offset))
