"""`mtserver migrate-db`: move a single-node install from SQLite to PostgreSQL.

    mtserver migrate-db --from sqlite:///data/mtserver.sqlite3 --to postgresql://user:pw@host/db

Stop the server, create an empty PostgreSQL database, run this, then start the server
with ``--database postgresql://...`` and the same data dir (the RSA key) and media
URL: clients keep their auth keys and logins. The SQLite file is left as it was (keep
it as the backup). What is copied and checked: storage/sqlite_to_postgres.py.
Exit codes: 0 copied, 1 refused or failed (the target unchanged), 2 usage.
"""

from __future__ import annotations

import argparse
import sys

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def add_migrate_db_parser(commands) -> None:
    parser = commands.add_parser(
        "migrate-db", help="copy an SQLite store into a new, empty PostgreSQL database (stop the server first)")
    parser.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH",
                        help="the SQLite file (the data dir's mtserver.sqlite3 by default)")
    parser.add_argument("--to", dest="target", required=True, metavar="postgresql://...",
                        help="an empty PostgreSQL database")


def run_migrate_db(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout
    if not args.source.startswith("sqlite://"):
        print("mtserver: --from must be a sqlite:///path URL", file=sys.stderr)
        return 2
    if not args.target.startswith(POSTGRES_SCHEMES):
        print("mtserver: --to must be a postgresql:// URL", file=sys.stderr)
        return 2
    import trio

    from storage import StorageError
    from storage.groups import single_errors

    try:
        with single_errors():
            report = trio.run(_migrate, args.source, args.target, out)
    except StorageError as exc:
        print(f"mtserver: {exc}", file=sys.stderr)
        return 1
    total = sum(report.rows.values())
    print(f"copied {total} rows in {len(report.rows)} tables; row counts match on both sides", file=out)
    for sequence, value in report.sequences.items():
        print(f"sequence {sequence} continues after {value}", file=out)
    return 0


async def _migrate(source_url: str, target_url: str, out):
    import asyncpg
    import trio_asyncio

    from storage import open_storage, sqlite_path
    from storage.aio_loop import run_ready_callbacks_together
    from storage.postgres import redact
    from storage.sqlite_to_postgres import MigrationError, copy_sqlite_to_postgres, open_source, refuse_non_empty

    path = sqlite_path(source_url, ".")
    if not path.is_file():
        raise MigrationError(f"{path}: no such SQLite file")

    async def connect():
        try:
            return await asyncpg.connect(target_url, timeout=10)
        except (OSError, asyncpg.PostgresError) as exc:
            raise MigrationError(f"cannot connect to PostgreSQL at {redact(target_url)}: {exc}") from exc

    async def check_empty() -> None:
        conn = await connect()
        try:
            await refuse_non_empty(conn)
        finally:
            await conn.close()

    def progress(table: str, rows: int) -> None:
        print(f"  {table:<28} {rows:>10} rows", file=out)

    async def copy():
        source = open_source(path)
        conn = await connect()
        try:
            return await copy_sqlite_to_postgres(source, conn, progress=progress)
        finally:
            await conn.close()
            source.close()

    async with trio_asyncio.open_loop() as loop:
        run_ready_callbacks_together(loop)  # storage/aio_loop.py
        # Refused before anything is written: not even the schema goes into a database in use.
        await trio_asyncio.aio_as_trio(check_empty)()
        # Both at this version's schema, as the server would leave them at start-up.
        for url in (source_url, target_url):
            storage = await open_storage(url, ".")
            await storage.close()
        print(f"copying {path.resolve()} to {redact(target_url)}", file=out)
        return await trio_asyncio.aio_as_trio(copy)()
