"""A device logged out from elsewhere stops getting live updates on the connection it
still holds, not only at its next request (the revoked-device class, hardening item 4)."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.test_accounts import CODE, new_phone, sign_up
from tests.e2e.clients import telethon_client


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


def test_a_revoked_device_stops_receiving_pushes(server, run):
    from telethon import events, functions, types

    pem = server.public_key()[0]

    async def scenario():
        phone = new_phone()
        stolen, alice = await sign_up(server, pem, phone, "Alice", receive_updates=True)
        owner = telethon_client(pem, server.port, receive_updates=True, host=server.host)
        await owner.connect()
        await owner.send_code_request(phone)
        await owner.sign_in(phone, CODE)
        bob, bob_user = await sign_up(server, pem, new_phone(), "Bob")
        await stolen.get_dialogs()
        seen = asyncio.Queue()

        async def on_message(event):
            seen.put_nowait(event.raw_text)

        stolen.add_event_handler(on_message, events.NewMessage(incoming=True))
        to_alice = types.InputPeerUser(alice.id, alice.access_hash)
        await bob.send_message(to_alice, "before")
        assert await asyncio.wait_for(seen.get(), 20) == "before"
        # The owner ends every other session, the stolen one included; it does not ask
        # for anything afterwards, it only listens.
        assert await owner(functions.auth.ResetAuthorizationsRequest())
        await asyncio.sleep(6)  # past the connection's re-check interval
        await bob.send_message(to_alice, "after")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(seen.get(), 5)
        for client in (stolen, owner, bob):
            await client.disconnect()

    run(scenario())
