"""Fixtures that run the storage suite against both backends.

``backend`` is parametrised: "sqlite" (a file in tmp_path) and "postgres" (a database
created for this test session, ``mtserver_test_<random>``, dropped at the end; tables
are emptied before each test). The PostgreSQL server is ``$MTTEST_POSTGRES``
(an admin URL, default postgresql://postgres@127.0.0.1:5432/postgres); set it to "off"
to skip the PostgreSQL half explicitly. An unreachable server is an error, not a skip.
"""

from __future__ import annotations


import pytest
import trio
import trio_asyncio

from storage import SqlStorage, open_storage
from tests.conftest import ADMIN_URL_ENV



class Backend:
    """One backend's storage location; every storage opened here is closed after the test."""

    def __init__(self, name: str, url: str | None, data_dir: str):
        self.name = name
        self.url = url
        self.data_dir = data_dir
        self.opened: list[SqlStorage] = []

    async def open(self) -> SqlStorage:
        storage = await open_storage(self.url, self.data_dir)
        self.opened.append(storage)
        return storage

    async def close_all(self) -> None:
        with trio.CancelScope(shield=True):
            for storage in self.opened:
                await storage.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request, tmp_path, postgres_url):
    if request.param == "postgres" and postgres_url is None:
        pytest.skip(f"PostgreSQL turned off ({ADMIN_URL_ENV}=off)")
    url = postgres_url if request.param == "postgres" else None
    async with trio_asyncio.open_loop():
        backend = Backend(request.param, url, str(tmp_path / "data"))
        try:
            if request.param == "postgres":
                await _empty_tables(await backend.open())
            yield backend
        finally:
            await backend.close_all()


@pytest.fixture
async def storage(backend) -> SqlStorage:
    return backend.opened[0] if backend.opened else await backend.open()


async def _empty_tables(storage: SqlStorage) -> None:
    rows = await storage.db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                                  " AND tablename <> 'schema_version' ORDER BY tablename")
    await storage.db.execute(f"TRUNCATE {', '.join(row[0] for row in rows)} RESTART IDENTITY")
