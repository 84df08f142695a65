"""The per-box message kernel: what every write into users' message boxes is made of,
shared by the repositories that write there (storage/messages.py, chats.py, forwards.py,
pinned_messages.py, chat_history.py, ...).

Telegram's model (ARCHITECTURE.md, "Messages"): each participant of a private chat or
basic group has their own copy of every message in their own message box, with an id
from that box's own sequence (``message_boxes``, from 1, never reused); ``shared_id``
(one global sequence) ties the copies of one message together. Saved Messages (a user
writing to themselves) is one copy, ``out`` and ``peer_id`` = the owner. In a basic
group every member's copy has ``peer_id`` = -chat_id. ``deliver`` writes the copies of
a new message for private chats and groups alike.

Every write is ONE transaction covering the message rows, the dialogs, the update log
rows and the pts (``update_state.pts``) of every box it touches: an update with
pts_count n moves a box from p to p + n and is logged with pts = p + n
(storage/update_log.py ``log_update``).

Locking: a write first locks the update_state row of every box it will touch, in
ascending user id order (``lock_boxes``; so two transactions never wait on each other
in a cycle; a basic-group write locks its chat row before any box, and no write holding
a box lock ever waits for a chat row), then reads again what it read before locking,
and only then changes anything. On PostgreSQL the lock is ``SELECT ... FOR UPDATE``
(held to commit; the pts then moves with ``UPDATE ... RETURNING`` on the locked row);
SQLite transactions are serialized anyway (one connection, ``BEGIN IMMEDIATE``).
Everything a box holds (its message id counter, its dialogs, its log) is only changed
under its lock, so pts has no gaps and no duplicates, and a box's message ids and
shared ids grow together.

The functions taking ``tx`` run inside a transaction the caller opened; none opens one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from . import recipient_check
from .db import Executor, Row, chunks, in_list
from .message_rows import MESSAGE_COLUMNS, json_or_none, json_text
from .sqlite_copies import write_copies
from .interface import MessageNotFound
from .models import DialogRecord, MessageRecord, SentMessage
from .update_log import UpdateKind, log_update, logged_pts

DIALOG_COLUMNS = ("owner_id, peer_id, top_message, read_inbox_max_id, read_outbox_max_id, unread_count,"
                  " pinned_order, date, unread_mark")
# A dialog's unread_count: incoming messages after $3 (its read_inbox_max_id).
COUNT_UNREAD = "SELECT count(*) FROM messages WHERE owner_id = $1 AND peer_id = $2 AND NOT out AND id > $3"

_NEXT_SHARED_ID = {
    "postgres": "SELECT nextval('message_shared_ids')",
    "sqlite": "UPDATE message_shared_ids SET value = value + 1 WHERE name = 'shared_id' RETURNING value",
}
_NEW_SHARED_ID_UNLESS_SENT = (  # PostgreSQL: a shared id, and the message a retry names if any
    "SELECT nextval('message_shared_ids'), " + ", ".join(f"m.{c.strip()}" for c in MESSAGE_COLUMNS.split(","))
    + " FROM (SELECT 1) AS one LEFT JOIN messages m ON m.owner_id = $1 AND m.random_id = $2")


def _copies_in_one(unless_sent: bool) -> str:
    """``unless_sent``: a private send's variant, which first looks for a message the
    sender's box ($7) already has under this random_id ($12) and, if there is one (a
    retried send), writes nothing and returns no rows; else it takes the new message's
    shared id itself. Otherwise $12 is the shared id. Its snapshot is taken after the
    boxes were locked (by an earlier statement), so a concurrent first send of the same
    message has committed and is seen."""
    if unless_sent:
        head = ("WITH sent AS (SELECT 1 FROM messages WHERE owner_id = $7::bigint AND random_id = $12::bigint),"
                " shared AS (SELECT nextval('message_shared_ids') AS id WHERE NOT EXISTS (SELECT 1 FROM sent)),"
                " wanted AS (SELECT c.*, s.id AS shared_id FROM unnest(")
        tail = ") AS c(owner_id, peer_id, out, reply_to, random_id, unread) CROSS JOIN shared s),"
    else:
        head = "WITH wanted AS (SELECT c.*, $12::bigint AS shared_id FROM unnest("
        tail = ") AS c(owner_id, peer_id, out, reply_to, random_id, unread)),"
    return (
        head + "$1::bigint[], $2::bigint[], $3::boolean[], $4::integer[], $5::bigint[], $6::integer[]" + tail
        + " next AS (INSERT INTO message_boxes (user_id, last_message_id) SELECT owner_id, 1 FROM wanted"
        "  ON CONFLICT (user_id) DO UPDATE SET last_message_id = message_boxes.last_message_id + 1"
        "  RETURNING user_id, last_message_id AS id),"
        " msg AS (INSERT INTO messages (" + MESSAGE_COLUMNS + ")"
        "  SELECT c.owner_id, n.id, c.peer_id, $7::bigint, c.out, $8::bigint, $9::text, $10::jsonb, c.reply_to,"
        "  c.random_id, NULL, $11::boolean, c.shared_id, $13::jsonb, FALSE, $14::jsonb, $15::jsonb"
        "  FROM wanted c JOIN next n ON n.user_id = c.owner_id RETURNING owner_id, id, shared_id),"
        " dialog AS (INSERT INTO dialogs (owner_id, peer_id, top_message, unread_count, date)"
        "  SELECT c.owner_id, c.peer_id, m.id, c.unread, $8::bigint FROM wanted c JOIN msg m ON m.owner_id = c.owner_id"
        "  ON CONFLICT (owner_id, peer_id) DO UPDATE SET top_message = excluded.top_message, date = excluded.date,"
        "  unread_count = dialogs.unread_count + excluded.unread_count),"
        " bumped AS (UPDATE update_state s SET pts = s.pts + 1,"
        "  date = CASE WHEN s.date < $8::bigint THEN $8::bigint ELSE s.date END"
        "  FROM wanted c WHERE s.user_id = c.owner_id RETURNING s.user_id, s.pts),"
        " logged AS (INSERT INTO update_log (user_id, pts, pts_count, kind, data, date)"
        "  SELECT b.user_id, b.pts, 1, 'new_message', jsonb_build_object('id', m.id), $8::bigint"
        "  FROM bumped b JOIN msg m ON m.owner_id = b.user_id RETURNING user_id, pts),"
        # The sender's draft in this dialog, if asked ($16): sending replaces it (not a retry's).
        " drafted AS (DELETE FROM drafts WHERE $16::boolean AND owner_id = $7::bigint AND peer_id = $17::bigint"
        "  AND EXISTS (SELECT 1 FROM wanted) RETURNING 1)"
        " SELECT m.owner_id, m.id, l.pts, (SELECT count(*) FROM drafted), m.shared_id"
        " FROM msg m JOIN logged l ON l.user_id = m.owner_id")


# PostgreSQL: every copy of a new message in one statement: for each box its next id,
# the message, its dialog, the pts step and the new_message row of the update log,
# which SQLite writes a step at a time for all copies (storage/sqlite_copies.py). A
# basic group's message has a copy per member. The boxes are locked already
# (lock_boxes), so the rows this touches are this transaction's alone whatever order it
# takes them in.
_COPIES_IN_ONE = _copies_in_one(unless_sent=False)
_COPIES_UNLESS_SENT = _copies_in_one(unless_sent=True)
_CLEAR_DRAFT = "DELETE FROM drafts WHERE owner_id = $1 AND peer_id = $2"


# PostgreSQL: every box of a message locked in one statement (a basic group's 200
# members were 200 statements); rows are sorted before they are locked, so the order is
# ascending as everywhere else.
_LOCK_BOXES = "SELECT user_id FROM update_state WHERE user_id = ANY($1::bigint[]) ORDER BY user_id FOR UPDATE"
_CREATE_STATES = "INSERT INTO update_state (user_id) SELECT unnest($1::bigint[]) ON CONFLICT (user_id) DO NOTHING"
# PostgreSQL: a private send's two boxes locked and its recipient checked in one statement.
_LOCK_BOXES_CHECKING_RECIPIENT = (f"WITH locked AS ({_LOCK_BOXES}) SELECT (SELECT count(*) FROM locked),"
                                  f" {recipient_check.COLUMNS} {recipient_check.FROM}")
# SQLite: the recipient check and the retry lookup in one read (the transaction holds the
# whole database from BEGIN IMMEDIATE on, so what it reads cannot change before the write).
_CHECK_RECIPIENT_AND_FIND_RETRY = (
    f"SELECT {recipient_check.COLUMNS}, " + ", ".join(f"m.{c.strip()}" for c in MESSAGE_COLUMNS.split(","))
    + f" {recipient_check.FROM} LEFT JOIN messages m ON m.owner_id = $2 AND m.random_id = $1")


async def lock_boxes(tx: Executor, dialect: str, user_ids: Iterable[int]) -> None:
    """Locks these boxes (creating their update state if needed), in ascending id order."""
    ids = sorted(set(user_ids))
    if dialect == "postgres":
        if len(await tx.fetch(_LOCK_BOXES, ids)) < len(ids):
            await _create_and_lock(tx, ids)
        return
    # SQLite: BEGIN IMMEDIATE locked everything; the states are made, all in one statement.
    for part in chunks(ids):
        rows = ", ".join(f"(${i})" for i in range(1, len(part) + 1))
        await tx.execute(f"INSERT INTO update_state (user_id) VALUES {rows} ON CONFLICT (user_id) DO NOTHING", *part)


async def _create_and_lock(tx: Executor, ids: list[int]) -> None:
    """PostgreSQL: boxes without a state yet (a user's first message): made, then locked.
    A transaction locks all the existing boxes it needs in one statement before it
    creates any, so one that waits on another's uncommitted new state holds no box the
    other still needs: no deadlock."""
    await tx.execute(_CREATE_STATES, ids)
    await tx.fetch(_LOCK_BOXES, ids)


async def deliver(tx: Executor, dialect: str, sender: int, boxes: dict[int, int], *, date: int, text: str = "",
                  entities: list[dict] = (), reply_to: int | None = None, random_id: int | None = None,
                  silent: bool = False, media: dict | None = None, action: dict | None = None,
                  fwd_from: dict | None = None, shared_id: int | None = None,
                  clear_draft: bool = False, unless_sent: bool = False,
                  commit: bool = False) -> tuple[list[tuple[MessageRecord, int]] | None, bool]:
    """Writes one new message into each of these boxes ({owner: the peer_id of their copy}),
    which the caller has locked: ([(copy, pts after its new_message update)], the
    sender's copy first (if the sender has a box here); whether a draft was deleted).
    Only the sender's copy is `out` and keeps random_id; reply_to (in the sender's box)
    becomes each box's own id of that message (None where the box no longer has it).
    `shared_id`: one the caller took already. clear_draft: delete the sender's draft in
    this dialog too (sending replaces it).
    PostgreSQL only: `unless_sent`, nothing is written if the sender's box has a message
    with this random_id already (a retried send): (None, False); the shared id is taken
    by the same statement. `commit`: that statement is the transaction's last and
    commits it (Executor.fetch_and_commit)."""
    if shared_id is None and not unless_sent:
        shared_id = await tx.fetchval(_NEXT_SHARED_ID[dialect])
    reply_shared = None
    if reply_to is not None:
        reply_shared = await tx.fetchval("SELECT shared_id FROM messages WHERE owner_id = $1 AND id = $2",
                                         sender, reply_to)
    copies = []
    for owner in sorted(boxes, key=lambda box: (box != sender, box)):
        out = owner == sender
        their_reply = reply_to if out else None
        if not out and reply_shared is not None:
            their_reply = await tx.fetchval("SELECT id FROM messages WHERE shared_id = $1 AND owner_id = $2",
                                            reply_shared, owner)
        copies.append(MessageRecord(owner_id=owner, id=0, peer_id=boxes[owner], from_id=sender, out=out, date=date,
                                    message=text, entities=list(entities), reply_to_msg_id=their_reply,
                                    random_id=random_id if out else None, silent=silent, shared_id=shared_id,
                                    media=media, action=action, fwd_from=fwd_from))
    if dialect == "postgres":
        run = tx.fetch_and_commit if commit else tx.fetch
        rows = await run(
            _COPIES_UNLESS_SENT if unless_sent else _COPIES_IN_ONE, [c.owner_id for c in copies],
            [c.peer_id for c in copies], [c.out for c in copies], [c.reply_to_msg_id for c in copies],
            [c.random_id for c in copies], [0 if c.out else 1 for c in copies], sender, date, text,
            json_text(list(entities)), silent, random_id if unless_sent else shared_id, json_or_none(media),
            json_or_none(fwd_from), json_or_none(action), clear_draft, boxes.get(sender, 0))
        if not rows:  # unless_sent: a retry
            return None, False
        made = {row[0]: (row[1], row[2], row[4]) for row in rows}
        return ([(msgspec.structs.replace(c, id=made[c.owner_id][0], shared_id=made[c.owner_id][2]),
                  made[c.owner_id][1]) for c in copies], bool(rows[0][3]))
    result = await write_copies(tx, copies, date)
    cleared = clear_draft and bool(await tx.execute(_CLEAR_DRAFT, sender, boxes[sender]))
    return result, cleared


async def sent_before_or_shared_id(tx: Executor, dialect: str, sender: int,
                                   random_id: int | None) -> tuple[SentMessage | None, int | None]:
    """With the boxes locked (a concurrent first send must have committed, and a
    statement's snapshot is taken before its lock waits): (what a retried send made
    first, None), or (None, on PostgreSQL the new message's shared id taken in the
    same statement; None on SQLite, where deliver takes it)."""
    if random_id is None:
        return None, None
    if dialect == "postgres":
        # An id taken by a retry is simply not used: shared ids need not be consecutive.
        row = await tx.fetchrow(_NEW_SHARED_ID_UNLESS_SENT, sender, random_id)
        if row[1] is not None:
            return await _already_sent(tx, message_record(row[1:])), None
        return None, row[0]
    return await find_by_random_id(tx, sender, random_id), None


async def find_by_random_id(tx: Executor, sender: int, random_id: int) -> SentMessage | None:
    """A retried send (same random_id from the same sender): what the first one made."""
    row = await tx.fetchrow(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE owner_id = $1 AND random_id = $2",
                            sender, random_id)
    return None if row is None else await _already_sent(tx, message_record(row))


async def _already_sent(tx: Executor, own: MessageRecord) -> SentMessage:
    """A retried send: what the first one made, pts as logged then (the box's current pts
    if that log row was pruned)."""
    rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE shared_id = $1 AND owner_id <> $2"
                          " ORDER BY owner_id", own.shared_id, own.owner_id)
    others = [message_record(row) for row in rows]
    deliveries = [(m.owner_id, await _logged_pts(tx, m.owner_id, m.id)) for m in others]
    theirs = others[0] if own.peer_id > 0 and others else None
    return SentMessage(sender_copy=own, recipient_copy=theirs, sender_pts=await _logged_pts(tx, own.owner_id, own.id),
                       recipient_pts=deliveries[0][1] if theirs is not None else None, duplicate=True,
                       deliveries=deliveries)


async def _logged_pts(tx: Executor, user_id: int, message_id: int) -> int:
    pts = await logged_pts(tx, user_id, UpdateKind.NEW_MESSAGE, {"id": message_id})
    if pts is None:
        pts = await tx.fetchval("SELECT pts FROM update_state WHERE user_id = $1", user_id)
    return pts


async def send_private(tx: Executor, dialect: str, sender: int, recipient: int, date: int, text: str,
                       entities: list[dict], reply_to: int | None, random_id: int | None, silent: bool,
                       media: dict | None, recipient_access_hash: int | None = None, clear_draft: bool = False,
                       **extra: Any) -> SentMessage:
    """A message in a private chat (Messages.send_private), locks and the recipient check
    included; also the body of forwards and service messages: `extra` is more
    MessageRecord fields (fwd_from, action), the same on both copies."""
    found, shared_id = await _open_private_send(tx, dialect, sender, recipient, random_id, recipient_access_hash)
    if found is not None:
        return found
    # Each side's copy names the other side as its peer (Saved Messages: one copy).
    copies, draft_cleared = await deliver(
        tx, dialect, sender, {sender: recipient, recipient: sender}, date=date, text=text, entities=entities,
        reply_to=reply_to, random_id=random_id, silent=silent, media=media, shared_id=shared_id,
        clear_draft=clear_draft, **extra)
    return _private_sent(copies, draft_cleared)


async def send_private_committing(tx: Executor, dialect: str, sender: int, recipient: int, date: int, text: str,
                                  entities: list[dict], reply_to: int | None, random_id: int | None, silent: bool,
                                  media: dict | None, recipient_access_hash: int | None = None,
                                  clear_draft: bool = False) -> SentMessage | None:
    """send_private as a whole transaction's body, PostgreSQL only, in two round trips:
    the box locks with the recipient check (BEGIN in front), then the copies with the
    retry check and the shared id, COMMIT behind (Executor.fetch_and_commit). None if
    the send is a retry: nothing was written, and the caller runs send_private, which
    answers a retry with what the first send made (reading it under the locks)."""
    await _lock_private(tx, dialect, sender, recipient, recipient_access_hash)
    copies, draft_cleared = await deliver(
        tx, dialect, sender, {sender: recipient, recipient: sender}, date=date, text=text, entities=entities,
        reply_to=reply_to, random_id=random_id, silent=silent, media=media, clear_draft=clear_draft,
        unless_sent=True, commit=True)
    return None if copies is None else _private_sent(copies, draft_cleared)


def _private_sent(copies: list[tuple[MessageRecord, int]], draft_cleared: bool) -> SentMessage:
    (own, sender_pts), others = copies[0], copies[1:]
    theirs, recipient_pts = others[0] if others else (None, None)
    return SentMessage(sender_copy=own, recipient_copy=theirs, sender_pts=sender_pts, recipient_pts=recipient_pts,
                       deliveries=[(m.owner_id, p) for m, p in others], draft_cleared=draft_cleared)


async def _lock_private(tx: Executor, dialect: str, sender: int, recipient: int, access_hash: int | None) -> None:
    """PostgreSQL: both boxes locked, and the recipient checked if asked
    (storage/recipient_check.py), in one statement (three for a box without a state yet)."""
    if access_hash is None:
        await lock_boxes(tx, dialect, (sender, recipient))
        return
    ids = sorted({sender, recipient})
    row = await tx.fetchrow(_LOCK_BOXES_CHECKING_RECIPIENT, ids, sender, recipient)
    recipient_check.refuse_unless_may_send(sender, recipient, access_hash, row[1:])
    if row[0] < len(ids):
        await _create_and_lock(tx, ids)


async def _open_private_send(tx: Executor, dialect: str, sender: int, recipient: int, random_id: int | None,
                             access_hash: int | None) -> tuple[SentMessage | None, int | None]:
    """Both boxes locked, the recipient checked if asked (storage/recipient_check.py),
    then sent_before_or_shared_id's answer, in as few statements as the dialect allows."""
    if dialect == "postgres":
        await _lock_private(tx, dialect, sender, recipient, access_hash)
    elif access_hash is None:
        await lock_boxes(tx, dialect, (sender, recipient))
    else:
        row = await tx.fetchrow(_CHECK_RECIPIENT_AND_FIND_RETRY, random_id, sender, recipient)
        recipient_check.refuse_unless_may_send(sender, recipient, access_hash, row[:4])
        if row[4] is not None:
            return await _already_sent(tx, message_record(row[4:])), None
        await lock_boxes(tx, dialect, (sender, recipient))
        return None, None
    return await sent_before_or_shared_id(tx, dialect, sender, random_id)


async def delete_messages(tx: Executor, dialect: str, owner: int, ids: list[int], revoke: bool, now: int,
                          moderated: set[int]) -> dict[int, tuple[int, int, list[int]]]:
    """Messages.delete, locks included; `moderated`: the group peer ids (-chat_id) where
    the owner may revoke anyone's messages."""
    mine = await get_messages(tx, owner, ids)
    if not mine:
        return {}
    # In a private chat either side takes a message back from everyone; in a basic group
    # its author while still a member (one who left or was removed deletes their own copy
    # only), or on the authority of whoever moderates the group (the caller names those
    # groups: an admin's deletions, an admin's removal with revoke_history).
    member_of = await member_chats(tx, owner, [m.peer_id for m in mine if m.peer_id < 0]) if revoke else set()

    def revocable(m: MessageRecord) -> bool:
        return revoke and (m.peer_id > 0 or m.peer_id in moderated or (m.out and m.peer_id in member_of))

    revoked = [m for m in mine if revocable(m)]
    await lock_boxes(tx, dialect, {owner, *await copy_owners(tx, [m.shared_id for m in revoked])})
    mine = await get_messages(tx, owner, ids)  # again, under the locks
    doomed: list[MessageRecord] = list(mine)
    revoked = [m for m in mine if revocable(m)]
    if revoked:
        seen = {(m.owner_id, m.id) for m in mine}
        shared = [m.shared_id for m in revoked]
        for part in chunks(shared):
            rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages"
                                  f" WHERE shared_id IN ({in_list(len(part))})", *part)
            doomed += [m for m in map(message_record, rows) if (m.owner_id, m.id) not in seen]
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
        pts = await log_update(tx, box, len(box_ids), UpdateKind.DELETE_MESSAGES, {"ids": box_ids}, now)
        result[box] = (pts, len(box_ids), box_ids)
    return result


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
    unread = await tx.fetchval(COUNT_UNREAD, owner, peer, read_max)
    await tx.execute("UPDATE dialogs SET top_message = $3, date = $4, unread_count = $5"
                     " WHERE owner_id = $1 AND peer_id = $2", owner, peer, top[0], top[1], unread)


