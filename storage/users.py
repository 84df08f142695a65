"""User accounts: ids, access hashes, phones, usernames, profiles and status.

Ids come from the database (a sequence starting at 1000000, never reused); access
hashes are random signed int64, made here. Phones are unique; usernames are unique
case-insensitively among users and channels alike (storage/usernames.py). A user is
never deleted from this table: ``deleted`` marks a deleted account, whose id must stay
taken (other people's messages name it). A deleted account keeps nothing that
identifies a person: its names, about and username are cleared, and its phone column
holds ``deleted:<id>`` (unique and not null as the column wants, and no phone number
normalises to it), so the number is free to sign up again; a record reads its phone
as "".
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from .db import Database, Executor, Row, in_list, like_escape
from .interface import AlreadyExists, UsernameTaken
from .models import UserRecord
from .peer import Peer
from .query import Query, run_chunked
from .updates import CREATE_STATE
from .usernames import reserve

_COLUMNS = ("id, access_hash, phone, first_name, last_name, username, about, created_at, last_seen, online_until,"
            " banned, deleted")

# SQLite's lower() folds ASCII only; unicode_lower is Python's (storage/sqlite.py).
# Usernames are ASCII, so the built-in lower() matches them (and their unique index).
_SEARCH = """
    SELECT {columns} FROM users
    WHERE NOT deleted
      AND (lower(username) LIKE $1 ESCAPE '\\'
           OR {fold}(first_name) LIKE $2 ESCAPE '\\'
           OR {fold}(last_name) LIKE $2 ESCAPE '\\')
    ORDER BY id
    LIMIT $3
