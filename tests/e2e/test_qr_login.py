"""Logging in by QR code with unmodified Telethon clients, on both storage backends: one
client shows a token (client.qr_login()), a logged-in client accepts it, and the first
is told live (updateLoginToken) and logged in; 2FA, and the errors of bad tokens."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from .clients import telethon_client
from .test_accounts import new_phone, sign_up
from .test_media import error_name


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


@pytest.fixture(scope="module")
def pem(server):
    return server.public_key()[0]


async def waiting_client(server, pem):
    """A fresh client on the QR page: it must receive updates (updateLoginToken)."""
    client = telethon_client(pem, server.port, receive_updates=True, host=server.host)
    await client.connect()
    return client


async def scan(qr, accepting):
    """qr.wait() running while the other device accepts, as an app scanning the code."""
    from telethon import functions

    waiting = asyncio.ensure_future(qr.wait(15))
    await asyncio.sleep(0.1)  # wait() has registered its update handler
    accepted = await accepting(functions.auth.AcceptLoginTokenRequest(qr.token))
    return accepted, waiting


def test_a_qr_code_accepted_elsewhere_logs_the_app_in(server, pem, run):
    from telethon import errors, functions, types

    async def scenario():
        phone = new_phone()
        phone_app, me = await sign_up(server, pem, phone, "Quinn")
        desktop = await waiting_client(server, pem)
        qr = await desktop.qr_login()
        assert qr.url.startswith("tg://login?token=") and len(qr.token) >= 16
        assert 25 <= (qr.expires - datetime.now(timezone.utc)).total_seconds() <= 31
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await desktop(functions.users.GetUsersRequest([types.InputUserSelf()]))
        accepted, waiting = await scan(qr, phone_app)
        assert isinstance(accepted, types.Authorization) and not accepted.current and accepted.hash
        assert accepted.api_id == 1 and accepted.ip == "127.0.0.1"
        user = await waiting
        assert user.id == me.id and (await desktop.get_me()).id == me.id
        # The phone sees the new device, as account.getAuthorizations shows it, and the
        # service account's new-login message.
        auths = (await phone_app(functions.account.GetAuthorizationsRequest())).authorizations
        assert [a.hash for a in auths if not a.current] == [accepted.hash]
        [dialog] = [d for d in await phone_app.get_dialogs() if d.id == 777000]
        assert dialog.message.message.startswith("New login.")
        # The token is spent: accepted once only; confirming it on its own key still works.
        with pytest.raises(errors.RPCError) as caught:
            await phone_app(functions.auth.AcceptLoginTokenRequest(qr.token))
        assert error_name(caught.value) == "AUTH_TOKEN_ALREADY_ACCEPTED"
        done = await desktop(functions.auth.ImportLoginTokenRequest(qr.token))
        assert isinstance(done, types.auth.LoginTokenSuccess) and done.authorization.user.id == me.id
        # Exporting again once logged in answers the success, as after updateLoginToken.
        again = await desktop(functions.auth.ExportLoginTokenRequest(1, "0" * 32, []))
        assert isinstance(again, types.auth.LoginTokenSuccess)
        # A stranger's key cannot use the token.
        stranger = await waiting_client(server, pem)
        with pytest.raises(errors.RPCError) as caught:
            await stranger(functions.auth.ImportLoginTokenRequest(qr.token))
        assert error_name(caught.value) == "AUTH_TOKEN_INVALID"
        for c in (phone_app, desktop, stranger):
            await c.disconnect()

    run(scenario())


def test_a_qr_login_still_asks_for_the_two_step_password(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        from telethon import types

        phone_app, me = await sign_up(server, pem, new_phone(), "Pat")
        assert await phone_app.edit_2fa(new_password="correct horse")
        desktop = await waiting_client(server, pem)
        qr = await desktop.qr_login()
        accepted, waiting = await scan(qr, phone_app)
        assert accepted.password_pending
        with pytest.raises(errors.SessionPasswordNeededError):
            await waiting
        with pytest.raises(errors.SessionPasswordNeededError):
            await desktop(functions.auth.ExportLoginTokenRequest(1, "0" * 32, []))
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await desktop(functions.users.GetUsersRequest([types.InputUserSelf()]))
        await desktop.sign_in(password="correct horse")
        assert (await desktop.get_me()).id == me.id
        for c in (phone_app, desktop):
            await c.disconnect()

    run(scenario())


def test_bad_login_tokens_get_telegrams_errors(server, pem, run):
    from telethon import errors, functions, types

    async def scenario():
        phone_app, me = await sign_up(server, pem, new_phone(), "Robin")
        desktop = await waiting_client(server, pem)

        async def accept(token: bytes) -> str:
            with pytest.raises(errors.RPCError) as caught:
                await phone_app(functions.auth.AcceptLoginTokenRequest(token))
            return error_name(caught.value)

        assert await accept(b"") == "AUTH_TOKEN_INVALID"
        assert await accept(b"garbage") == "AUTH_TOKEN_INVALID"
        assert await accept(bytes(32)) == "AUTH_TOKEN_INVALID"
        # An app already logged in as this user (except_ids) is not logged in twice.
        shown = await desktop(functions.auth.ExportLoginTokenRequest(1, "0" * 32, [me.id]))
        assert isinstance(shown, types.auth.LoginToken)
        assert await accept(shown.token) == "AUTH_TOKEN_EXCEPTION"
        # Not yet accepted: importing it confirms nothing.
        with pytest.raises(errors.RPCError) as caught:
            await desktop(functions.auth.ImportLoginTokenRequest(shown.token))
        assert error_name(caught.value) == "AUTH_TOKEN_INVALID"
        # Before login nothing but auth.* is answered, and accepting needs a login.
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await desktop(functions.auth.AcceptLoginTokenRequest(shown.token))
        # A token lives 30 seconds.
        await asyncio.sleep(31)
        assert await accept(shown.token) == "AUTH_TOKEN_EXPIRED"
        with pytest.raises(errors.RPCError) as caught:
            await desktop(functions.auth.ImportLoginTokenRequest(shown.token))
        assert error_name(caught.value) == "AUTH_TOKEN_EXPIRED"
        # Exporting is rate limited per key.
        with pytest.raises(errors.FloodWaitError):
            for _ in range(30):
                await desktop(functions.auth.ExportLoginTokenRequest(1, "0" * 32, []))
        for c in (phone_app, desktop):
            await c.disconnect()

    run(scenario())


def test_a_token_shown_on_one_process_is_accepted_on_another(two_servers, run):
    """Two processes on PostgreSQL + Redis: the token is stored where both see it, and
    updateLoginToken crosses the bus to the waiting key."""
    first, second = two_servers
    pem = first.public_key()[0]

    async def scenario():
        phone_app, me = await sign_up(second, pem, new_phone(), "Sam")
        desktop = await waiting_client(first, pem)
        qr = await desktop.qr_login()
        accepted, waiting = await scan(qr, phone_app)
        assert (await waiting).id == me.id
        for c in (phone_app, desktop):
            await c.disconnect()

    run(scenario())
