"""One name space of usernames for users and channels (storage.interface.Usernames).

t.me/name finds a user or a channel, so a name may belong to one peer only, whichever
kind, ignoring case. The ``usernames`` table holds every name in use, lower-cased, as
its primary key, with the storage peer id of its owner (storage/peer.py); the owner's
own row (users.username, channels.username) keeps the name as spelled, and is changed
in the same transaction as the reservation (:func:`reserve`). The primary key is what
makes a name unique under concurrency: of two transactions taking one name, the
second waits for the first and fails (UsernameTaken) if the first committed.

Usernames are ASCII (a-z, 0-9, _), so the built-in lower() of both dialects folds them.
"""

from __future__ import annotations

from .db import Database, Executor
from .interface import AlreadyExists, UsernameTaken
from .peer import Peer


class SqlUsernames:
    """storage.interface.Usernames."""

    def __init__(self, db: Database):
        self._db = db

    async def resolve(self, name: str) -> Peer | None:
        key = await self._db.fetchval("SELECT peer_id FROM usernames WHERE name = lower($1)", name)
        return None if key is None else Peer.from_key(key)

    async def of(self, peer: Peer) -> str | None:
        return await self._db.fetchval("SELECT name FROM usernames WHERE peer_id = $1", peer.key)


async def reserve(tx: Executor, peer: Peer, name: str | None) -> None:
    """Inside the transaction that changes the owner's row: `peer`'s username becomes
    `name` (None or "": none), its previous one is released. UsernameTaken if another
    peer holds the name, in any case."""
    await tx.execute("DELETE FROM usernames WHERE peer_id = $1", peer.key)
    if not name:
        return
    try:
        await tx.execute("INSERT INTO usernames (name, peer_id) VALUES (lower($1), $2)", name, peer.key)
    except AlreadyExists as exc:
        raise UsernameTaken(f"username {name!r} is taken") from exc
