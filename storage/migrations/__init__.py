"""Numbered SQL migrations, one directory per dialect, applied at open.

Files are ``NNNN_name.sql`` in ``sqlite/`` and ``postgres/``; both directories hold the
same schema steps with the same numbers. :func:`apply` runs every step newer than the
recorded version in one transaction and records each in ``schema_version`` (one row per
applied step), so a failed step leaves the database as it was. Steps are never edited
once shipped: a change is a new file.

Several processes may start at once: SQLite's ``BEGIN IMMEDIATE`` and a PostgreSQL
advisory lock make them apply the steps one after another (the second finds nothing
to do).
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path
from typing import NamedTuple

from ..db import Database, Executor
from ..interface import StorageError

_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# pg_advisory_xact_lock key: any constant that other code does not use ("mtsv" in ASCII).
_PG_LOCK = 0x6D747376


class Migration(NamedTuple):
    version: int
    name: str  # the file name
    sql: str


@cache
def migrations(dialect: str) -> tuple[Migration, ...]:
    """The steps shipped for ``dialect`` ("sqlite" or "postgres"), in order."""
    found = []
    for path in sorted((_DIR / dialect).glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise StorageError(f"{path}: migration files are named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"{_DIR / dialect}: migrations must be numbered 1, 2, 3... without gaps: {versions}")
    return tuple(found)


def latest(dialect: str) -> int:
    return len(migrations(dialect))


async def apply(db: Database) -> int:
    """Apply pending steps; returns the schema version now recorded."""
    return await db.transaction(_apply, db.dialect)


async def _apply(tx: Executor, dialect: str) -> int:
    if dialect == "postgres":
        await tx.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
    await tx.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                     " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")
    current = await tx.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
    steps = migrations(dialect)
    if current > len(steps):
        raise StorageError(f"the database's schema version {current} is newer than this server's "
                           f"({len(steps)}): upgrade the server")
    for step in steps[current:]:
        try:
            await tx.script(step.sql)
        except Exception as exc:
            raise StorageError(f"migration {dialect}/{step.name} failed, nothing was applied: {exc}") from exc
        await tx.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                         step.version, int(time.time()))
    return max(current, len(steps))
