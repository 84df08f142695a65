"""Auth keys that survive a restart: a small SQLite store in the data directory.

A client keeps its auth key for years; if the server forgot it, every client would get
-404 and have to log in again. This store keeps each key with what belongs to it
(ARCHITECTURE.md, PROTOCOL.md rule 20): whether it is temporary and until when, the
permanent key a temporary one is bound to (auth.bindTempAuthKey), the client's layer
(invokeWithLayer) and its initConnection details.

Interim home: the storage/ package will own this behind its repository interface, with
PostgreSQL for production; keep this interface small so the move is mechanical. SQL
stays inside this module.

Calling convention: every method is synchronous, short (one indexed statement) and
thread-safe (one connection behind a lock). From trio connection code call it through
``await trio.to_thread.run_sync(store.get, key_id)``: writes wait for an fsync, and a
blocking call would stall every connection of the process. Direct calls are fine in
start-up code, tools and tests.

Expiry: a temporary key past ``expires_at`` is treated as absent by :meth:`get`, but its
id stays taken (:meth:`exists`) until :meth:`delete_expired` removes it, so the
handshake's uniqueness check never reuses it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import msgspec

from mtproto.crypto import auth_key_id

FILENAME = "auth_keys.sqlite3"
AUTH_KEY_SIZE = 256
_INT64 = range(-(2**63), 2**63)

# Numbered steps; user_version records how many have been applied.
_MIGRATIONS = [
    """
    CREATE TABLE auth_keys (
        key_id      INTEGER PRIMARY KEY,        -- signed int64, as TL reads a long
        key         BLOB    NOT NULL,
        created_at  INTEGER NOT NULL,           -- unix seconds
        temporary   INTEGER NOT NULL,
        expires_at  INTEGER,                    -- unix seconds, temporary keys only
        perm_key_id INTEGER,                    -- auth.bindTempAuthKey
        layer       INTEGER,
        client_info TEXT    NOT NULL            -- JSON object
    )
    """,
]


class AuthKeyExists(ValueError):
    """:meth:`AuthKeyStore.add` with a key_id that is already stored."""


class AuthKeyRecord(msgspec.Struct, frozen=True, kw_only=True):
    key_id: int  # signed int64 (mtproto.crypto.auth_key_id)
    key: bytes  # 256 bytes
    created_at: int
    temporary: bool = False
    expires_at: int | None = None
    perm_key_id: int | None = None
    layer: int | None = None
    client_info: dict[str, Any] = {}

    @classmethod
    def from_handshake(cls, auth_key: Any) -> AuthKeyRecord:
        """From :class:`mtproto.handshake.AuthKey`, what a finished handshake produced."""
        return cls(key_id=auth_key.key_id, key=auth_key.key, created_at=auth_key.created_at,
                   temporary=auth_key.temporary, expires_at=auth_key.expires_at)

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class AuthKeyStore:
    """Auth keys by key_id. See the module docstring for threads and expiry."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Auth keys are secrets: create the file owner-only (SQLite gives its -wal and
        # -shm files the same permissions).
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA busy_timeout = 5000")  # another process may be writing
            self._migrate()

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str]) -> AuthKeyStore:
        return cls(Path(data_dir) / FILENAME)

    # -- reads ------------------------------------------------------------------------

    def get(self, key_id: int, now: float | None = None) -> AuthKeyRecord | None:
        """The key, or None when unknown or an expired temporary key."""
        with self._lock:
            row = self._db.execute(
                "SELECT key_id, key, created_at, temporary, expires_at, perm_key_id, layer, client_info"
                " FROM auth_keys WHERE key_id = ?", (key_id,)).fetchone()
        if row is None:
            return None
        record = AuthKeyRecord(key_id=row[0], key=row[1], created_at=row[2], temporary=bool(row[3]),
                               expires_at=row[4], perm_key_id=row[5], layer=row[6],
                               client_info=msgspec.json.decode(row[7]))
        return None if record.expired(time.time() if now is None else now) else record

    def exists(self, key_id: int) -> bool:
        """Whether the id is taken, by any stored key (expired ones too)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM auth_keys WHERE key_id = ?", (key_id,)).fetchone() is not None

    # -- writes -----------------------------------------------------------------------

    def add(self, record: AuthKeyRecord) -> None:
        """Store a new key; raises :class:`AuthKeyExists` or ValueError for a bad record."""
        _validate(record)
        try:
            with self._lock, self._transaction():
                self._db.execute(
                    "INSERT INTO auth_keys (key_id, key, created_at, temporary, expires_at, perm_key_id,"
                    " layer, client_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.key_id, record.key, record.created_at, int(record.temporary), record.expires_at,
                     record.perm_key_id, record.layer, msgspec.json.encode(record.client_info).decode()))
        except sqlite3.IntegrityError as exc:
            raise AuthKeyExists(f"auth key {record.key_id} is already stored") from exc

    def set_layer(self, key_id: int, layer: int) -> None:
        self._update(key_id, "layer = ?", layer)

    def set_client_info(self, key_id: int, info: dict[str, Any]) -> None:
        """Replace the initConnection details (JSON values: str, int, float, bool, None, lists, dicts)."""
        self._update(key_id, "client_info = ?", msgspec.json.encode(info).decode())

    def delete(self, key_id: int) -> bool:
        """destroy_auth_key: forget a key (and unbind temporary keys bound to it)."""
        with self._lock, self._transaction():
            self._db.execute("UPDATE auth_keys SET perm_key_id = NULL WHERE perm_key_id = ?", (key_id,))
            return self._db.execute("DELETE FROM auth_keys WHERE key_id = ?", (key_id,)).rowcount > 0

    def bind_temp_key(self, temp_key_id: int, perm_key_id: int) -> None:
        """auth.bindTempAuthKey: record that ``temp_key_id`` acts for ``perm_key_id``.

        The caller has checked the binding message; this only refuses what can never be
        right (unknown keys, binding a permanent key, binding to a temporary one).
        """
        with self._lock, self._transaction():
            rows = dict(self._db.execute(
                "SELECT key_id, temporary FROM auth_keys WHERE key_id IN (?, ?)", (temp_key_id, perm_key_id)))
            if temp_key_id not in rows or perm_key_id not in rows:
                missing = temp_key_id if temp_key_id not in rows else perm_key_id
                raise KeyError(f"no auth key {missing}")
            if not rows[temp_key_id] or rows[perm_key_id]:
                raise ValueError(f"cannot bind {temp_key_id} to {perm_key_id}: "
                                 "the first must be temporary, the second permanent")
            self._db.execute("UPDATE auth_keys SET perm_key_id = ? WHERE key_id = ?", (perm_key_id, temp_key_id))

    def delete_expired(self, now: float | None = None) -> int:
        """Remove temporary keys past their expiry; returns how many."""
        now = time.time() if now is None else now
        with self._lock, self._transaction():
            return self._db.execute("DELETE FROM auth_keys WHERE expires_at IS NOT NULL AND expires_at <= ?",
                                    (now,)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> AuthKeyStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers ----------------------------------------------------------------------

    def _update(self, key_id: int, assignment: str, value: Any) -> None:
        with self._lock, self._transaction():
            cursor = self._db.execute(f"UPDATE auth_keys SET {assignment} WHERE key_id = ?", (value, key_id))
            if cursor.rowcount == 0:
                raise KeyError(f"no auth key {key_id}")

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(_MIGRATIONS):
            raise RuntimeError(f"{self.path}: schema version {version} is newer than this server "
                               f"({len(_MIGRATIONS)})")
        for number, statement in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self._transaction():
                self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception (autocommit connection)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


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