async def member_chats(tx: Executor, owner: int, peer_ids: Iterable[int]) -> set[int]:
    """The group peer ids (-chat_id) among these whose chat has `owner` as a member now."""
    chat_ids = list(dict.fromkeys(-p for p in peer_ids if p < 0))
    found: set[int] = set()
    for part in chunks(chat_ids):
        rows = await tx.fetch(f"SELECT chat_id FROM chat_participants WHERE user_id = $1"
                              f" AND chat_id IN ({in_list(len(part), start=2)})", owner, *part)
        found.update(-row[0] for row in rows)
    return found


async def copy_owners(tx: Executor, shared_ids: list[int]) -> set[int]:
    """The boxes holding a copy of these messages (by shared id)."""
    owners: set[int] = set()
    for part in chunks(list(dict.fromkeys(shared_ids))):
        rows = await tx.fetch(f"SELECT DISTINCT owner_id FROM messages WHERE shared_id IN ({in_list(len(part))})",
                              *part)
        owners.update(row[0] for row in rows)
    return owners


async def one_message(tx: Executor, owner: int, message_id: int) -> MessageRecord:
    """The owner's message; MessageNotFound if their box has no such id."""
    row = await tx.fetchrow(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE owner_id = $1 AND id = $2",
                            owner, message_id)
    if row is None:
        raise MessageNotFound(f"user {owner} has no message {message_id}")
    return message_record(row)


