"""Forwarding messages (messages.forwardMessages) into private chats and basic groups
(storage.interface.Forwards).

A forward is a new message in the target dialog, made exactly as a send is
(storage/message_boxes.py and storage/chats.py: a copy per box, dialogs, one "new_message"
per box, dedupe by the forwarder's random_id), carrying a forward header as meaning: who wrote the original
and when (the original's header when forwarding a forward), and for Saved Messages
where it was saved from. All the forwarded messages of one call are one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .chats import send_to_chat
from .db import Database, Executor
from .message_boxes import get_messages, send_private
from .models import MessageRecord, SentMessage
from .peer import Peer


class SqlForwards:
    def __init__(self, db: Database):
        self._db = db

    async def forward(self, owner_id: int, from_peer: Peer, ids: Sequence[int], to_peer: Peer, *,
                      random_ids: Sequence[int], date: int, drop_author: bool = False,
                      drop_media_captions: bool = False, silent: bool = False) -> list[tuple[int, SentMessage]]:
        if len(ids) != len(random_ids):
            raise ValueError("one random_id per forwarded message")
        return await self._db.transaction(_forward, self._db.dialect, owner_id, from_peer.key, list(ids), to_peer.key,
                                          list(random_ids), date, drop_author, drop_media_captions, silent)


async def _forward(tx: Executor, dialect: str, owner: int, from_peer: int, ids: list[int], to_peer: int,
                   random_ids: list[int], date: int, drop_author: bool, drop_captions: bool,
                   silent: bool) -> list[tuple[int, SentMessage]]:
    originals = {m.id: m for m in await get_messages(tx, owner, ids) if m.peer_id == from_peer and m.action is None}
    sent = []
    # In the order asked (clients send ids ascending: oldest first).
    for message_id, random_id in zip(ids, random_ids):
        original = originals.get(message_id)
        if original is None:
            continue
        text, entities = original.message, original.entities
        if drop_captions and original.media is not None:
            text, entities = "", []
        header = _header(original, owner, to_peer, drop_author)
        if to_peer < 0:
            copy = await send_to_chat(tx, dialect, -to_peer, owner, dict(
                date=date, text=text, entities=list(entities), random_id=random_id, silent=silent,
                media=original.media, fwd_from=header))
        else:
            copy = await send_private(tx, dialect, owner, to_peer, date, text, list(entities), None, random_id,
                                      silent, original.media, fwd_from=header)
        sent.append((message_id, copy))
    return sent


def _header(original: MessageRecord, owner: int, to_peer: int, drop_author: bool) -> dict[str, Any] | None:
    if drop_author:
        return None  # sent as the forwarder's own message
    # A forward of a forward names the original author.
    header = ({"from_id": original.fwd_from["from_id"], "date": original.fwd_from["date"]}
              if original.fwd_from else {"from_id": original.from_id, "date": original.date})
    if to_peer == owner:
        header.update(saved_from_peer=original.peer_id, saved_from_msg_id=original.id)
    return header
