"""Two server processes on one PostgreSQL + Redis: a user on one process sees what a
user on the other does, live (presence for now; messages come with messaging)."""

import asyncio

import pytest

from ..conftest import fresh_postgres_database
from .server_process import ServerProcess
from .test_accounts import CODE, status_reaches_contact


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    databases = fresh_postgres_database()
    url = next(databases)
    if url is None:
        pytest.skip("PostgreSQL tests are turned off")
    data_dir = tmp_path_factory.mktemp("scale") / "data"  # shared: same RSA key and salt secret
    env = {"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_DATABASE": url,
           "MTSERVER_REDIS": "redis://127.0.0.1:6379/0"}
    first = ServerProcess(data_dir, env=env)
    first.log_path = data_dir.parent / "first.log"
    first.start()
    second = ServerProcess(data_dir, env=env)
    second.log_path = data_dir.parent / "second.log"
    second.start()
    yield first, second
    second.stop()
    first.stop()
    next(databases, None)


def test_presence_crosses_processes(two_servers):
    first, second = two_servers
    pem = first.public_key()[0]
    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(status_reaches_contact(first, second, pem), 60))
    assert '"handshake_done"' in first.log() and '"handshake_done"' in second.log()


def test_a_message_sent_on_one_process_arrives_live_on_the_other(two_servers):
    from telethon import events, functions, types

    from .test_accounts import new_phone, sign_up

    first, second = two_servers
    pem = first.public_key()[0]

    async def scenario():
        alice, _ = await sign_up(first, pem, new_phone(), "Alice")
        bob, bob_user = await sign_up(second, pem, new_phone(), "Bob", receive_updates=True)
        got = asyncio.Queue()
        bob.add_event_handler(lambda e: got.put_nowait(e.message.message), events.NewMessage(incoming=True))
        await bob(functions.updates.GetStateRequest())
        await asyncio.sleep(0.2)  # Bob's process subscribes to his channel
        await alice(functions.messages.SendMessageRequest(
            peer=types.InputPeerUser(bob_user.id, bob_user.access_hash), message="across", random_id=7))
        assert await asyncio.wait_for(got.get(), 5) == "across"
        for c in (alice, bob):
            await c.disconnect()

    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(scenario(), 60))
