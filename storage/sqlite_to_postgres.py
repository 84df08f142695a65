"""Copy a whole SQLite store into an empty PostgreSQL database (`mtserver migrate-db`).

A single-node install outgrows SQLite; this moves everything it keeps -- auth keys
(clients stay logged in), accounts, messages, groups, media records, the shared
secrets -- so that a server on the PostgreSQL database carries on where the SQLite one
stopped. The file bytes stay in the media store and the RSA key in the data dir: the
PostgreSQL server uses the same data dir and media URL.

Both databases must already have this version's schema (the caller opens each with
``open_storage``, which migrates it); :func:`copy_sqlite_to_postgres` then, in one
PostgreSQL transaction:

1. refuses a target with any row in any table (it never merges into live data);
2. checks that both hold the same tables and columns (a schema step missing on one
   side, or a table this module does not know how to carry, stops it);
3. copies every table in the order the migrations create them (the schema has no
   foreign keys, so any order would load; this one is stable), reading SQLite in one
   read transaction (a consistent snapshot) and streaming rows in batches with COPY,
   each value converted to its PostgreSQL column type (SQLite keeps booleans as 0/1
   and JSON as text);
4. sets every sequence past the ids copied, and past what SQLite's AUTOINCREMENT had
   handed out (ids are never reused, even those of deleted rows): identity columns
   (users, blocked, chats, channels...) and ``message_shared_ids``, a SQLite table
   that is a sequence in PostgreSQL;
5. counts every table on both sides and rolls everything back on a difference.

Stop the server before copying: rows written to SQLite after the snapshot would be lost.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .interface import StorageError
from .migrations import migrations

BATCH = 2000
# Bookkeeping that each side keeps for itself.
_OWN_TABLES = frozenset({"schema_version"})
# SQLite tables that are sequences in PostgreSQL: table -> (sequence, the query of its value).
_COUNTER_TABLES = {
    "message_shared_ids": ("message_shared_ids", "SELECT value FROM message_shared_ids WHERE name = 'shared_id'"),
}
# The column of a sequence's table whose largest value it must pass.
_COUNTER_COLUMNS = {"message_shared_ids": ("messages", "shared_id")}


class MigrationError(StorageError):
    """The copy was refused or failed; nothing was written to the target."""


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied (and counted on both sides)
    sequences: dict[str, int] = field(default_factory=dict)  # sequence -> the last value handed out


def table_order() -> list[str]:
    """Tables in the order the PostgreSQL migrations create them."""
    order: list[str] = []
    for step in migrations("postgres"):
        for name in re.findall(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", step.sql, re.IGNORECASE):
            if name not in order:
                order.append(name)
    return order


def _converter(data_type: str) -> Callable[[Any], Any]:
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    if data_type in ("json", "jsonb"):
        return lambda v: None if v is None else (v if isinstance(v, str) else json.dumps(v))
    if data_type == "bytea":
        return lambda v: None if v is None else bytes(v if not isinstance(v, str) else v.encode())
    if data_type in ("bigint", "integer", "smallint"):
        return lambda v: None if v is None else int(v)
    if data_type in ("double precision", "real", "numeric"):
        return lambda v: None if v is None else float(v)
    if data_type in ("text", "character varying"):
        return lambda v: None if v is None else (v if isinstance(v, str) else str(v))
    raise MigrationError(f"no conversion from SQLite for PostgreSQL type {data_type!r}")


def _rows(source: sqlite3.Connection, table: str, columns: list[str],
          converters: list[Callable[[Any], Any]]) -> Iterator[list[tuple]]:
    cursor = source.execute(f"SELECT {', '.join(_quote(c) for c in columns)} FROM {_quote(table)}")
    while batch := cursor.fetchmany(BATCH):
        yield [tuple(convert(value) for convert, value in zip(converters, row)) for row in batch]


def _quote(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise MigrationError(f"unexpected table or column name {name!r}")
    return f'"{name}"'


async def _target_tables(conn) -> list[str]:
    rows = await conn.fetch("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    return sorted(r["table_name"] for r in rows)


async def target_rows(conn) -> dict[str, int]:
    """Rows in each table of the target's schema (bookkeeping aside)."""
    counts = {}
    for table in await _target_tables(conn):
        if table not in _OWN_TABLES:
            counts[table] = await conn.fetchval(f"SELECT count(*) FROM {_quote(table)}")
    return counts


async def refuse_non_empty(conn) -> None:
    filled = {t: n for t, n in (await target_rows(conn)).items() if n}
    if filled:
        listed = ", ".join(f"{t} ({n} rows)" for t, n in sorted(filled.items()))
        raise MigrationError(f"the target database is not empty: {listed}. migrate-db only fills a new, "
                             "empty database (create one with `createdb`)")


