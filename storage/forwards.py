"""Forwarding messages (messages.forwardMessages) into private chats and basic groups
(storage.interface.Forwards).

A forward is a new message in the target dialog, made exactly as a send is
(storage/message_boxes.py and storage/chats.py: a copy per box, dialogs, one "new_message"
per box, dedupe by the forwarder's random_id), carrying a forward header as meaning: who wrote the original
and when (the original's header when forwarding a forward), and for Saved Messages
where it was saved from. All the forwarded messages of one call are one transaction.

The originals come from the forwarder's box, or from a channel's one stream (read, not
locked: a channel write never waits on a box and no box write takes a channel row,
storage/channels.py). Forwards *into* a channel are the channel's own sends
(storage/channel_messages.py), made with `box_header` / `channel_header` here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from .channel_rows import CHANNEL_COLUMNS, MESSAGE_COLUMNS as CHANNEL_MESSAGE_COLUMNS, channel_from, message_from
from .chats import send_to_chat
from .db import Database, Executor, chunks, in_list
from .message_boxes import get_messages, send_private
from .models import ChannelMessageRecord, MessageRecord, SentMessage
from .peer import Peer, PeerKind


class SqlForwards:
    def __init__(self, db: Database):
        self._db = db

    async def forward(self, owner_id: int, from_peer: Peer, ids: Sequence[int], to_peer: Peer, *,
                      random_ids: Sequence[int], date: int, drop_author: bool = False,
                      drop_media_captions: bool = False, silent: bool = False) -> list[tuple[int, SentMessage]]:
        if len(ids) != len(random_ids):
            raise ValueError("one random_id per forwarded message")
        if to_peer.kind is PeerKind.CHANNEL:
            raise ValueError("a forward into a channel is the channel's send (storage/channel_messages.py)")
        return await self._db.transaction(_forward, self._db.dialect, owner_id, from_peer, list(ids), to_peer.key,
                                          list(random_ids), date, drop_author, drop_media_captions, silent)


class _Original(NamedTuple):
    message: str
    entities: list[dict[str, Any]]
    media: dict[str, Any] | None
    header: dict[str, Any]  # the forward header a copy carries (unless drop_author)


def box_header(original: MessageRecord) -> dict[str, Any]:
    """The forward header of a copy of a box message: its author and date, or those of
    the original it forwards in turn."""
    if original.fwd_from:
        return {k: v for k, v in original.fwd_from.items() if k not in ("saved_from_peer", "saved_from_msg_id")}
    return {"from_id": original.from_id, "date": original.date}


def channel_header(original: ChannelMessageRecord, broadcast: bool) -> dict[str, Any]:
    """The forward header of a copy of a channel message: its author as shown (the
    channel itself for a broadcast post, with the post's id and signature)."""
    if original.fwd_from:
        # Where a copy was saved from (a discussion group's copy of a post) is the copy's own.
        return {k: v for k, v in original.fwd_from.items() if k not in ("saved_from_peer", "saved_from_msg_id")}
    header: dict[str, Any] = {"from_id": original.from_id, "date": original.date}
    if broadcast:
        header["channel_post"] = original.id
        if original.post_author:
            header["post_author"] = original.post_author
    return header


async def _box_originals(tx: Executor, owner: int, from_peer: Peer, ids: list[int]) -> dict[int, _Original]:
    return {m.id: _Original(m.message, list(m.entities), m.media, box_header(m))
            for m in await get_messages(tx, owner, ids) if m.peer_id == from_peer.key and m.action is None}


async def _channel_originals(tx: Executor, channel_id: int, ids: list[int]) -> dict[int, _Original]:
    row = await tx.fetchrow(f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1", channel_id)
    if row is None:
        return {}
    broadcast = channel_from(row).broadcast
    found: dict[int, _Original] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        rows = await tx.fetch(f"SELECT {CHANNEL_MESSAGE_COLUMNS} FROM channel_messages WHERE channel_id = $1"
                              f" AND id IN ({in_list(len(part), start=2)})", channel_id, *part)
        for m in map(message_from, rows):
            if m.action is None:
                # A box keeps an album's id in its media dict (rpc/services/media_view.py).
                media = m.media if m.media is None or m.grouped_id is None else {**m.media, "grouped_id": m.grouped_id}
                found[m.id] = _Original(m.message, list(m.entities), media, channel_header(m, broadcast))
    return found


async def _forward(tx: Executor, dialect: str, owner: int, from_peer: Peer, ids: list[int], to_peer: int,
                   random_ids: list[int], date: int, drop_author: bool, drop_captions: bool,
                   silent: bool) -> list[tuple[int, SentMessage]]:
    if from_peer.kind is PeerKind.CHANNEL:
        originals = await _channel_originals(tx, from_peer.id, ids)
    else:
        originals = await _box_originals(tx, owner, from_peer, ids)
    sent = []
    # In the order asked (clients send ids ascending: oldest first).
    for message_id, random_id in zip(ids, random_ids):
        original = originals.get(message_id)
        if original is None:
            continue
        text, entities = original.message, original.entities
        if drop_captions and original.media is not None:
            text, entities = "", []
        header = None if drop_author else dict(original.header)  # drop_author: the forwarder's own message
        if header is not None and to_peer == owner:
            header.update(saved_from_peer=from_peer.key, saved_from_msg_id=message_id)
        if to_peer < 0:
            copy = await send_to_chat(tx, dialect, -to_peer, owner, dict(
                date=date, text=text, entities=list(entities), random_id=random_id, silent=silent,
                media=original.media, fwd_from=header))
        else:
            copy = await send_private(tx, dialect, owner, to_peer, date, text, list(entities), None, random_id,
                                      silent, original.media, fwd_from=header)
        sent.append((message_id, copy))
    return sent