"""
_SEARCH_BY_DIALECT = {
    "postgres": _SEARCH.format(columns=_COLUMNS, fold="lower"),
    "sqlite": _SEARCH.format(columns=_COLUMNS, fold="unicode_lower"),
}


_DELETED_PHONE = "deleted:"


def new_access_hash() -> int:
    """A random signed int64, never 0 (clients treat 0 as "no access hash")."""
    while True:
        value = int.from_bytes(secrets.token_bytes(8), "little", signed=True)
        if value:
            return value


class SqlUsers:
    """storage.interface.Users."""

    def __init__(self, db: Database):
        self._db = db

    async def create(self, phone: str, first_name: str, last_name: str = "", now: int = 0) -> UserRecord:
        try:
            row = await self._db.transaction(_create, new_access_hash(), phone, first_name, last_name, now)
        except AlreadyExists as exc:
            raise AlreadyExists(f"phone {phone} is taken") from exc
        return _record(row)

    async def ensure(self, user_id: int, phone: str, first_name: str, now: int = 0) -> UserRecord:
        """The user with this fixed id (below the sequence's 1000000, e.g. the service
        account), created if missing; an existing one is returned unchanged."""
        await self._db.transaction(_ensure, user_id, new_access_hash(), phone, first_name, now)
        return await self.get(user_id)

    async def get(self, user_id: int) -> UserRecord | None:
        return _record_or_none(await self._db.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id))

    async def get_many(self, user_ids: list[int]) -> list[UserRecord]:
        """The users that exist, in the order asked, each once."""
        wanted = list(dict.fromkeys(user_ids))
        found = await run_chunked(self._db, wanted, self.get_many_query)
        return [found[user_id] for user_id in wanted if user_id in found]

    def get_many_query(self, user_ids: Sequence[int]) -> Query[dict[int, UserRecord]]:
        """{id: record} of those of these users (distinct, 500 at most) that exist."""
        return Query(f"SELECT {_COLUMNS} FROM users WHERE id IN ({in_list(len(user_ids))})", tuple(user_ids),
                     lambda rows: {row[0]: _record(row) for row in rows})

    async def by_phone(self, phone: str) -> UserRecord | None:
        return _record_or_none(await self._db.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE phone = $1", phone))

    async def by_username(self, username: str) -> UserRecord | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE lower(username) = lower($1)", username)
        return _record_or_none(row)

    async def list(self, offset: int = 0, limit: int = 100) -> list[UserRecord]:
        """All users (deleted ones too) by id."""
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM users ORDER BY id LIMIT $1 OFFSET $2", limit, offset)
        return [_record(row) for row in rows]

    async def search(self, query: str, limit: int = 50) -> list[UserRecord]:
        """Username starts with the query, or first or last name contains it, ignoring
        case; deleted users never match; by id. A blank query matches nobody."""
        folded = query.strip().lower()
        if not folded or limit <= 0:
            return []
        pattern = like_escape(folded)
        rows = await self._db.fetch(_SEARCH_BY_DIALECT[self._db.dialect], pattern + "%", "%" + pattern + "%", limit)
        return [_record(row) for row in rows]

    async def update_profile(self, user_id: int, *, first_name: str | None = None, last_name: str | None = None,
                             about: str | None = None) -> UserRecord | None:
        """Changes the fields given (not None); None if there is no such user."""
        changes = {name: value for name, value in
                   (("first_name", first_name), ("last_name", last_name), ("about", about)) if value is not None}
        if not changes:
            return await self.get(user_id)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        row = await self._db.fetchrow(f"UPDATE users SET {assignments} WHERE id = $1 RETURNING {_COLUMNS}",
                                      user_id, *changes.values())
        return _record_or_none(row)

    async def set_username(self, user_id: int, username: str | None) -> UserRecord | None:
        """None or "" removes the username (freeing it for others); UsernameTaken if
        another user has it, in any case; None if there is no such user."""
        return _record_or_none(await self._db.transaction(_set_username, user_id, username or None))

    async def set_status(self, user_id: int, *, last_seen: int, online_until: int) -> None:
        await self._db.execute("UPDATE users SET last_seen = $1, online_until = $2 WHERE id = $3",
                               last_seen, online_until, user_id)

    async def set_banned(self, user_id: int, banned: bool) -> None:
        await self._db.execute("UPDATE users SET banned = $1 WHERE id = $2", banned, user_id)

    async def mark_deleted(self, user_id: int) -> UserRecord | None:
        """The account becomes a deleted one (see the module docstring), its username
        released, in one transaction; the record as it was before, None if there is no
        such user."""
        return _record_or_none(await self._db.transaction(_mark_deleted, user_id))

    async def set_phone(self, user_id: int, phone: str) -> None:
        """AlreadyExists if another user has the phone."""
        try:
            await self._db.execute("UPDATE users SET phone = $1 WHERE id = $2", phone, user_id)
        except AlreadyExists as exc:
            raise AlreadyExists(f"phone {phone} is taken") from exc


async def _create(tx: Executor, access_hash: int, phone: str, first_name: str, last_name: str, now: int) -> Row:
    row = await tx.fetchrow(
        f"INSERT INTO users (access_hash, phone, first_name, last_name, created_at) VALUES ($1, $2, $3, $4, $5)"
        f" RETURNING {_COLUMNS}", access_hash, phone, first_name, last_name, now)
    await tx.execute(CREATE_STATE, row[0])
    return row


async def _ensure(tx: Executor, user_id: int, access_hash: int, phone: str, first_name: str, now: int) -> None:
    await tx.execute("INSERT INTO users (id, access_hash, phone, first_name, created_at) VALUES ($1, $2, $3, $4, $5)"
                     " ON CONFLICT (id) DO NOTHING", user_id, access_hash, phone, first_name, now)
    await tx.execute(CREATE_STATE, user_id)


async def _mark_deleted(tx: Executor, user_id: int) -> Row | None:
    before = await tx.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)
    if before is None:
        return None
    await tx.execute("UPDATE users SET phone = $2, first_name = '', last_name = '', username = NULL, about = '',"
                     " online_until = 0, deleted = $3 WHERE id = $1", user_id, deleted_phone(user_id), True)
    await reserve(tx, Peer.user(user_id), None)
    return before


def deleted_phone(user_id: int) -> str:
    """What a deleted account's phone column holds."""
    return f"{_DELETED_PHONE}{user_id}"


async def _set_username(tx: Executor, user_id: int, username: str | None) -> Row | None:
    try:
        row = await tx.fetchrow(f"UPDATE users SET username = $1 WHERE id = $2 RETURNING {_COLUMNS}",
                                username, user_id)
    except AlreadyExists as exc:
        raise UsernameTaken(f"username {username!r} is taken") from exc
    if row is not None:
        await reserve(tx, Peer.user(user_id), username)  # channels' names too (storage/usernames.py)
    return row


def _record(row: Row) -> UserRecord:
    phone = "" if row[2].startswith(_DELETED_PHONE) else row[2]
    return UserRecord(id=row[0], access_hash=row[1], phone=phone, first_name=row[3], last_name=row[4],
                      username=row[5], about=row[6], created_at=row[7], last_seen=row[8], online_until=row[9],
                      banned=bool(row[10]), deleted=bool(row[11]))


def _record_or_none(row: Row | None) -> UserRecord | None:
    return None if row is None else _record(row)