async def get_messages(ex: Executor, owner: int, ids: list[int]) -> list[MessageRecord]:
    """The messages that exist, in the order asked, each once."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, MessageRecord] = {}
    for part in chunks(wanted):
        rows = await ex.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE owner_id = $1"
                              f" AND id IN ({in_list(len(part), start=2)})", owner, *part)
        found.update((row[1], message_record(row)) for row in rows)
    return [found[i] for i in wanted if i in found]


def message_record(row: Row) -> MessageRecord:
    """A row of `SELECT {MESSAGE_COLUMNS} FROM messages`."""
    return MessageRecord(owner_id=row[0], id=row[1], peer_id=row[2], from_id=row[3], out=bool(row[4]), date=row[5],
                         message=row[6], entities=msgspec.json.decode(row[7]), reply_to_msg_id=row[8],
                         random_id=row[9], edit_date=row[10], silent=bool(row[11]), shared_id=row[12],
                         media=_decode_or_none(row[13]), pinned=bool(row[14]), fwd_from=_decode_or_none(row[15]),
                         action=_decode_or_none(row[16]))


def dialog_record(row: Row) -> DialogRecord:
    """A row of `SELECT {DIALOG_COLUMNS} FROM dialogs`."""
    return DialogRecord(owner_id=row[0], peer_id=row[1], top_message=row[2], read_inbox_max_id=row[3],
                        read_outbox_max_id=row[4], unread_count=row[5], pinned_order=row[6], date=row[7],
                        unread_mark=bool(row[8]))


def _decode_or_none(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)
