"""Messages of private chats and basic groups, dialogs and the per-user update log
(storage.interface.Messages).

Telegram's model (ARCHITECTURE.md, "Messages"): each participant of a private chat or
basic group has their own copy of every message in their own message box, with an id
from that box's own sequence (``message_boxes``, from 1, never reused); ``shared_id``
(one global sequence) ties the copies of one message together. Saved Messages (a user
writing to themselves) is one copy, ``out`` and ``peer_id`` = the owner. In a basic
group every member's copy has ``peer_id`` = -chat_id; storage/chats.py writes those
(``deliver`` here does the writing for both).

Every write is ONE transaction covering the message rows, the dialogs, the update log
rows and the pts (``update_state.pts``) of every box it touches: an update with
pts_count n moves a box from p to p + n and is logged with pts = p + n.

Locking: a write first locks the update_state row of every box it will touch, in
ascending user id order (so two transactions never wait on each other in a cycle; a
basic-group write locks its chat row before any box, and no write holding a box lock
ever waits for a chat row),
then reads again what it read before locking, and only then changes anything. On
PostgreSQL the lock is ``SELECT ... FOR UPDATE`` (held to commit; the pts then moves
with ``UPDATE ... RETURNING`` on the locked row); SQLite transactions are serialized
anyway (one connection, ``BEGIN IMMEDIATE``). Everything a box holds (its message id
counter, its dialogs, its log) is only changed under its lock, so pts has no gaps and
no duplicates, and a box's message ids and shared ids grow together.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .db import Database, Executor, Row, chunks, in_list
from .interface import MessageNotFound, NotAuthor, NotMember
from .models import DialogRecord, MessageRecord, SentMessage, UpdateRecord
from .peer import Peer
from .updates import CREATE_STATE

HISTORY_LIMIT = 100  # messages.getHistory's cap
DIALOGS_LIMIT = 100

_COLUMNS = ("owner_id, id, peer_id, from_id, out, date, message, entities, reply_to_msg_id, random_id, edit_date,"
            " silent, shared_id, media, pinned, fwd_from, action")
_DIALOG_COLUMNS = ("owner_id, peer_id, top_message, read_inbox_max_id, read_outbox_max_id, unread_count,"
                   " pinned_order, date, unread_mark")
_UPDATE_COLUMNS = "user_id, pts, pts_count, kind, data, date"

_LOCK_BOX = {
    "postgres": "SELECT pts FROM update_state WHERE user_id = $1 FOR UPDATE",
    "sqlite": None,  # the whole database is locked by BEGIN IMMEDIATE
}
_NEXT_SHARED_ID = {
    "postgres": "SELECT nextval('message_shared_ids')",
    "sqlite": "UPDATE message_shared_ids SET value = value + 1 WHERE name = 'shared_id' RETURNING value",
}
_NEXT_MESSAGE_ID = (
    "INSERT INTO message_boxes (user_id, last_message_id) VALUES ($1, 1)"
    " ON CONFLICT (user_id) DO UPDATE SET last_message_id = message_boxes.last_message_id + 1"
    " RETURNING last_message_id")
_BUMP_PTS = ("UPDATE update_state SET pts = pts + $2, date = CASE WHEN date < $3 THEN $3 ELSE date END"
             " WHERE user_id = $1 RETURNING pts")
_INSERT_UPDATE = f"INSERT INTO update_log ({_UPDATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
_BUMP_AND_LOG = (  # PostgreSQL: _BUMP_PTS and _INSERT_UPDATE in one statement
    "WITH bumped AS (UPDATE update_state SET pts = pts + $2::integer,"
    " date = CASE WHEN date < $3::bigint THEN $3::bigint ELSE date END WHERE user_id = $1 RETURNING pts)"
    f" INSERT INTO update_log ({_UPDATE_COLUMNS}) SELECT $1, pts, $2::integer, $4::text, $5::jsonb, $3::bigint"
    " FROM bumped RETURNING pts")
_INSERT_MESSAGE = (f"INSERT INTO messages ({_COLUMNS})"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
_NEW_MESSAGE_IN_DIALOG = (
    "INSERT INTO dialogs (owner_id, peer_id, top_message, unread_count, date) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (owner_id, peer_id) DO UPDATE SET top_message = excluded.top_message, date = excluded.date,"
    " unread_count = dialogs.unread_count + excluded.unread_count")
_UNREAD = ("SELECT count(*) FROM messages WHERE owner_id = $1 AND peer_id = $2 AND NOT out"
           " AND id > $3")


class SqlMessages:
    """storage.interface.Messages."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def send_private(self, sender_id: int, recipient_id: int, *, date: int, message: str,
                           entities: Sequence[dict[str, Any]] = (), reply_to_msg_id: int | None = None,
                           random_id: int | None = None, silent: bool = False,
                           media: dict[str, Any] | None = None) -> SentMessage:
        return await self._db.transaction(_send, self._db.dialect, sender_id, recipient_id, date, message,
                                          list(entities), reply_to_msg_id, random_id, silent, media)

    async def edit(self, owner_id: int, id: int, *, message: str, entities: Sequence[dict[str, Any]],
                   edit_date: int) -> list[tuple[int, int, MessageRecord]]:
        return await self._db.transaction(_edit, self._db.dialect, owner_id, id, message, list(entities),
                                          edit_date)

    async def delete(self, owner_id: int, ids: Iterable[int], *, revoke: bool, now: int | None = None,
                     moderated_chats: Iterable[int] = ()) -> dict[int, tuple[int, int, list[int]]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        return await self._db.transaction(_delete, self._db.dialect, owner_id, wanted, revoke, _now(now),
                                          {-chat_id for chat_id in moderated_chats})

    async def read_history(self, owner_id: int, peer: Peer, max_id: int,
                           now: int | None = None) -> tuple[int | None, Peer, int | None, int]:
        owner_pts, receipts = await self.read_chat_history(owner_id, peer, max_id, now)
        _, peer_pts, peer_max = receipts[0] if receipts else (peer.id, None, 0)
        return owner_pts, peer, peer_pts, peer_max

    async def read_chat_history(self, owner_id: int, peer: Peer, max_id: int,
                                now: int | None = None) -> tuple[int | None, list[tuple[int, int | None, int]]]:
        return await self._db.transaction(_read_history, self._db.dialect, owner_id, peer.key, max_id, _now(now))

    # -- reads -------------------------------------------------------------------------------

    async def get(self, owner_id: int, ids: Iterable[int]) -> list[MessageRecord]:
        return await _get(self._db, owner_id, list(ids))

    async def by_random_id(self, owner_id: int, random_id: int) -> MessageRecord | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM messages WHERE owner_id = $1 AND random_id = $2",
                                      owner_id, random_id)
        return None if row is None else _message(row)

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
        base = f"SELECT {_COLUMNS} FROM messages WHERE " + " AND ".join(where)

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
            found = [_message(row) for row in reversed(await self._db.fetch(sql, *params))]
            rest = limit + add_offset
            if rest > 0:
                sql, params = query(older, "DESC", rest, 0)
                found += [_message(row) for row in await self._db.fetch(sql, *params)]
        else:
            # Without an offset, a negative add_offset only cuts the page short.
            count = limit if add_offset >= 0 else limit + add_offset
            if count <= 0:
                return [], total
            sql, params = query(older, "DESC", count, max(0, add_offset))
            found = [_message(row) for row in await self._db.fetch(sql, *params)]
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
        rows = await self._db.fetch(f"SELECT {_DIALOG_COLUMNS} FROM dialogs WHERE {where}"
                                    f" ORDER BY date DESC, top_message DESC LIMIT ${len(args)}", *args)
        return [_dialog(row) for row in rows], total

    async def dialog(self, owner_id: int, peer: Peer) -> DialogRecord | None:
        row = await self._db.fetchrow(f"SELECT {_DIALOG_COLUMNS} FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                      owner_id, peer.key)
        return None if row is None else _dialog(row)

    async def update_log(self, user_id: int, from_pts: int, limit: int = 1000) -> list[UpdateRecord]:
        rows = await self._db.fetch(f"SELECT {_UPDATE_COLUMNS} FROM update_log WHERE user_id = $1 AND pts > $2"
                                    " ORDER BY pts LIMIT $3", user_id, from_pts, max(0, limit))
        return [_update(row) for row in rows]

    async def prune_update_log(self, user_id: int, keep_after_pts: int) -> int:
        return await self._db.execute("DELETE FROM update_log WHERE user_id = $1 AND pts <= $2",
                                      user_id, keep_after_pts)

    async def prune_update_logs_before(self, date: int) -> int:
        return await self._db.execute("DELETE FROM update_log WHERE date < $1", date)

    async def update_log_rows(self) -> int:
        if self._db.dialect == "postgres":
            # count(*) reads the whole table; the planner's estimate is free, and close
            # enough once the table is big (-1 before its first ANALYZE).
            estimate = await self._db.fetchval(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = 'update_log'::regclass")
            if estimate is not None and estimate >= 100_000:
                return int(estimate)
        return int(await self._db.fetchval("SELECT count(*) FROM update_log"))

    async def oldest_logged_pts(self, user_id: int) -> int | None:
        return await self._db.fetchval("SELECT min(pts - pts_count) FROM update_log WHERE user_id = $1", user_id)


# -- transaction bodies -----------------------------------------------------------------------


async def _send(tx: Executor, dialect: str, sender: int, recipient: int, date: int, text: str,
                entities: list[dict], reply_to: int | None, random_id: int | None, silent: bool,
                media: dict | None, **extra: Any) -> SentMessage:
    """Also the body of forwards and service messages: `extra` is more MessageRecord
    fields (fwd_from, action), the same on both copies."""
    await lock_boxes(tx, dialect, (sender, recipient))
    if random_id is not None:
        found = await find_by_random_id(tx, sender, random_id)
        if found is not None:
            return found
    # Each side's copy names the other side as its peer (Saved Messages: one copy).
    copies = await deliver(tx, dialect, sender, {sender: recipient, recipient: sender}, date=date, text=text,
                           entities=entities, reply_to=reply_to, random_id=random_id, silent=silent, media=media,
                           **extra)
    (own, sender_pts), others = copies[0], copies[1:]
    theirs, recipient_pts = others[0] if others else (None, None)
    return SentMessage(sender_copy=own, recipient_copy=theirs, sender_pts=sender_pts, recipient_pts=recipient_pts,
                       deliveries=[(m.owner_id, p) for m, p in others])


async def deliver(tx: Executor, dialect: str, sender: int, boxes: dict[int, int], *, date: int, text: str = "",
                  entities: list[dict] = (), reply_to: int | None = None, random_id: int | None = None,
                  silent: bool = False, media: dict | None = None, action: dict | None = None,
                  fwd_from: dict | None = None) -> list[tuple[MessageRecord, int]]:
    """Writes one new message into each of these boxes ({owner: the peer_id of their copy}),
    which the caller has locked: [(copy, pts after its new_message update)], the
    sender's copy first (if the sender has a box here). Only the sender's copy is `out`
    and keeps random_id; reply_to (in the sender's box) becomes each box's own id of
    that message (None where the box no longer has it)."""
    shared_id = await tx.fetchval(_NEXT_SHARED_ID[dialect])
    reply_shared = None
    if reply_to is not None:
        reply_shared = await tx.fetchval("SELECT shared_id FROM messages WHERE owner_id = $1 AND id = $2",
                                         sender, reply_to)
    result = []
    for owner in sorted(boxes, key=lambda box: (box != sender, box)):
        out = owner == sender
        their_reply = reply_to if out else None
        if not out and reply_shared is not None:
            their_reply = await tx.fetchval("SELECT id FROM messages WHERE shared_id = $1 AND owner_id = $2",
                                            reply_shared, owner)
        copy = MessageRecord(owner_id=owner, id=await tx.fetchval(_NEXT_MESSAGE_ID, owner), peer_id=boxes[owner],
                             from_id=sender, out=out, date=date, message=text, entities=list(entities),
                             reply_to_msg_id=their_reply, random_id=random_id if out else None, silent=silent,
                             shared_id=shared_id, media=media, action=action, fwd_from=fwd_from)
        await _insert(tx, copy)
        await tx.execute(_NEW_MESSAGE_IN_DIALOG, owner, copy.peer_id, copy.id, 0 if out else 1, date)
        result.append((copy, await log_update(tx, owner, 1, "new_message", {"id": copy.id}, date)))
    return result


async def find_by_random_id(tx: Executor, sender: int, random_id: int) -> SentMessage | None:
    """A retried send (same random_id from the same sender): what the first one made."""
    row = await tx.fetchrow(f"SELECT {_COLUMNS} FROM messages WHERE owner_id = $1 AND random_id = $2",
                            sender, random_id)
    return None if row is None else await _already_sent(tx, _message(row))


async def _already_sent(tx: Executor, own: MessageRecord) -> SentMessage:
    """A retried send: what the first one made, pts as logged then (the box's current pts
    if that log row was pruned)."""
    rows = await tx.fetch(f"SELECT {_COLUMNS} FROM messages WHERE shared_id = $1 AND owner_id <> $2 ORDER BY owner_id",
                          own.shared_id, own.owner_id)
    others = [_message(row) for row in rows]
    deliveries = [(m.owner_id, await _logged_pts(tx, m.owner_id, m.id)) for m in others]
    theirs = others[0] if own.peer_id > 0 and others else None
    return SentMessage(sender_copy=own, recipient_copy=theirs, sender_pts=await _logged_pts(tx, own.owner_id, own.id),
                       recipient_pts=deliveries[0][1] if theirs is not None else None, duplicate=True,
                       deliveries=deliveries)


async def _logged_pts(tx: Executor, user_id: int, message_id: int) -> int:
    pts = await tx.fetchval("SELECT pts FROM update_log WHERE user_id = $1 AND kind = 'new_message' AND data = $2"
                            " ORDER BY pts DESC LIMIT 1", user_id, _json({"id": message_id}))
    if pts is None:
        pts = await tx.fetchval("SELECT pts FROM update_state WHERE user_id = $1", user_id)
    return pts


async def _member_chats(tx: Executor, owner: int, peer_ids: Iterable[int]) -> set[int]:
    """The group peer ids (-chat_id) among these whose chat has `owner` as a member now."""
    chat_ids = list(dict.fromkeys(-p for p in peer_ids if p < 0))
    found: set[int] = set()
    for part in chunks(chat_ids):
        rows = await tx.fetch(f"SELECT chat_id FROM chat_participants WHERE user_id = $1"
                              f" AND chat_id IN ({in_list(len(part), start=2)})", owner, *part)
        found.update(-row[0] for row in rows)
    return found


async def _edit(tx: Executor, dialect: str, owner: int, message_id: int, text: str, entities: list[dict],
                edit_date: int) -> list[tuple[int, int, MessageRecord]]:
    found = await _one(tx, owner, message_id)
    await lock_boxes(tx, dialect, {owner, *await _copy_owners(tx, [found.shared_id])})
    found = await _one(tx, owner, message_id)  # again, under the locks
    if found.action is not None:
        raise MessageNotFound(f"message {message_id} of user {owner} is a service message")
    if not found.out or found.from_id != owner:
        raise NotAuthor(f"message {message_id} of user {owner} is not theirs to edit")
    if found.peer_id < 0 and not await _member_chats(tx, owner, [found.peer_id]):
        # The edit would reach every member's copy: only a member may still write there.
        raise NotMember(f"user {owner} is no longer a member of chat {-found.peer_id}")
    rows = await tx.fetch(f"SELECT {_COLUMNS} FROM messages WHERE shared_id = $1", found.shared_id)
    copies = sorted((_message(row) for row in rows), key=lambda m: m.owner_id != owner)
    await tx.execute("UPDATE messages SET message = $1, entities = $2, edit_date = $3 WHERE shared_id = $4",
                     text, _json(entities), edit_date, found.shared_id)
    result = []
    for copy in copies:
        pts = await log_update(tx, copy.owner_id, 1, "edit_message", {"id": copy.id}, edit_date)
        result.append((copy.owner_id, pts, msgspec.structs.replace(copy, message=text, entities=entities,
                                                                   edit_date=edit_date)))
    return result


async def _delete(tx: Executor, dialect: str, owner: int, ids: list[int], revoke: bool, now: int,
                  moderated: set[int]) -> dict[int, tuple[int, int, list[int]]]:
    mine = await _get(tx, owner, ids)
    if not mine:
        return {}
    # In a private chat either side takes a message back from everyone; in a basic group
    # its author while still a member (one who left or was removed deletes their own copy
    # only), or on the authority of whoever moderates the group (the caller names those
    # groups: an admin's deletions, an admin's removal with revoke_history).
    member_of = await _member_chats(tx, owner, [m.peer_id for m in mine if m.peer_id < 0]) if revoke else set()

    def revocable(m: MessageRecord) -> bool:
        return revoke and (m.peer_id > 0 or m.peer_id in moderated or (m.out and m.peer_id in member_of))

    revoked = [m for m in mine if revocable(m)]
    await lock_boxes(tx, dialect, {owner, *await _copy_owners(tx, [m.shared_id for m in revoked])})
    mine = await _get(tx, owner, ids)  # again, under the locks
    doomed: list[MessageRecord] = list(mine)
    revoked = [m for m in mine if revocable(m)]
    if revoked:
        seen = {(m.owner_id, m.id) for m in mine}
        shared = [m.shared_id for m in revoked]
        for part in chunks(shared):
            rows = await tx.fetch(f"SELECT {_COLUMNS} FROM messages WHERE shared_id IN ({in_list(len(part))})",
                                  *part)
            doomed += [m for m in map(_message, rows) if (m.owner_id, m.id) not in seen]
    boxes: dict[int, list[MessageRecord]] = {}
    for m in doomed:
        boxes.setdefault(m.owner_id, []).append(m)
    result = {}
    for box in sorted(boxes):
        box_ids = sorted(m.id for m in boxes[box])
        for part in chunks(box_ids):
            await tx.execute(f"DELETE FROM messages WHERE owner_id = $1 AND id IN ({in_list(len(part), start=2)})",
                             box, *part)
        for peer in sorted({m.peer_id for m in boxes[box]}):
            await _refresh_dialog(tx, box, peer)
        pts = await log_update(tx, box, len(box_ids), "delete_messages", {"ids": box_ids}, now)
        result[box] = (pts, len(box_ids), box_ids)
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
        unread = await tx.fetchval(_UNREAD, owner, peer, target)
        await tx.execute("UPDATE dialogs SET read_inbox_max_id = $3, unread_count = $4"
                         " WHERE owner_id = $1 AND peer_id = $2", owner, peer, target, unread)
        owner_pts = await log_update(tx, owner, 1, "read_inbox",
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
            author_pts = await log_update(tx, author, 1, "read_outbox", {"peer_id": their_peer, "max_id": author_max}, now)
        receipts.append((author, author_pts, author_max))
    return owner_pts, receipts


# -- helpers ------------------------------------------------------------------------------------


async def _copy_owners(tx: Executor, shared_ids: list[int]) -> set[int]:
    owners: set[int] = set()
    for part in chunks(list(dict.fromkeys(shared_ids))):
        rows = await tx.fetch(f"SELECT DISTINCT owner_id FROM messages WHERE shared_id IN ({in_list(len(part))})", *part)
        owners.update(row[0] for row in rows)
    return owners


async def lock_boxes(tx: Executor, dialect: str, user_ids: Iterable[int]) -> None:
    """Locks these boxes (creating their update state if needed), in ascending id order."""
    lock = _LOCK_BOX[dialect]
    for user_id in sorted(set(user_ids)):
        if lock is None:
            await tx.execute(CREATE_STATE, user_id)
        elif await tx.fetchval(lock, user_id) is None:
            # No state yet (rare): create it, then lock it. A concurrent creator makes the
            # INSERT wait for its commit and do nothing.
            await tx.execute(CREATE_STATE, user_id)
            await tx.fetchval(lock, user_id)


async def log_update(tx: Executor, user_id: int, pts_count: int, kind: str, data: dict, date: int) -> int:
    """Moves the (locked) box's pts by pts_count and logs the update; returns the new pts."""
    if tx.dialect == "postgres":
        # One statement, not two: every statement through trio-asyncio costs ~0.15 ms of
        # CPU, and a delivered message writes two of these (bench/README.md).
        return await tx.fetchval(_BUMP_AND_LOG, user_id, pts_count, date, kind, _json(data))
    pts = await tx.fetchval(_BUMP_PTS, user_id, pts_count, date)
    await tx.execute(_INSERT_UPDATE, user_id, pts, pts_count, kind, _json(data), date)
    return pts


async def _refresh_dialog(tx: Executor, owner: int, peer: int) -> None:
    """top_message, its date and unread_count again, after messages were deleted."""
    top = await tx.fetchrow("SELECT id, date FROM messages WHERE owner_id = $1 AND peer_id = $2"
                            " ORDER BY id DESC LIMIT 1", owner, peer)
    if top is None:
        await tx.execute("UPDATE dialogs SET top_message = 0, unread_count = 0 WHERE owner_id = $1 AND peer_id = $2",
                         owner, peer)
        return
    read_max = await tx.fetchval("SELECT read_inbox_max_id FROM dialogs WHERE owner_id = $1 AND peer_id = $2",
                                 owner, peer) or 0
    unread = await tx.fetchval(_UNREAD, owner, peer, read_max)
    await tx.execute("UPDATE dialogs SET top_message = $3, date = $4, unread_count = $5"
                     " WHERE owner_id = $1 AND peer_id = $2", owner, peer, top[0], top[1], unread)


async def _one(tx: Executor, owner: int, message_id: int) -> MessageRecord:
    row = await tx.fetchrow(f"SELECT {_COLUMNS} FROM messages WHERE owner_id = $1 AND id = $2", owner, message_id)
    if row is None:
        raise MessageNotFound(f"user {owner} has no message {message_id}")
    return _message(row)


async def _get(ex: Executor, owner: int, ids: list[int]) -> list[MessageRecord]:
    """The messages that exist, in the order asked, each once."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, MessageRecord] = {}
    for part in chunks(wanted):
        rows = await ex.fetch(f"SELECT {_COLUMNS} FROM messages WHERE owner_id = $1"
                              f" AND id IN ({in_list(len(part), start=2)})", owner, *part)
        found.update((row[1], _message(row)) for row in rows)
    return [found[i] for i in wanted if i in found]


async def _insert(tx: Executor, m: MessageRecord) -> None:
    await tx.execute(_INSERT_MESSAGE, m.owner_id, m.id, m.peer_id, m.from_id, m.out, m.date, m.message,
                     _json(m.entities), m.reply_to_msg_id, m.random_id, m.edit_date, m.silent, m.shared_id,
                     _json_or_none(m.media), m.pinned, _json_or_none(m.fwd_from), _json_or_none(m.action))


def _message(row: Row) -> MessageRecord:
    return MessageRecord(owner_id=row[0], id=row[1], peer_id=row[2], from_id=row[3], out=bool(row[4]), date=row[5],
                         message=row[6], entities=msgspec.json.decode(row[7]), reply_to_msg_id=row[8],
                         random_id=row[9], edit_date=row[10], silent=bool(row[11]), shared_id=row[12],
                         media=_decode_or_none(row[13]), pinned=bool(row[14]), fwd_from=_decode_or_none(row[15]),
                         action=_decode_or_none(row[16]))


def _dialog(row: Row) -> DialogRecord:
    return DialogRecord(owner_id=row[0], peer_id=row[1], top_message=row[2], read_inbox_max_id=row[3],
                        read_outbox_max_id=row[4], unread_count=row[5], pinned_order=row[6], date=row[7],
                        unread_mark=bool(row[8]))


def _update(row: Row) -> UpdateRecord:
    return UpdateRecord(user_id=row[0], pts=row[1], pts_count=row[2], kind=row[3], data=msgspec.json.decode(row[4]),
                        date=row[5])


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _json_or_none(value: Any) -> str | None:
    return None if value is None else _json(value)


def _decode_or_none(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)


def _now(now: int | None) -> int:
    return int(time.time()) if now is None else now
