"""Views of channel messages (storage.interface.ChannelViews): messages.getMessagesViews
with increment counts each user once per message.

``channel_message_views`` remembers who viewed what; ``channel_messages.views`` is the
count, moved in the same transaction as the row that makes it (an insert that finds the
user's row already there moves nothing). Not a change to the channel's messages: no pts,
no log row (updateChannelMessageViews carries none), and no channel lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from .db import Database, Executor, chunks, in_list


class SqlChannelViews:
    """storage.interface.ChannelViews."""

    def __init__(self, db: Database):
        self._db = db

    async def view(self, channel_id: int, user_id: int, ids: Iterable[int], *,
                   increment: bool = True) -> dict[int, int]:
        wanted = sorted(set(ids))  # one order for every transaction: rows are locked in it
        if not wanted:
            return {}
        if not increment:
            return await _counts(self._db, channel_id, wanted)
        return await self._db.transaction(_view, channel_id, user_id, wanted)


async def _view(tx: Executor, channel_id: int, user: int, ids: list[int]) -> dict[int, int]:
    for part in chunks(ids):
        # Only messages that exist get a view; RETURNING names those this user had not viewed.
        rows = await tx.fetch(
            "INSERT INTO channel_message_views (channel_id, message_id, user_id)"
            " SELECT channel_id, id, $2 FROM channel_messages"
            f" WHERE channel_id = $1 AND id IN ({in_list(len(part), start=3)}) ORDER BY id"
            " ON CONFLICT DO NOTHING RETURNING message_id", channel_id, user, *part)
        new = sorted(row[0] for row in rows)
        if new:
            await tx.execute(f"UPDATE channel_messages SET views = views + 1 WHERE channel_id = $1"
                             f" AND id IN ({in_list(len(new), start=2)})", channel_id, *new)
    return await _counts(tx, channel_id, ids)


async def _counts(ex: Executor, channel_id: int, ids: list[int]) -> dict[int, int]:
    """{id: views} of those of these messages that exist."""
    found: dict[int, int] = {}
    for part in chunks(ids):
        rows = await ex.fetch(f"SELECT id, views FROM channel_messages WHERE channel_id = $1"
                              f" AND id IN ({in_list(len(part), start=2)})", channel_id, *part)
        found.update((row[0], row[1]) for row in rows)
    return found
