"""Pinned messages in private chats and basic groups (storage.interface.PinnedMessages).

`pinned` is a flag on each copy: a pin changes the pinner's copy and, unless it is
one-sided (pm_oneside, private chats only), every other copy (the other participant's;
in a basic group every current member's), with one "pinned_messages" update-log row
per box whose copy changed ({"peer_id", "ids", "pinned"}). A shared pin also leaves a
service message (messageActionPinMessage, replying to the pinned message) in every
box, as Telegram does; unpinning leaves none. Everything is one transaction
(storage/message_boxes.py's rules: in a group the chat is locked first).
"""

from __future__ import annotations

from .db import Database, Executor, chunks, in_list
from .interface import MessageNotFound
from .chats import lock_chat_members, send_to_chat
from .message_boxes import MESSAGE_COLUMNS, lock_boxes, message_record, one_message, send_private
from .peer import Peer
from .update_log import UpdateKind, log_update

PIN_ACTION = {"_": "messageActionPinMessage"}


class SqlPinnedMessages:
    def __init__(self, db: Database):
        self._db = db

    async def pin(self, owner_id: int, peer: Peer, message_id: int, *, unpin: bool = False,
                  one_side: bool = False, silent: bool = False, now: int) -> dict[int, list[int]]:
        return await self._db.transaction(_pin, self._db.dialect, owner_id, peer.key, message_id, unpin, one_side,
                                          silent, now)

    async def unpin_all(self, owner_id: int, peer: Peer, *, now: int) -> dict[int, list[int]]:
        return await self._db.transaction(_unpin_all, self._db.dialect, owner_id, peer.key, now)

    async def pinned_ids(self, owner_id: int, peer: Peer) -> list[int]:
        rows = await self._db.fetch("SELECT id FROM messages WHERE owner_id = $1 AND peer_id = $2 AND pinned"
                                    " ORDER BY id DESC", owner_id, peer.key)
        return [row[0] for row in rows]


async def _pin(tx: Executor, dialect: str, owner: int, peer: int, message_id: int, unpin: bool, one_side: bool,
               silent: bool, now: int) -> dict[int, list[int]]:
    two_sided = peer < 0 or (not one_side and peer != owner)
    boxes = await _lock_dialog(tx, dialect, owner, peer, two_sided)
    found = await one_message(tx, owner, message_id)
    if found.peer_id != peer or found.action is not None:
        raise MessageNotFound(f"user {owner} has no message {message_id} to pin with {peer}")
    copies = [found]
    if two_sided:
        rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE shared_id = $1 AND owner_id <> $2",
                              found.shared_id, owner)
        copies += [m for m in map(message_record, rows) if m.owner_id in boxes]
    logged: dict[int, list[int]] = {}
    for copy in copies:
        if copy.pinned == (not unpin):
            continue
        await tx.execute("UPDATE messages SET pinned = $3 WHERE owner_id = $1 AND id = $2",
                         copy.owner_id, copy.id, not unpin)
        pts = await log_update(tx, copy.owner_id, 1, UpdateKind.PINNED_MESSAGES,
                               {"peer_id": copy.peer_id, "ids": [copy.id], "pinned": not unpin}, now)
        logged.setdefault(copy.owner_id, []).append(pts)
    if logged and not unpin and two_sided:
        if peer < 0:
            service = await send_to_chat(tx, dialect, -peer, owner, dict(
                date=now, reply_to=found.id, silent=silent, action=PIN_ACTION))
        else:
            service = await send_private(tx, dialect, owner, peer, now, "", [], found.id, None, silent, None,
                                         action=PIN_ACTION)
        for box, pts in [(owner, service.sender_pts), *service.deliveries]:
            logged.setdefault(box, []).append(pts)
    return logged


async def _lock_dialog(tx: Executor, dialect: str, owner: int, peer: int, both: bool) -> set[int]:
    """Locks the boxes a pin change in this dialog may touch; returns them."""
    if peer < 0:
        return set(await lock_chat_members(tx, dialect, -peer, owner))
    boxes = {owner, peer} if both else {owner}
    await lock_boxes(tx, dialect, boxes)
    return boxes


async def _unpin_all(tx: Executor, dialect: str, owner: int, peer: int, now: int) -> dict[int, list[int]]:
    locked = await _lock_dialog(tx, dialect, owner, peer, True)
    rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE owner_id = $1 AND peer_id = $2 AND pinned",
                          owner, peer)
    mine = [message_record(row) for row in rows]
    boxes: dict[int, list[tuple[int, int]]] = {owner: [(m.peer_id, m.id) for m in mine]} if mine else {}
    if peer != owner and mine:
        # The other side's pinned copies of the same messages: a private chat's pins are shared.
        for part in chunks([m.shared_id for m in mine]):
            rows = await tx.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE pinned AND owner_id <> $1"
                                  f" AND shared_id IN ({in_list(len(part), start=2)})", owner, *part)
            for theirs in (m for m in map(message_record, rows) if m.owner_id in locked):
                boxes.setdefault(theirs.owner_id, []).append((theirs.peer_id, theirs.id))
    logged: dict[int, list[int]] = {}
    for box in sorted(boxes):
        ids = sorted(i for _, i in boxes[box])
        for part in chunks(ids):
            await tx.execute(f"UPDATE messages SET pinned = $1 WHERE owner_id = $2"
                             f" AND id IN ({in_list(len(part), start=3)})", False, box, *part)
        pts = await log_update(tx, box, len(ids), UpdateKind.PINNED_MESSAGES,
                               {"peer_id": boxes[box][0][0], "ids": ids, "pinned": False}, now)
        logged[box] = [pts]
    return logged
