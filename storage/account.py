"""What belongs to one account besides its profile: its 2FA password, its privacy
rules, and its logged-in devices (authorizations)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from .db import Database, Row, in_list
from .models import AuthorizationRecord, PasswordRecord
from .query import Query, run_chunked

_PASSWORD_COLUMNS = "user_id, salt1, salt2, g, p, verifier, hint, email, srp_id, updated_at"
_AUTHORIZATION_COLUMNS = ("auth_key_id, user_id, hash, created_at, active_at, api_id, device_model, platform,"
                          " system_version, app_name, app_version, ip, country, password_pending, parent_auth_key_id")


class SqlPasswords:
    """storage.interface.Passwords: one SRP setting per user."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, user_id: int) -> PasswordRecord | None:
        row = await self._db.fetchrow(f"SELECT {_PASSWORD_COLUMNS} FROM passwords WHERE user_id = $1", user_id)
        if row is None:
            return None
        return PasswordRecord(user_id=row[0], salt1=bytes(row[1]), salt2=bytes(row[2]), g=row[3], p=bytes(row[4]),
                              verifier=bytes(row[5]), hint=row[6], email=row[7], srp_id=row[8], updated_at=row[9])

    async def set(self, record: PasswordRecord) -> None:
        """Creates or replaces the user's password."""
        await self._db.execute(
            f"INSERT INTO passwords ({_PASSWORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (user_id) DO UPDATE SET salt1 = excluded.salt1, salt2 = excluded.salt2, g = excluded.g,"
            " p = excluded.p, verifier = excluded.verifier, hint = excluded.hint, email = excluded.email,"
            " srp_id = excluded.srp_id, updated_at = excluded.updated_at",
            record.user_id, record.salt1, record.salt2, record.g, record.p, record.verifier, record.hint,
            record.email, record.srp_id, record.updated_at)

    async def delete(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM passwords WHERE user_id = $1", user_id)


class SqlPrivacy:
    """storage.interface.Privacy: rules as TL dicts, stored as JSON."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, user_id: int, key: str) -> list[dict] | None:
        rules = await self._db.fetchval("SELECT rules FROM privacy_rules WHERE user_id = $1 AND key = $2", user_id, key)
        return None if rules is None else msgspec.json.decode(rules)

    async def get_all(self, user_id: int) -> dict[str, list[dict]]:
        rows = await self._db.fetch("SELECT key, rules FROM privacy_rules WHERE user_id = $1 ORDER BY key", user_id)
        return {row[0]: msgspec.json.decode(row[1]) for row in rows}

    async def get_all_of(self, user_ids: list[int]) -> dict[int, dict[str, list[dict]]]:
        return await run_chunked(self._db, user_ids, self.get_all_of_query)

    def get_all_of_query(self, user_ids: Sequence[int]) -> Query[dict[int, dict[str, list[dict]]]]:
        """get_all_of these users (distinct, 500 at most)."""
        def decode(rows: list[Row]) -> dict[int, dict[str, list[dict]]]:
            found: dict[int, dict[str, list[dict]]] = {user_id: {} for user_id in user_ids}
            for row in rows:
                found[row[0]][row[1]] = msgspec.json.decode(row[2])
            return found
        return Query(f"SELECT user_id, key, rules FROM privacy_rules WHERE user_id IN ({in_list(len(user_ids))})"
                     " ORDER BY user_id, key", tuple(user_ids), decode)

    async def delete_all(self, user_id: int) -> int:
        return await self._db.execute("DELETE FROM privacy_rules WHERE user_id = $1", user_id)

    async def set(self, user_id: int, key: str, rules: list[dict[str, Any]]) -> None:
        await self._db.execute(
            "INSERT INTO privacy_rules (user_id, key, rules) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id, key) DO UPDATE SET rules = excluded.rules",
            user_id, key, msgspec.json.encode(rules).decode())


class SqlAuthorizations:
    """storage.interface.Authorizations: one logged-in device per permanent auth key."""

    def __init__(self, db: Database):
        self._db = db

    async def add(self, record: AuthorizationRecord) -> None:
        """Creates, or replaces the authorization of the same auth key. A replaced login
        takes the keys it carried to other DCs with it (else they would outlive it,
        unlisted), and a key is never its own parent: a device that imports a token it
        exported stays a listed device."""
        parent = 0 if record.parent_auth_key_id == record.auth_key_id else record.parent_auth_key_id

        async def body(tx):
            await tx.execute("DELETE FROM authorizations WHERE parent_auth_key_id = $1 AND auth_key_id <> $1",
                             record.auth_key_id)
            await tx.execute(
                f"INSERT INTO authorizations ({_AUTHORIZATION_COLUMNS})"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                " ON CONFLICT (auth_key_id) DO UPDATE SET user_id = excluded.user_id, hash = excluded.hash,"
                " created_at = excluded.created_at, active_at = excluded.active_at, api_id = excluded.api_id,"
                " device_model = excluded.device_model, platform = excluded.platform,"
                " system_version = excluded.system_version, app_name = excluded.app_name,"
                " app_version = excluded.app_version, ip = excluded.ip, country = excluded.country,"
                " password_pending = excluded.password_pending, parent_auth_key_id = excluded.parent_auth_key_id",
                record.auth_key_id, record.user_id, record.hash, record.created_at, record.active_at, record.api_id,
                record.device_model, record.platform, record.system_version, record.app_name, record.app_version,
                record.ip, record.country, record.password_pending, parent)

        await self._db.transaction(body)

    async def get(self, auth_key_id: int) -> AuthorizationRecord | None:
        row = await self._db.fetchrow(
            f"SELECT {_AUTHORIZATION_COLUMNS} FROM authorizations WHERE auth_key_id = $1", auth_key_id)
        return None if row is None else _authorization(row)

    async def signed_in(self, auth_key_id: int) -> tuple[int, bool] | None:
        """(user_id, password_pending) of the key's authorization, None when it has none:
        what every call checks (rpc/services/login.identify), without the rest of the row."""
        row = await self._db.fetchrow(
            "SELECT user_id, password_pending FROM authorizations WHERE auth_key_id = $1", auth_key_id)
        return None if row is None else (row[0], bool(row[1]))

    async def by_hash(self, user_id: int, hash: int) -> AuthorizationRecord | None:
        row = await self._db.fetchrow(
            f"SELECT {_AUTHORIZATION_COLUMNS} FROM authorizations WHERE user_id = $1 AND hash = $2"
            " ORDER BY auth_key_id LIMIT 1", user_id, hash)
        return None if row is None else _authorization(row)

    async def list_for_user(self, user_id: int) -> list[AuthorizationRecord]:
        """The user's devices (not the logins they carried to other DCs), most recently
        active first."""
        rows = await self._db.fetch(
            f"SELECT {_AUTHORIZATION_COLUMNS} FROM authorizations WHERE user_id = $1 AND parent_auth_key_id = 0"
            " ORDER BY active_at DESC, auth_key_id", user_id)
        return [_authorization(row) for row in rows]

    async def delete(self, auth_key_id: int) -> bool:
        """Logs out the key, and the logins it carried to other DCs with it."""
        return await self._db.execute("DELETE FROM authorizations WHERE auth_key_id = $1"
                                      " OR parent_auth_key_id = $1", auth_key_id) > 0

    async def delete_others(self, user_id: int, keep_auth_key_id: int) -> list[int]:
        """The auth_key_ids logged out, sorted. The user's exported login tokens go too,
        including the kept device's: "terminate all other sessions" must also stop a
        token a stolen session exported from coming back as a new device."""

        async def body(tx):
            # The kept device is the one the key belongs to, with all of its DC logins.
            parent = await tx.fetchval("SELECT parent_auth_key_id FROM authorizations WHERE auth_key_id = $1",
                                       keep_auth_key_id)
            keep = parent or keep_auth_key_id
            rows = await tx.fetch(
                "DELETE FROM authorizations WHERE user_id = $1 AND auth_key_id <> $2 AND parent_auth_key_id <> $2"
                " RETURNING auth_key_id", user_id, keep)
            await tx.execute("DELETE FROM exported_authorizations WHERE user_id = $1", user_id)
            return rows

        return sorted(row[0] for row in await self._db.transaction(body))

    async def touch(self, auth_key_id: int, active_at: int) -> None:
        await self._db.execute("UPDATE authorizations SET active_at = $1 WHERE auth_key_id = $2",
                               active_at, auth_key_id)


def _authorization(row: Row) -> AuthorizationRecord:
    return AuthorizationRecord(auth_key_id=row[0], user_id=row[1], hash=row[2], created_at=row[3], active_at=row[4],
                               api_id=row[5], device_model=row[6], platform=row[7], system_version=row[8],
                               app_name=row[9], app_version=row[10], ip=row[11], country=row[12],
                               password_pending=bool(row[13]), parent_auth_key_id=row[14])
