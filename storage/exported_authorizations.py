"""auth.exportAuthorization tokens (storage.interface.ExportedAuthorizations).

A token moves a login to a new auth key, so it is as strong as a password: kept only as
its SHA-256, taken (deleted) by the one import that uses it, and gone when the user logs
out other devices (storage/account.py deletes them with the authorizations).
"""

from __future__ import annotations

import hashlib

from .db import Database
from .models import ExportedAuthorizationRecord


def token_hash(token: bytes) -> bytes:
    return hashlib.sha256(token).digest()


# Live tokens a user may hold. Clients import a token as soon as they get it (the import
# deletes it), so only a client exporting and never importing gets near this; reaching it
# drops that user's unused tokens rather than letting one account fill the table.
MAX_LIVE_TOKENS_PER_USER = 64


class SqlExportedAuthorizations:
    def __init__(self, db: Database):
        self._db = db

    async def add(self, token: bytes, *, user_id: int, auth_key_id: int, expires_at: int, now: int) -> None:
        """Stores a new token; the user's expired ones go at the same time, and all of the
        user's unused ones when there are MAX_LIVE_TOKENS_PER_USER of them."""
        async def body(tx):
            await tx.execute("DELETE FROM exported_authorizations WHERE user_id = $1 AND expires_at < $2",
                             user_id, now)
            live = await tx.fetchval("SELECT COUNT(*) FROM exported_authorizations WHERE user_id = $1", user_id)
            if live >= MAX_LIVE_TOKENS_PER_USER:
                await tx.execute("DELETE FROM exported_authorizations WHERE user_id = $1", user_id)
            await tx.execute("INSERT INTO exported_authorizations (token_hash, user_id, auth_key_id, expires_at)"
                             " VALUES ($1, $2, $3, $4)", token_hash(token), user_id, auth_key_id, expires_at)

        await self._db.transaction(body)

    async def take(self, token: bytes) -> ExportedAuthorizationRecord | None:
        """The token's record, deleted in the same statement: of two imports racing with
        one token, one gets it."""
        row = await self._db.fetchrow("DELETE FROM exported_authorizations WHERE token_hash = $1"
                                      " RETURNING user_id, auth_key_id, expires_at", token_hash(token))
        if row is None:
            return None
        return ExportedAuthorizationRecord(user_id=row[0], auth_key_id=row[1], expires_at=row[2])

    async def delete_for_user(self, user_id: int) -> int:
        return await self._db.execute("DELETE FROM exported_authorizations WHERE user_id = $1", user_id)

    async def delete_expired(self, now: int) -> int:
        return await self._db.execute("DELETE FROM exported_authorizations WHERE expires_at < $1", now)