def open_source(path: Path) -> sqlite3.Connection:
    """The SQLite file, read-only, inside one read transaction (a snapshot of it)."""
    if not path.is_file():
        raise MigrationError(f"{path}: no such SQLite file")
    absolute = "/" + str(path.resolve()).lstrip("/")  # "file://x" would name a host x
    try:
        source = sqlite3.connect(f"file:{quote(absolute)}?mode=ro", uri=True, isolation_level=None)
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
    except sqlite3.Error as exc:
        raise MigrationError(f"{path}: cannot read it as SQLite: {exc}") from exc
    return source


async def copy_sqlite_to_postgres(source: sqlite3.Connection, conn, *,
                                  progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy ``source`` (from :func:`open_source`) into the asyncpg connection ``conn``.

    Both must be at this version's schema. Raises MigrationError; the target is then
    unchanged.
    """
    try:
        return await _copy(source, conn, progress)
    except sqlite3.Error as exc:
        raise MigrationError(f"reading SQLite failed, nothing was copied: {exc}") from exc


async def _copy(source: sqlite3.Connection, conn, progress) -> CopyReport:
    await refuse_non_empty(conn)
    source_tables = {r[0] for r in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")} - _OWN_TABLES
    target_tables = set(await _target_tables(conn)) - _OWN_TABLES
    tables = source_tables - set(_COUNTER_TABLES)
    if tables != target_tables:
        raise MigrationError(
            f"the two schemas differ (is each at this version's schema?): only in SQLite: "
            f"{sorted(tables - target_tables) or 'none'}; only in PostgreSQL: {sorted(target_tables - tables) or 'none'}")
    order = [t for t in table_order() if t in tables] + sorted(tables - set(table_order()))
    autoincrement = dict(source.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) \
        if source.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone() else {}
    report = CopyReport()
    async with conn.transaction():
        for table in order:
            described = await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
            columns = [r["column_name"] for r in described]
            source_columns = {r[1] for r in source.execute(f"PRAGMA table_info({_quote(table)})")}
            if set(columns) != source_columns:
                raise MigrationError(f"table {table}: the columns differ: only in SQLite "
                                     f"{sorted(source_columns - set(columns))}, only in PostgreSQL "
                                     f"{sorted(set(columns) - source_columns)}")
            converters = [_converter(r["data_type"]) for r in described]
            copied = 0
            for batch in _rows(source, table, columns, converters):
                await conn.copy_records_to_table(table, records=batch, columns=columns)
                copied += len(batch)
            report.rows[table] = copied
            if progress:
                progress(table, copied)
        report.sequences = await _set_sequences(source, conn, autoincrement)
        for table in order:
            expected = source.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
            found = await conn.fetchval(f"SELECT count(*) FROM {_quote(table)}")
            if not expected == found == report.rows[table]:
                raise MigrationError(f"table {table}: {expected} rows in SQLite, {found} in PostgreSQL after "
                                     f"copying {report.rows[table]}: rolled back")
    return report


async def _set_sequences(source: sqlite3.Connection, conn, autoincrement: dict[str, int]) -> dict[str, int]:
    owned = await conn.fetch(
        "SELECT s.relname AS sequence, t.relname AS table_name, a.attname AS column_name "
        "FROM pg_class s "
        "JOIN pg_namespace n ON n.oid = s.relnamespace "
        "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
        "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE s.relkind = 'S' AND n.nspname = current_schema()")
    every = {r["relname"] for r in await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'S' AND n.nspname = current_schema()")}
    wanted: dict[str, int] = {}
    for row in owned:
        table, column = row["table_name"], row["column_name"]
        largest = await conn.fetchval(f"SELECT max({_quote(column)}) FROM {_quote(table)}")
        wanted[row["sequence"]] = max(largest or 0, autoincrement.get(table) or 0)
    by_sequence = {sequence: (table, query) for table, (sequence, query) in _COUNTER_TABLES.items()}
    for sequence in sorted(every - set(wanted)):
        if sequence not in by_sequence:
            raise MigrationError(f"sequence {sequence} belongs to no table and migrate-db does not know its "
                                 "SQLite counterpart: teach storage/sqlite_to_postgres.py about it")
        _, query = by_sequence[sequence]
        row = source.execute(query).fetchone()
        table, column = _COUNTER_COLUMNS[sequence]
        largest = await conn.fetchval(f"SELECT max({_quote(column)}) FROM {_quote(table)}")
        wanted[sequence] = max(row[0] if row else 0, largest or 0)
    for sequence, value in sorted(wanted.items()):
        if value > 0:
            await conn.execute("SELECT setval($1::regclass, $2, true)", sequence, value)
    return {s: v for s, v in sorted(wanted.items()) if v > 0}
