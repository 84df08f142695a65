"""Auth keys that survive a restart, with what belongs to each (PROTOCOL.md rule 20).

A client keeps its auth key for years; if the server forgot it, every client would get
-404 and have to log in again. Each key is stored with whether it is temporary and until
when, the permanent key a temporary one is bound to (auth.bindTempAuthKey), the client's
layer (invokeWithLayer) and its initConnection details.

Expiry: a temporary key past ``expires_at`` is treated as absent by :meth:`get`, but its
id stays taken (:meth:`exists`) until :meth:`delete_expired` removes it, so the
handshake's uniqueness check never reuses it.
"""

from __future__ import annotations

import math
import time
from typing import Any

import msgspec

from mtproto.crypto import auth_key_id

from .db import Database, Executor, Row
from .interface import AlreadyExists
from .models import AuthKeyRecord

AUTH_KEY_SIZE = 256
_INT64 = range(-(2**63), 2**63)
_COLUMNS = "key_id, key, created_at, temporary, expires_at, perm_key_id, layer, client_info"


class SqlAuthKeys:
    """storage.interface.AuthKeys."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, key_id: int, now: float | None = None) -> AuthKeyRecord | None:
        """The key, or None when unknown or an expired temporary key."""
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM auth_keys WHERE key_id = $1", key_id)
        if row is None:
            return None
        record = _record(row)
        return None if record.expired(time.time() if now is None else now) else record

    async def exists(self, key_id: int) -> bool:
        return await self._db.fetchval("SELECT 1 FROM auth_keys WHERE key_id = $1", key_id) is not None

    async def add(self, record: AuthKeyRecord) -> None:
        """Store a new key; AlreadyExists for a taken key_id, ValueError for a bad record."""
        _validate(record)
        try:
            await self._db.execute(
                f"INSERT INTO auth_keys ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                record.key_id, record.key, record.created_at, record.temporary, record.expires_at,
                record.perm_key_id, record.layer, _json(record.client_info))
        except AlreadyExists as exc:
            raise AlreadyExists(f"auth key {record.key_id} is already stored") from exc

    async def delete(self, key_id: int) -> bool:
        """destroy_auth_key: forget a key (and unbind temporary keys bound to it)."""
        return await self._db.transaction(_delete, key_id)

    async def delete_expired(self, now: float | None = None) -> int:
        """Remove temporary keys past their expiry; returns how many."""
        now = time.time() if now is None else now
        # expires_at is whole seconds: expires_at <= now  ⇔  expires_at <= floor(now).
        return await self._db.execute("DELETE FROM auth_keys WHERE expires_at IS NOT NULL AND expires_at <= $1",
                                      math.floor(now))

    async def delete_unused(self, created_before: float) -> int:
        """Remove permanent keys made before `created_before` that never logged in (no
        authorization), with the temporary keys bound to them; returns how many keys.
        Clients make keys freely and drop them; one back at its login screen after that
        gets -404 and makes a new key, as it would after Telegram forgot it."""
        return await self._db.transaction(_delete_unused, math.floor(created_before))

    async def set_layer(self, key_id: int, layer: int) -> None:
        """KeyError for an unknown key."""
        await self._update(key_id, "layer", layer)

    async def set_client_info(self, key_id: int, info: dict[str, Any]) -> None:
        """Replace the initConnection details (JSON values); KeyError for an unknown key."""
        await self._update(key_id, "client_info", _json(info))

    async def update_client(self, key_id: int, *, layer: int | None = None,
                            client_info: dict[str, Any] | None = None) -> None:
        """What a call's wrappers said, in one statement: a client's first call on a new
        connection is invokeWithLayer(initConnection(...)). KeyError for an unknown key."""
        columns = {"layer": layer, "client_info": None if client_info is None else _json(client_info)}
        given = [(name, value) for name, value in columns.items() if value is not None]
        if not given:
            return
        assignments = ", ".join(f"{name} = ${i}" for i, (name, _) in enumerate(given, 1))
        changed = await self._db.execute(f"UPDATE auth_keys SET {assignments} WHERE key_id = ${len(given) + 1}",
                                         *(value for _, value in given), key_id)
        if changed == 0:
            raise KeyError(f"no auth key {key_id}")

    async def bind_temp_key(self, temp_key_id: int, perm_key_id: int) -> None:
        """auth.bindTempAuthKey: record that ``temp_key_id`` acts for ``perm_key_id``.

        The caller has checked the binding message; this only refuses what can never be
        right: unknown keys (KeyError), binding a permanent key or binding to a
        temporary one (ValueError).
        """
        await self._db.transaction(_bind, temp_key_id, perm_key_id)

    async def _update(self, key_id: int, column: str, value: Any) -> None:
        changed = await self._db.execute(f"UPDATE auth_keys SET {column} = $1 WHERE key_id = $2", value, key_id)
        if changed == 0:
            raise KeyError(f"no auth key {key_id}")


async def _delete(tx: Executor, key_id: int) -> bool:
    await tx.execute("UPDATE auth_keys SET perm_key_id = NULL WHERE perm_key_id = $1", key_id)
    return await tx.execute("DELETE FROM auth_keys WHERE key_id = $1", key_id) > 0


_UNUSED = ("SELECT key_id FROM auth_keys k WHERE NOT temporary AND created_at < $1"
           " AND NOT EXISTS (SELECT 1 FROM authorizations a WHERE a.auth_key_id = k.key_id)")


async def _delete_unused(tx: Executor, created_before: int) -> int:
    bound = await tx.execute(f"DELETE FROM auth_keys WHERE perm_key_id IN ({_UNUSED})", created_before)
    return bound + await tx.execute(f"DELETE FROM auth_keys WHERE key_id IN ({_UNUSED})", created_before)


async def _bind(tx: Executor, temp_key_id: int, perm_key_id: int) -> None:
    rows = await tx.fetch("SELECT key_id, temporary FROM auth_keys WHERE key_id IN ($1, $2)", temp_key_id, perm_key_id)
    temporary = {row[0]: bool(row[1]) for row in rows}
    for key_id in (temp_key_id, perm_key_id):
        if key_id not in temporary:
            raise KeyError(f"no auth key {key_id}")
    if not temporary[temp_key_id] or temporary[perm_key_id]:
        raise ValueError(f"cannot bind {temp_key_id} to {perm_key_id}: "
                         "the first must be temporary, the second permanent")
    await tx.execute("UPDATE auth_keys SET perm_key_id = $1 WHERE key_id = $2", perm_key_id, temp_key_id)


def _record(row: Row) -> AuthKeyRecord:
    return AuthKeyRecord(key_id=row[0], key=bytes(row[1]), created_at=row[2], temporary=bool(row[3]),
                         expires_at=row[4], perm_key_id=row[5], layer=row[6],
                         client_info=msgspec.json.decode(row[7]))


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _validate(record: AuthKeyRecord) -> None:
    if len(record.key) != AUTH_KEY_SIZE:
        raise ValueError(f"auth key {record.key_id}: key must be {AUTH_KEY_SIZE} bytes, got {len(record.key)}")
    if record.key_id not in _INT64 or record.key_id != auth_key_id(record.key):
        raise ValueError(f"auth key {record.key_id}: key_id is not the signed auth_key_id of the key "
                         f"({auth_key_id(record.key)})")
    if record.temporary != (record.expires_at is not None):
        raise ValueError(f"auth key {record.key_id}: temporary keys, and only they, have expires_at")
    if record.perm_key_id is not None and not record.temporary:
        raise ValueError(f"auth key {record.key_id}: only a temporary key can be bound to a permanent one")
