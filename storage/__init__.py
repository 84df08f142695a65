"""Storage: everything the server keeps, behind one interface (storage/interface.py).

    storage = await open_storage(config.database, config.data_dir)
    user = await storage.users.create("15550001", "Ann", now=int(time.time()))
    ...
    await storage.close()

:func:`open_storage` picks the backend from a URL, opens it and applies pending
migrations. Both backends run the same SQL (storage/auth_keys.py, users.py, ...; one
module per domain) through a driver (storage/db.py):

- no URL: SQLite, ``<data_dir>/mtserver.sqlite3`` (storage/sqlite.py)
- ``sqlite:///abs/path.db`` or ``sqlite://relative/path.db``: SQLite at that path
- ``postgresql://user:password@host:port/db`` (or ``postgres://``): PostgreSQL through
  its own driver on trio (storage/postgres.py, storage/pgwire/).
"""

from __future__ import annotations

import os
from pathlib import Path

from .interface import AlreadyExists, Storage, StorageError, UsernameTaken
from .models import (AuthKeyRecord, AuthorizationRecord, ContactRecord, InviteRecord, PasswordRecord,
                     PhoneCodeRecord, UpdateStateRecord, UserRecord)
from .sql import SqlStorage

SQLITE_SCHEME = "sqlite://"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


async def open_storage(url: str | None, data_dir: str | os.PathLike[str]) -> SqlStorage:
    """The storage ``url`` names (None or "": SQLite in ``data_dir``), migrated.

    Raises StorageError for a URL it cannot use, a database it cannot open, or a schema
    newer than this server's.
    """
    if url and url.startswith(POSTGRES_SCHEMES):
        from .postgres import PostgresDatabase

        db = PostgresDatabase(url)
        await db.connect()
    else:
        from .sqlite import SqliteDatabase

        db = await SqliteDatabase.open(sqlite_path(url, data_dir))
    storage = SqlStorage(db)
    try:
        await storage.migrate()
    except BaseException:
        await storage.close()
        raise
    return storage


def sqlite_path(url: str | None, data_dir: str | os.PathLike[str]) -> Path:
    """Where the SQLite backend keeps its file for ``url`` (see the module docstring)."""
    from .sqlite import FILENAME

    if not url:
        return Path(data_dir) / FILENAME
    if not url.startswith(SQLITE_SCHEME):
        raise StorageError(f"unsupported database URL {url.split('://')[0]!r}: "
                           "use postgresql://..., sqlite:///path, or none for SQLite in the data dir")
    path = url[len(SQLITE_SCHEME):]
    if not path or path == "/":
        raise StorageError(f"{url}: no file path after {SQLITE_SCHEME}")
    return Path(path)


__all__ = [
    "AlreadyExists", "AuthKeyRecord", "AuthorizationRecord", "ContactRecord", "InviteRecord", "PasswordRecord",
    "PhoneCodeRecord", "SqlStorage", "Storage", "StorageError", "UpdateStateRecord", "UserRecord", "UsernameTaken",
    "open_storage", "sqlite_path",
]
