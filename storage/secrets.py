"""Server-wide secrets in the database: created once, then the same for every process."""

from __future__ import annotations

import secrets
import time

from .db import Database

_INSERT = "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING"
_SELECT = "SELECT value FROM server_secrets WHERE name = $1"


class SqlServerSecrets:
    """storage.interface.ServerSecrets."""

    def __init__(self, db: Database):
        self._db = db

    async def get_or_create(self, name: str, size: int = 32, initial: bytes | None = None) -> bytes:
        """The secret called `name`; the first caller's value (random, or `initial`) wins,
        also when several processes start at once."""
        value = initial if initial is not None else secrets.token_bytes(size)
        await self._db.execute(_INSERT, name, value, int(time.time()))
        row = await self._db.fetchrow(_SELECT, name)
        return bytes(row[0])
