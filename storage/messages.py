"""Messages of private chats and basic groups, dialogs and the per-user update log
(storage.interface.Messages).

The writes are made of storage/message_boxes.py's kernel (one transaction per write,
boxes locked in ascending user id order, a log row and a pts step per box touched); a
basic group's messages are written by storage/chats.py. The model and the locking rules
are in storage/message_boxes.py's docstring; the update log's rows are written, read and
pruned by storage/update_log.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .db import Database, Executor, chunks
from .interface import MessageNotFound, NotAuthor, NotMember
from .message_boxes import (COUNT_UNREAD, DIALOG_COLUMNS, MESSAGE_COLUMNS, copy_owners, delete_messages,
                            dialog_record, get_messages, lock_boxes, member_chats, message_record, one_message,
                            send_private, send_private_committing)
from .models import DialogRecord, MessageRecord, SentMessage, UpdateRecord
from .peer import Peer
from .update_log import (UpdateKind, log_update, oldest_pts, prune_before, prune_box, row_count, update_record,
                         updates_after)

HISTORY_LIMIT = 100  # messages.getHistory's cap
DIALOGS_LIMIT = 100


class SqlMessages:
    """storage.interface.Messages."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def send_private(self, sender_id: int, recipient_id: int, *, date: int, message: str,
                           entities: Sequence[dict[str, Any]] = (), reply_to_msg_id: int | None = None,
                           random_id: int | None = None, silent: bool = False,
                           media: dict[str, Any] | None = None, recipient_access_hash: int | None = None,
                           clear_draft: bool = False) -> SentMessage:
        args = (sender_id, recipient_id, date, message, list(entities), reply_to_msg_id, random_id, silent, media,
                recipient_access_hash, clear_draft)
        if self._db.dialect == "postgres":
            # Two round trips; None: a retry, which send_private answers.
            sent = await self._db.transaction(send_private_committing, self._db.dialect, *args)
            if sent is not None:
                return sent
        return await self._db.transaction(send_private, self._db.dialect, *args)

    async def edit(self, owner_id: int, id: int, *, message: str, entities: Sequence[dict[str, Any]],
                   edit_date: int) -> list[tuple[int, int, MessageRecord]]:
        return await self._db.transaction(_edit, self._db.dialect, owner_id, id, message, list(entities),
                                          edit_date)

    async def delete(self, owner_id: int, ids: Iterable[int], *, revoke: bool, now: int | None = None,
                     moderated_chats: Iterable[int] = ()) -> dict[int, tuple[int, int, list[int]]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        return await self._db.transaction(delete_messages, self._db.dialect, owner_id, wanted, revoke, _now(now),
                                          {-chat_id for chat_id in moderated_chats})

    async def delete_box(self, owner_id: int) -> tuple[int, list[int]]:
        """Empties a deleted account's box: its messages, dialogs and update log, in one
        transaction under the box's lock; the copies in other boxes stay. The box's
        counters (update_state, message_boxes) stay too, so a late write into it never
        reuses a pts or a message id. Returns (messages removed, the users it had private
        dialogs with)."""
        return await self._db.transaction(_delete_box, self._db.dialect, owner_id)

    async def read_history(self, owner_id: int, peer: Peer, max_id: int,
                           now: int | None = None) -> tuple[int | None, Peer, int | None, int]:
        owner_pts, receipts = await self.read_chat_history(owner_id, peer, max_id, now)
        _, peer_pts, peer_max = receipts[0] if receipts else (peer.id, None, 0)
        return owner_pts, peer, peer_pts, peer_max

    async def read_chat_history(self, owner_id: int, peer: Peer, max_id: int,
                                now: int | None = None) -> tuple[int | None, list[tuple[int, int | None, int]]]:
        return await self._db.transaction(_read_history, self._db.dialect, owner_id, peer.key, max_id, _now(now))

    async def note_channel_changed(self, user_ids: Iterable[int], channel_id: int, *, date: int) -> None:
        for part in chunks(sorted(set(user_ids))):
            values = ", ".join(f"(${3 * i + 1}, ${3 * i + 2}, ${3 * i + 3})" for i in range(len(part)))
            await self._db.execute(
                f"INSERT INTO channel_standing_changes (user_id, channel_id, date) VALUES {values}"
                " ON CONFLICT (user_id, channel_id) DO UPDATE SET date = excluded.date",
                *[value for user in part for value in (user, channel_id, date)])

    async def channels_changed_since(self, user_id: int, date: int, *, limit: int = 100) -> list[int]:
        rows = await self._db.fetch("SELECT channel_id FROM channel_standing_changes WHERE user_id = $1"
                                    " AND date >= $2 ORDER BY date DESC, channel_id LIMIT $3", user_id, date, limit)
        return [row[0] for row in rows]

    # -- reads -------------------------------------------------------------------------------

    async def get(self, owner_id: int, ids: Iterable[int]) -> list[MessageRecord]:
        return await get_messages(self._db, owner_id, list(ids))

    async def by_random_id(self, owner_id: int, random_id: int) -> MessageRecord | None:
        row = await self._db.fetchrow(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE owner_id = $1 AND random_id = $2",
                                      owner_id, random_id)
        return None if row is None else message_record(row)

    async def history(self, owner_id: int, peer: Peer, *, offset_id: int = 0, offset_date: int = 0,
                      add_offset: int = 0, limit: int = 100, max_id: int = 0,
                      min_id: int = 0) -> tuple[list[MessageRecord], int]:
        peer_id = peer.key
        total = await self._db.fetchval("SELECT count(*) FROM messages WHERE owner_id = $1 AND peer_id = $2",
                                        owner_id, peer_id)
        limit = min(limit, HISTORY_LIMIT)
        if limit <= 0:
            return [], total
        where = ["owner_id = $1", "peer_id = $2"]
        args: list[Any] = [owner_id, peer_id]
        if max_id > 0:
            args.append(max_id)
            where.append(f"id < ${len(args)}")
        if min_id > 0:
            args.append(min_id)
            where.append(f"id > ${len(args)}")
        # The offset splits the history into older (from the offset on) and newer messages.
        if offset_id > 0:
            args.append(offset_id)
            older, newer = f"id < ${len(args)}", f"id >= ${len(args)}"
        elif offset_date > 0:
            args.append(offset_date)
            older, newer = f"date < ${len(args)}", f"date >= ${len(args)}"
        else:
            older = newer = None
        base = f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE " + " AND ".join(where)

        def query(split: str | None, order: str, count: int, skip: int) -> tuple[str, list[Any]]:
            sql = base + (f" AND {split}" if split else "")
            n = len(args)
            return f"{sql} ORDER BY id {order} LIMIT ${n + 1} OFFSET ${n + 2}", [*args, count, skip]

        found: list[MessageRecord] = []
        if add_offset < 0 and newer is not None:
            # Positions add_offset .. add_offset + limit - 1 around the offset: first the
            # newer ones (nearest first when read ascending), then the older ones.
            back = -add_offset
            sql, params = query(newer, "ASC", min(back, limit), max(0, back - limit))
            found = [message_record(row) for row in reversed(await self._db.fetch(sql, *params))]
            rest = limit + add_offset
            if rest > 0:
                sql, params = query(older, "DESC", rest, 0)
                found += [message_record(row) for row in await self._db.fetch(sql, *params)]
        else:
            # Without an offset, a negative add_offset only cuts the page short.
            count = limit if add_offset >= 0 else limit + add_offset
            if count <= 0:
                return [], total
            sql, params = query(older, "DESC", count, max(0, add_offset))
            found = [message_record(row) for row in await self._db.fetch(sql, *params)]
        return found, total

    async def dialogs(self, owner_id: int, *, offset_date: int = 0, offset_id: int = 0, offset_peer: Peer | None = None,
                      limit: int = 100, exclude_pinned: bool = False) -> tuple[list[DialogRecord], int]:
        total = await self._db.fetchval("SELECT count(*) FROM dialogs WHERE owner_id = $1 AND top_message > 0",
                                        owner_id)
        limit = min(limit, DIALOGS_LIMIT)
        if limit <= 0:
            return [], total
        where = "owner_id = $1 AND top_message > 0" + (" AND pinned_order IS NULL" if exclude_pinned else "")
        args: list[Any] = [owner_id]
        if offset_date > 0:
            args += [offset_date, offset_id]
            where += " AND (date < $2 OR (date = $2 AND top_message < $3))"
        elif offset_id > 0:
            args.append(offset_id)
            where += " AND top_message < $2"
        args.append(limit)
        rows = await self._db.fetch(f"SELECT {DIALOG_COLUMNS} FROM dialogs WHERE {where}"
                                    f" ORDER BY date DESC, top_message DESC LIMIT ${len(args)}", *args)
        return [dialog_record(row) for row in rows], total

    async def dialog(self, owner_id: int, peer: Peer) -> DialogRecord | None:
        row = await self._db.fetchrow(f"SELECT {DIALOG_COLUMNS} FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                      owner_id, peer.key)
        return None if row is None else dialog_record(row)

    # -- the update log (storage/update_log.py) --------------------------------------------------

    async def update_log(self, user_id: int, from_pts: int, limit: int = 1000) -> list[UpdateRecord]:
        return await updates_after(self._db, user_id, from_pts, limit)

    async def logged_with_message(self, user_id: int, pts: int) -> tuple[UpdateRecord, MessageRecord | None] | None:
        row = await self._db.fetchrow(
            f"SELECT {_LOG_COLUMNS}, {_JOINED_MESSAGE_COLUMNS} FROM update_log l LEFT JOIN messages m"
            f" ON l.kind IN ('new_message', 'edit_message') AND m.owner_id = l.user_id"
            f" AND m.id = {_LOGGED_MESSAGE_ID[self._db.dialect]} WHERE l.user_id = $1 AND l.pts = $2", user_id, pts)
        if row is None:
            return None
        split = len(_LOG_COLUMNS.split(","))
        record = update_record(row[:split])
        message = None if row[split] is None else message_record(row[split:])
        return record, message

    async def prune_update_log(self, user_id: int, keep_after_pts: int) -> int:
        return await prune_box(self._db, user_id, keep_after_pts)

    async def prune_update_logs_before(self, date: int) -> int:
        changes = await self._db.execute("DELETE FROM channel_standing_changes WHERE date < $1", date)
        return changes + await prune_before(self._db, date)

    async def update_log_rows(self) -> int:
        return await row_count(self._db)

    async def oldest_logged_pts(self, user_id: int) -> int | None:
        return await oldest_pts(self._db, user_id)


_LOG_COLUMNS = "l.user_id, l.pts, l.pts_count, l.kind, l.data, l.date"
_JOINED_MESSAGE_COLUMNS = ", ".join(f"m.{name.strip()}" for name in MESSAGE_COLUMNS.split(","))
# The message a new_message / edit_message row names ({"id": ...} in its data).
_LOGGED_MESSAGE_ID = {"postgres": "(l.data->>'id')::bigint", "sqlite": "json_extract(l.data, '$.id')"}


# -- transaction bodies -----------------------------------------------------------------------


async def _delete_box(tx: Executor, dialect: str, owner: int) -> tuple[int, list[int]]:
    await lock_boxes(tx, dialect, [owner])
    rows = await tx.fetch("SELECT peer_id FROM dialogs WHERE owner_id = $1 ORDER BY peer_id", owner)
    partners = [peer.id for peer in map(Peer.from_key, (row[0] for row in rows)) if peer.is_user and peer.id != owner]
    removed = await tx.execute("DELETE FROM messages WHERE owner_id = $1", owner)
    await tx.execute("DELETE FROM dialogs WHERE owner_id = $1", owner)
    await tx.execute("DELETE FROM update_log WHERE user_id = $1", owner)
    await tx.execute("DELETE FROM channel_standing_changes WHERE user_id = $1", owner)
    return removed, partners


async def _edit(tx: Executor, dialect: str, owner: int, message_id: int, text: str, entities: list[dict],
                edit_date: int) -> list[tuple[int, int, MessageRecord]]:
    found = await one_message(tx, owner, message_id)
    await lock_boxes(tx, dialect, {owner, *await copy_owners(tx, [found.shared_id])})
    found = await one_message(tx, owner, message_id)  # again, under the locks
    if found.action is not None:
        raise MessageNotFound(f"message {message_id} of user {owner} is a service message")
    if not found.out or found.from_id != owner:
        raise NotAuthor(f"message {message_id} of user {owner} is not theirs to edit")
    if found.peer_id < 0 and not await member_chats(tx, owner, [found.peer_id]):
        # The edit would reach every member's copy: only a member may still write there.
        raise NotMember(f"user {owner} is no longer a member of chat {-found.peer_id}")
    rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE shared_id = $1", found.shared_id)
    copies = sorted((message_record(row) for row in rows), key=lambda m: m.owner_id != owner)
    await tx.execute("UPDATE messages SET message = $1, entities = $2, edit_date = $3 WHERE shared_id = $4",
                     text, _json(entities), edit_date, found.shared_id)
    result = []
    for copy in copies:
        pts = await log_update(tx, copy.owner_id, 1, UpdateKind.EDIT_MESSAGE, {"id": copy.id}, edit_date)
        result.append((copy.owner_id, pts, msgspec.structs.replace(copy, message=text, entities=entities,
                                                                   edit_date=edit_date)))
    return result


async def _read_history(tx: Executor, dialect: str, owner: int, peer: int, max_id: int,
                        now: int) -> tuple[int | None, list[tuple[int, int | None, int]]]:
    """(owner_pts, [(author, pts, author's max id read)]): the owner's inbox, then each
    author's outbox (in a private chat the peer, in a group everyone whose message was
    among those now read)."""
    row = await tx.fetchrow("SELECT top_message, read_inbox_max_id FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                            owner, peer)
    if row is None:
        return None, []
    # The target is fixed before locking: messages up to it are already in the box (new
    # ones get higher ids), so the authors found now are all there can be.
    target = row[0] if max_id <= 0 else min(max_id, row[0])
    if peer > 0:
        authors = [] if peer == owner else [peer]
    else:
        authors = [r[0] for r in await tx.fetch(
            "SELECT DISTINCT from_id FROM messages WHERE owner_id = $1 AND peer_id = $2 AND NOT out"
            " AND id > $3 AND id <= $4", owner, peer, row[1], target)]
    await lock_boxes(tx, dialect, {owner, *authors})
    read_max = await tx.fetchval("SELECT read_inbox_max_id FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                 owner, peer)
    owner_pts = None
    if target > read_max:
        read_max = target
        unread = await tx.fetchval(COUNT_UNREAD, owner, peer, target)
        await tx.execute("UPDATE dialogs SET read_inbox_max_id = $3, unread_count = $4"
                         " WHERE owner_id = $1 AND peer_id = $2", owner, peer, target, unread)
        owner_pts = await log_update(tx, owner, 1, UpdateKind.READ_INBOX,
                                     {"peer_id": peer, "max_id": target, "still_unread_count": unread}, now)
    receipts = []
    for author in sorted(authors):
        their_peer = owner if peer > 0 else peer
        # The author's own id of the newest of their messages the owner has now read
        # (shared ids grow with message ids in every box: both are taken under its lock).
        newest = await tx.fetchval("SELECT max(shared_id) FROM messages WHERE owner_id = $1 AND peer_id = $2"
                                   " AND NOT out AND from_id = $3 AND id <= $4", owner, peer, author, read_max)
        author_max = 0
        if newest is not None:
            author_max = await tx.fetchval("SELECT max(id) FROM messages WHERE owner_id = $1 AND peer_id = $2"
                                           " AND out AND shared_id <= $3", author, their_peer, newest) or 0
        author_pts = None
        if author_max and await tx.execute("UPDATE dialogs SET read_outbox_max_id = $3 WHERE owner_id = $1"
                                           " AND peer_id = $2 AND read_outbox_max_id < $3",
                                           author, their_peer, author_max):
            author_pts = await log_update(tx, author, 1, UpdateKind.READ_OUTBOX,
                                          {"peer_id": their_peer, "max_id": author_max}, now)
        receipts.append((author, author_pts, author_max))
    return owner_pts, receipts


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _now(now: int | None) -> int:
    return int(time.time()) if now is None else now
