"""Set-up for the whole test process: a plain asyncio loop policy for the client
libraries, and a fresh PostgreSQL database per test session for whatever needs one."""

import asyncio

import asyncpg
import pytest

import trio_asyncio  # noqa: F401  (first, so that the policy below is the one it defers to)

from tests.scratch_postgres import ADMIN_URL_ENV, admin_url, create_database, drop_database

# Importing trio_asyncio (tools/migrate_db.py and tests that open its loop do) patches asyncio so that,
# outside trio, asyncio.new_event_loop() in this thread makes trio-asyncio's own
# synchronous loop. The client libraries the end-to-end tests drive (Telethon,
# Pyrogram, on asyncio.Runner) need a plain asyncio loop, whichever test imported the
# server first. trio-asyncio defers to a policy set explicitly; inside trio (the server
# under test, `async with trio_asyncio.open_loop()`) nothing changes.
asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())


def fresh_postgres_database():
    """Create `mtserver_test_<random>`; yields its URL (None when turned off), then drops it."""
    admin = admin_url()
    if admin.lower() == "off":
        yield None
        return
    try:
        url = create_database("mtserver_test", admin)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {admin} is needed for these tests ({exc}); "
                    f"set {ADMIN_URL_ENV} to its admin URL, or to 'off' to skip them", pytrace=False)
    yield url
    drop_database(url, admin)


@pytest.fixture
def layer_adapters():
    """The TL codec as the server runs it: older layers' request and result shapes
    installed (rpc/layer_adapters.py; server/app.py serve does the same at start)."""
    import rpc

    rpc.install_layer_adapters()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database for this test session (None when PostgreSQL tests are off)."""
    yield from fresh_postgres_database()
