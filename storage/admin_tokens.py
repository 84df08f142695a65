"""The admin API's bearer tokens (`mtserver admin token create`), by the SHA-256 of the
token: the token itself is shown once and never stored, so a copy of the database
lets nobody into the API. Revoking keeps the row (who had access, and until when)."""

from __future__ import annotations

import hashlib

import msgspec

from .db import Database, Row

_COLUMNS = "id, name, token_hash, created_at, last_used_at, revoked_at"
TOUCH_EVERY = 60  # seconds: last_used_at is written at most this often per token


class AdminTokenRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    token_hash: str  # sha256 hex of the token
    created_at: int
    last_used_at: int | None = None
    revoked_at: int | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SqlAdminTokens:
    def __init__(self, db: Database):
        self._db = db

    async def create(self, name: str, token: str, now: int) -> AdminTokenRecord:
        row = await self._db.fetchrow(
            f"INSERT INTO admin_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING {_COLUMNS}",
            name, token_hash(token), now)
        return _record(row)

    async def by_token(self, token: str) -> AdminTokenRecord | None:
        """The token's record, revoked or not (the caller tells 401 from 403)."""
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM admin_tokens WHERE token_hash = $1", token_hash(token))
        return None if row is None else _record(row)

    async def list(self) -> list[AdminTokenRecord]:
        return [_record(row) for row in await self._db.fetch(f"SELECT {_COLUMNS} FROM admin_tokens ORDER BY id")]

    async def revoke(self, token_id: int, now: int) -> bool:
        """False if there is no such token or it was revoked already."""
        return await self._db.execute("UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                                      now, token_id) > 0

    async def touch(self, record: AdminTokenRecord, now: int) -> None:
        if record.last_used_at is None or now - record.last_used_at >= TOUCH_EVERY:
            await self._db.execute("UPDATE admin_tokens SET last_used_at = $1 WHERE id = $2", now, record.id)


def _record(row: Row) -> AdminTokenRecord:
    return AdminTokenRecord(id=row[0], name=row[1], token_hash=row[2], created_at=row[3], last_used_at=row[4],
                            revoked_at=row[5])
