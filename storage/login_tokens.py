"""QR login tokens (auth.exportLoginToken / acceptLoginToken): one row per exported token,
keyed by the token's hash, so every server process sees what any of them exported or
accepted. Rules (lifetime, who may accept) live in rpc/auth/qr_login.py."""

from __future__ import annotations

import msgspec

from .db import Database, Row
from .models import LoginTokenRecord

_COLUMNS = ("token_hash, auth_key_id, perm_key_id, created_at, expires_at, api_id, except_ids, ip, accepted_by,"
            " accepted_at")


class SqlLoginTokens:
    """storage.interface.LoginTokens."""

    def __init__(self, db: Database):
        self._db = db

    async def add(self, record: LoginTokenRecord) -> None:
        await self._db.execute(
            f"INSERT INTO login_tokens ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            record.token_hash, record.auth_key_id, record.perm_key_id, record.created_at, record.expires_at,
            record.api_id, msgspec.json.encode(record.except_ids).decode(), record.ip, record.accepted_by,
            record.accepted_at)

    async def get(self, token_hash: str) -> LoginTokenRecord | None:
        """Expired tokens too, until pruned: the caller tells AUTH_TOKEN_EXPIRED apart."""
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM login_tokens WHERE token_hash = $1", token_hash)
        return None if row is None else _token(row)

    async def accept(self, token_hash: str, user_id: int, now: int) -> bool:
        """Marks an unexpired, not yet accepted token accepted by `user_id`. One statement,
        so of two concurrent acceptances exactly one wins."""
        changed = await self._db.execute(
            "UPDATE login_tokens SET accepted_by = $1, accepted_at = $2"
            " WHERE token_hash = $3 AND accepted_by IS NULL AND expires_at > $2", user_id, now, token_hash)
        return changed == 1

    async def count_live(self, perm_key_id: int, now: int) -> int:
        """Unexpired tokens the key has exported."""
        return await self._db.fetchval(
            "SELECT count(*) FROM login_tokens WHERE perm_key_id = $1 AND expires_at > $2", perm_key_id, now)

    async def delete_accepted_by(self, user_id: int) -> int:
        """Removes the tokens `user_id` accepted (a deleted account); returns how many."""
        return await self._db.execute("DELETE FROM login_tokens WHERE accepted_by = $1", user_id)

    async def delete_expired(self, before: int) -> int:
        """Removes tokens that expired before `before`; returns how many."""
        return await self._db.execute("DELETE FROM login_tokens WHERE expires_at < $1", before)


def _token(row: Row) -> LoginTokenRecord:
    return LoginTokenRecord(token_hash=row[0], auth_key_id=row[1], perm_key_id=row[2], created_at=row[3],
                            expires_at=row[4], api_id=row[5], except_ids=msgspec.json.decode(row[6]), ip=row[7],
                            accepted_by=row[8], accepted_at=row[9])
