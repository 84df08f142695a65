"""Scratch PostgreSQL databases for tests and benchmarks: `mtserver_<purpose>_<random>`,
created on the server the admin URL names (`$MTTEST_POSTGRES`, default the local
postgres superuser) and dropped afterwards, connections and all."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ADMIN_URL_ENV = "MTTEST_POSTGRES"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)


async def _execute(admin: str, sql: str) -> None:
    connection = await asyncpg.connect(admin, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_database(prefix: str = "mtserver_test", admin: str | None = None) -> str:
    """A new empty database; its URL (same server and credentials as the admin URL)."""
    admin = admin or admin_url()
    name = f"{prefix}_{secrets.token_hex(6)}"
    asyncio.run(_execute(admin, f"CREATE DATABASE {name}"))
    return urlunsplit(urlsplit(admin)._replace(path="/" + name))


def drop_database(url: str, admin: str | None = None) -> None:
    name = urlsplit(url).path.lstrip("/")
    asyncio.run(_execute(admin or admin_url(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def scratch_database(prefix: str = "mtserver_test") -> Iterator[str]:
    url = create_database(prefix)
    try:
        yield url
    finally:
        drop_database(url)
