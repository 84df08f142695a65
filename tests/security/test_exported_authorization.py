"""auth.exportAuthorization tokens carry a login to a new auth key, so they are as strong
as a login code: single-use, short-lived, dead once the device that exported them is
logged out, and what they log in is that device (logged out with it, never a device of
its own that could outlive it or hide). Unmodified Telethon clients against a real
server process, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import time

import pytest

from mtproto.crypto import auth_key_id
from storage.sqlite import FILENAME
from tests.e2e.clients import telethon_client
from tests.e2e.test_accounts import new_phone, sign_in, sign_up

@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


@pytest.fixture(scope="module")
def pem(server):
    return server.public_key()[0]


async def new_key(server, pem):
    """A client with a fresh auth key, logged in as nobody."""
    client = telethon_client(pem, server.port, host=server.host)
    await client.connect()
    return client


async def imported(server, pem, exported):
    """A new key logged in with the token (the way clients do it on another DC)."""
    from telethon import functions

    client = await new_key(server, pem)
    result = await client(functions.auth.ImportAuthorizationRequest(exported.id, exported.bytes))
    assert result.user.id == exported.id
    return client


async def export(client, dc_id: int = 1):
    from telethon import functions

    return await client(functions.auth.ExportAuthorizationRequest(dc_id=dc_id))


async def assert_logged_out(client):
    from telethon import errors, functions

    with pytest.raises(errors.AuthKeyUnregisteredError):
        await client(functions.users.GetUsersRequest(id=["me"]))


async def assert_logged_in_as(client, user_id: int):
    assert (await client.get_me()).id == user_id


async def assert_import_refused(server, pem, exported, error=None):
    from telethon import errors, functions

    client = await new_key(server, pem)
    with pytest.raises(error or errors.AuthBytesInvalidError):
        await client(functions.auth.ImportAuthorizationRequest(exported.id, exported.bytes))
    await assert_logged_out(client)
    await client.disconnect()


async def hash_of(viewer, device) -> int:
    """`device`'s hash in `viewer`'s account.getAuthorizations."""
    from telethon import functions

    key = auth_key_id(device.session.auth_key.key)
    listed = (await viewer(functions.account.GetAuthorizationsRequest())).authorizations
    others = [a for a in listed if not a.current]
    assert len(others) == 1, listed  # only one other device in these tests
    assert key != auth_key_id(viewer.session.auth_key.key)
    return others[0].hash


async def listed_count(client) -> int:
    from telethon import functions

    return len((await client(functions.account.GetAuthorizationsRequest())).authorizations)


async def disconnect(*clients):
    for client in clients:
        await client.disconnect()


# -- single use, bound to its exporter -----------------------------------------------------


def test_a_token_logs_in_one_key_once(server, pem, run):
    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        token = await export(device, dc_id=2)
        assert token.id == user.id and len(token.bytes) == 32
        other_dc = await imported(server, pem, token)
        await assert_logged_in_as(other_dc, user.id)
        await assert_import_refused(server, pem, token)
        assert await listed_count(device) == 1  # the imported key is not a device of its own
        await disconnect(device, other_dc)

    run(scenario())


def test_thirty_keys_racing_with_one_token_log_in_one(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        token = await export(device)
        keys = await asyncio.gather(*(new_key(server, pem) for _ in range(30)))
        results = await asyncio.gather(
            *(key(functions.auth.ImportAuthorizationRequest(token.id, token.bytes)) for key in keys),
            return_exceptions=True)
        winners = [k for k, r in zip(keys, results) if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, errors.AuthBytesInvalidError)]
        assert len(winners) == 1 and len(refused) == 29, results
        await assert_logged_in_as(winners[0], user.id)
        for key in keys:
            if key is not winners[0]:
                await assert_logged_out(key)
        await disconnect(device, *keys)

    run(scenario())


@pytest.mark.parametrize("how", ["reset_authorizations", "reset_authorization", "log_out"])
def test_a_token_dies_with_the_device_that_exported_it(server, pem, run, how):
    """Revoked from another device (all others, or that one), or logged out itself: the
    token it exported before cannot bring it back as a new key."""
    from telethon import functions

    async def scenario():
        phone = new_phone()
        stolen, user = await sign_up(server, pem, phone)
        owner = await sign_in(server, pem, phone)
        token = await export(stolen)
        if how == "reset_authorizations":
            assert await owner(functions.auth.ResetAuthorizationsRequest())
        elif how == "reset_authorization":
            assert await owner(functions.account.ResetAuthorizationRequest(hash=await hash_of(owner, stolen)))
        else:
            await stolen(functions.auth.LogOutRequest())
        await assert_logged_out(stolen)
        await assert_import_refused(server, pem, token)
        await assert_logged_in_as(owner, user.id)
        await disconnect(stolen, owner)

    run(scenario())


def test_terminating_all_other_sessions_also_kills_the_callers_own_tokens(server, pem, run):
    """A token exported just before (perhaps by malware on this very device) must not
    come back as a new session after the user pressed "terminate all other sessions"."""
    from telethon import functions

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        token = await export(device)
        assert await device(functions.auth.ResetAuthorizationsRequest())
        await assert_logged_in_as(device, user.id)
        await assert_import_refused(server, pem, token)
        await disconnect(device)

    run(scenario())


# -- the imported key is the exporting device on another DC ---------------------------------


@pytest.mark.parametrize("how", ["reset_authorization", "reset_authorizations", "log_out"])
def test_an_imported_key_is_logged_out_with_its_device(server, pem, run, how):
    from telethon import functions

    async def scenario():
        phone = new_phone()
        device, user = await sign_up(server, pem, phone)
        owner = await sign_in(server, pem, phone)
        child = await imported(server, pem, await export(device))
        await assert_logged_in_as(child, user.id)
        assert await listed_count(owner) == 2  # owner and device; the child is the device
        if how == "reset_authorization":
            assert await owner(functions.account.ResetAuthorizationRequest(hash=await hash_of(owner, device)))
        elif how == "reset_authorizations":
            assert await owner(functions.auth.ResetAuthorizationsRequest())
        else:
            await device(functions.auth.LogOutRequest())
        await assert_logged_out(device)
        await assert_logged_out(child)
        await assert_logged_in_as(owner, user.id)
        await disconnect(device, owner, child)

    run(scenario())


def test_the_callers_own_imported_keys_survive_terminating_other_sessions(server, pem, run):
    from telethon import functions

    async def scenario():
        phone = new_phone()
        device, user = await sign_up(server, pem, phone)
        other = await sign_in(server, pem, phone)
        own_child = await imported(server, pem, await export(device))
        others_child = await imported(server, pem, await export(other))
        assert await device(functions.auth.ResetAuthorizationsRequest())
        await assert_logged_in_as(own_child, user.id)
        await assert_logged_out(other)
        await assert_logged_out(others_child)
        # Asked from the imported key, "all other sessions" still means the device's others.
        third = await sign_in(server, pem, phone)
        assert await own_child(functions.auth.ResetAuthorizationsRequest())
        await assert_logged_out(third)
        await assert_logged_in_as(device, user.id)
        await assert_logged_in_as(own_child, user.id)
        await disconnect(device, other, own_child, others_child, third)

    run(scenario())


def test_a_login_carried_on_from_an_imported_key_still_belongs_to_the_device(server, pem, run):
    from telethon import functions

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        child = await imported(server, pem, await export(device, dc_id=2))
        grandchild = await imported(server, pem, await export(child, dc_id=4))
        await assert_logged_in_as(grandchild, user.id)
        assert await listed_count(device) == 1
        await device(functions.auth.LogOutRequest())
        for client in (device, child, grandchild):
            await assert_logged_out(client)
        await disconnect(device, child, grandchild)

    run(scenario())


def test_an_imported_login_sends_no_new_login_alert_but_a_new_device_does(server, pem, run):
    async def scenario():
        phone = new_phone()
        device, user = await sign_up(server, pem, phone)

        async def alerts():
            dialogs = await device.get_dialogs()
            service = [d for d in dialogs if d.id == 777000]
            if not service:
                return 0
            messages = await device.get_messages(service[0].entity, limit=20)
            return sum("New login" in (m.message or "") for m in messages)

        child = await imported(server, pem, await export(device))
        assert await alerts() == 0
        other = await sign_in(server, pem, phone)
        assert await alerts() == 1
        await disconnect(device, child, other)

    run(scenario())


def test_a_key_cannot_hide_from_the_device_list_by_importing_its_own_token(server, pem, run):
    """A device that imports a token it exported stays a device: listed (as the current
    one) and revocable, not a hidden child of itself."""
    from telethon import functions

    async def scenario():
        phone = new_phone()
        device, user = await sign_up(server, pem, phone)
        await device(functions.auth.ImportAuthorizationRequest(user.id, (await export(device)).bytes))
        await assert_logged_in_as(device, user.id)
        listed = (await device(functions.account.GetAuthorizationsRequest())).authorizations
        assert [a.current for a in listed] == [True]
        owner = await sign_in(server, pem, phone)
        assert await owner(functions.account.ResetAuthorizationRequest(hash=await hash_of(owner, device)))
        await assert_logged_out(device)
        await disconnect(device, owner)

    run(scenario())


def test_a_device_that_logs_in_again_takes_its_imported_keys_out_with_the_old_login(server, pem, run):
    """A device with a key on another DC imports a token of another device of the account
    (or signs in again): the key it carried before belonged to the login it replaced and
    goes with it, rather than lingering unlisted after that other device is revoked."""
    from telethon import functions

    async def scenario():
        phone = new_phone()
        device, user = await sign_up(server, pem, phone)
        owner = await sign_in(server, pem, phone)
        child = await imported(server, pem, await export(device))
        await device(functions.auth.ImportAuthorizationRequest(user.id, (await export(owner)).bytes))
        await assert_logged_out(child)
        await assert_logged_in_as(device, user.id)
        assert await listed_count(owner) == 1  # the device is now the owner on another DC
        await owner(functions.auth.LogOutRequest())
        for client in (owner, device, child):
            await assert_logged_out(client)
        await disconnect(device, owner, child)

    run(scenario())


# -- tokens that were never good ------------------------------------------------------------


def test_garbage_wrong_length_and_wrong_user_tokens_are_refused(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        key = await new_key(server, pem)
        for garbage in (b"", b"\x00", os.urandom(31), os.urandom(32), os.urandom(33), os.urandom(4096)):
            with pytest.raises(errors.AuthBytesInvalidError):
                await key(functions.auth.ImportAuthorizationRequest(user.id, garbage))
        token = await export(device)
        one_bit_off = token.bytes[:-1] + bytes([token.bytes[-1] ^ 1])
        with pytest.raises(errors.AuthBytesInvalidError):
            await key(functions.auth.ImportAuthorizationRequest(user.id, one_bit_off))
        with pytest.raises(errors.AuthBytesInvalidError):  # a prefix of a good token
            await key(functions.auth.ImportAuthorizationRequest(user.id, token.bytes[:16]))
        with pytest.raises(errors.UserIdInvalidError):
            await key(functions.auth.ImportAuthorizationRequest(user.id + 1, token.bytes))
        await assert_logged_out(key)
        # Shown once, even with the wrong id: spent.
        with pytest.raises(errors.AuthBytesInvalidError):
            await key(functions.auth.ImportAuthorizationRequest(user.id, token.bytes))
        await assert_logged_out(key)
        await disconnect(device, key)

    run(scenario())


def test_export_names_a_listed_dc_and_needs_a_login(server, pem, run):
    from telethon import errors

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        for dc_id in (0, 6, 99, -1, 10002):
            with pytest.raises(errors.DcIdInvalidError):
                await export(device, dc_id)
        for dc_id in range(1, 6):
            assert (await export(device, dc_id)).id == user.id
        stranger = await new_key(server, pem)
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await export(stranger, 1)
        await disconnect(device, stranger)

    run(scenario())


async def store_token(server, token: bytes, *, user_id: int, auth_key_id: int, expires_at: int) -> None:
    """Writes a token row straight into the server's database, as the server stores them
    (storage/exported_authorizations.py: SHA-256 of the token)."""
    digest = hashlib.sha256(token).digest()
    url = server.env.get("MTSERVER_DATABASE")
    if url:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute("INSERT INTO exported_authorizations (token_hash, user_id, auth_key_id, expires_at)"
                               " VALUES ($1, $2, $3, $4)", digest, user_id, auth_key_id, expires_at)
        finally:
            await conn.close()
    else:
        with sqlite3.connect(server.data_dir / FILENAME, timeout=10) as conn:
            conn.execute("INSERT INTO exported_authorizations (token_hash, user_id, auth_key_id, expires_at)"
                         " VALUES (?, ?, ?, ?)", (digest, user_id, auth_key_id, expires_at))


def test_an_expired_token_is_refused(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        device, user = await sign_up(server, pem, new_phone())
        key_id = auth_key_id(device.session.auth_key.key)
        expired, fresh = os.urandom(32), os.urandom(32)
        now = int(time.time())
        await store_token(server, expired, user_id=user.id, auth_key_id=key_id, expires_at=now - 1)
        await store_token(server, fresh, user_id=user.id, auth_key_id=key_id, expires_at=now + 60)
        key = await new_key(server, pem)
        with pytest.raises(errors.AuthBytesInvalidError):
            await key(functions.auth.ImportAuthorizationRequest(user.id, expired))
        await assert_logged_out(key)
        # The same row, not yet expired, is good: the refusal above was the expiry.
        await key(functions.auth.ImportAuthorizationRequest(user.id, fresh))
        await assert_logged_in_as(key, user.id)
        await disconnect(device, key)

    run(scenario())

