"""Who is in whose contact list, and who blocked whom."""

from __future__ import annotations

from collections.abc import Sequence

from .db import Database, Row, chunks, in_list
from .models import ContactRecord
from .query import Query, run


class SqlContacts:
    """storage.interface.Contacts."""

    def __init__(self, db: Database):
        self._db = db

    async def upsert(self, record: ContactRecord) -> None:
        """Adds the contact, or replaces the stored one (names and added_at) with ``record``."""
        await self._db.execute(
            "INSERT INTO contacts (owner_id, user_id, first_name, last_name, added_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (owner_id, user_id) DO UPDATE SET first_name = excluded.first_name,"
            " last_name = excluded.last_name, added_at = excluded.added_at",
            record.owner_id, record.user_id, record.first_name, record.last_name, record.added_at)

    async def delete(self, owner_id: int, user_ids: list[int]) -> None:
        for part in chunks(list(dict.fromkeys(user_ids))):
            await self._db.execute(
                f"DELETE FROM contacts WHERE owner_id = $1 AND user_id IN ({in_list(len(part), start=2)})",
                owner_id, *part)

    async def list(self, owner_id: int) -> list[ContactRecord]:
        """By user_id."""
        rows = await self._db.fetch(
            "SELECT owner_id, user_id, first_name, last_name, added_at FROM contacts WHERE owner_id = $1"
            " ORDER BY user_id", owner_id)
        return [ContactRecord(owner_id=r[0], user_id=r[1], first_name=r[2], last_name=r[3], added_at=r[4])
                for r in rows]

    async def get(self, owner_id: int, user_id: int) -> ContactRecord | None:
        r = await self._db.fetchrow(
            "SELECT owner_id, user_id, first_name, last_name, added_at FROM contacts"
            " WHERE owner_id = $1 AND user_id = $2", owner_id, user_id)
        return None if r is None else ContactRecord(owner_id=r[0], user_id=r[1], first_name=r[2], last_name=r[3],
                                                    added_at=r[4])

    async def between(self, viewer_id: int, user_ids: list[int]) -> tuple[dict[int, ContactRecord], set[int]]:
        """(the viewer's contact rows for these users, those of these users who have the
        viewer as a contact), in one statement per 500 users."""
        mine: dict[int, ContactRecord] = {}
        theirs: set[int] = set()
        for part in chunks(list(dict.fromkeys(user_ids))):
            part_mine, part_theirs = await run(self._db, self.between_query(viewer_id, part))
            mine.update(part_mine)
            theirs |= part_theirs
        return mine, theirs

    def between_query(self, viewer_id: int,
                      user_ids: Sequence[int]) -> Query[tuple[dict[int, ContactRecord], set[int]]]:
        """between the viewer and these users (distinct, 500 at most)."""
        def decode(rows: list[Row]) -> tuple[dict[int, ContactRecord], set[int]]:
            mine: dict[int, ContactRecord] = {}
            theirs: set[int] = set()
            for r in rows:
                if r[0] == viewer_id:
                    mine[r[1]] = ContactRecord(owner_id=r[0], user_id=r[1], first_name=r[2], last_name=r[3],
                                               added_at=r[4])
                if r[1] == viewer_id:
                    theirs.add(r[0])
            return mine, theirs
        ids = in_list(len(user_ids), start=2)
        return Query("SELECT owner_id, user_id, first_name, last_name, added_at FROM contacts"
                     f" WHERE (owner_id = $1 AND user_id IN ({ids})) OR (user_id = $1 AND owner_id IN ({ids}))",
                     (viewer_id, *user_ids), decode)

    async def delete_everywhere(self, user_id: int) -> list[int]:
        """The user's contact list, and the user in everyone else's (a deleted account);
        returns who had them as a contact, sorted."""
        owners = await self.owners_of(user_id)
        await self._db.execute("DELETE FROM contacts WHERE owner_id = $1 OR user_id = $1", user_id)
        return [owner for owner in owners if owner != user_id]

    async def owners_of(self, user_id: int) -> list[int]:
        """Sorted."""
        rows = await self._db.fetch("SELECT owner_id FROM contacts WHERE user_id = $1 ORDER BY owner_id", user_id)
        return [row[0] for row in rows]


class SqlBlocked:
    """storage.interface.Blocked."""

    def __init__(self, db: Database):
        self._db = db

    async def block(self, owner_id: int, user_id: int, now: int) -> bool:
        changed = await self._db.execute(
            "INSERT INTO blocked (owner_id, user_id, blocked_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (owner_id, user_id) DO NOTHING", owner_id, user_id, now)
        return changed == 1

    async def unblock(self, owner_id: int, user_id: int) -> bool:
        return await self._db.execute("DELETE FROM blocked WHERE owner_id = $1 AND user_id = $2", owner_id, user_id) > 0

    async def delete_all(self, owner_id: int) -> int:
        """The owner's whole block list (a deleted account); others' blocks of them stay."""
        return await self._db.execute("DELETE FROM blocked WHERE owner_id = $1", owner_id)

    async def is_blocked(self, owner_id: int, user_id: int) -> bool:
        row = await self._db.fetchval("SELECT 1 FROM blocked WHERE owner_id = $1 AND user_id = $2", owner_id, user_id)
        return row is not None

    async def send_obstacles(self, sender_id: int, recipient_id: int) -> tuple[bool, bool]:
        row = await self._db.fetchrow(
            "SELECT EXISTS (SELECT 1 FROM blocked WHERE owner_id = $1 AND user_id = $2),"
            " COALESCE((SELECT deleted FROM users WHERE id = $2), FALSE)", sender_id, recipient_id)
        return bool(row[0]), bool(row[1])

    async def list(self, owner_id: int, offset: int = 0, limit: int = 100) -> tuple[list[tuple[int, int]], int]:
        """A page of (user_id, blocked_at), newest first (the last blocked first within a
        second), and the total count."""
        rows = await self._db.fetch(
            "SELECT user_id, blocked_at FROM blocked WHERE owner_id = $1 ORDER BY blocked_at DESC, seq DESC"
            " LIMIT $2 OFFSET $3", owner_id, limit, offset)
        total = await self._db.fetchval("SELECT count(*) FROM blocked WHERE owner_id = $1", owner_id)
        return [(row[0], row[1]) for row in rows], total
