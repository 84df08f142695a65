"""Logging in, attacked: guesses that race, codes pumped through the SMS gateway, and
strangers locking an owner out with wrong passwords. Each test performs the attack
against a real server with Telethon (issue: hardening, items 5, 8 and 10)."""

from __future__ import annotations

import asyncio

import pytest

from .server_process import ServerProcess
from .test_accounts import CODE, connect, new_phone, sign_up


@pytest.fixture
def start(tmp_path):
    started = []

    def start(**env) -> ServerProcess:
        proc = ServerProcess(tmp_path / f"data{len(started)}", env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}", **env})
        started.append(proc.start())
        return proc

    yield start
    for proc in started:
        proc.stop()


def test_racing_code_guesses_get_five_tries_in_all(start, run):
    from telethon import errors

    server = start()
    pem = server.public_key()[0]

    async def scenario():
        client = await connect(server, pem)
        phone = new_phone()
        sent = await client.send_code_request(phone)
        outcomes = await asyncio.gather(*(client.sign_in(phone, f"{guess:05d}", phone_code_hash=sent.phone_code_hash)
                                          for guess in range(30)), return_exceptions=True)
        invalid = [o for o in outcomes if isinstance(o, errors.PhoneCodeInvalidError)]
        assert len(invalid) == 5, outcomes  # checked; the rest: expired or flood wait
        assert all(isinstance(o, (errors.PhoneCodeInvalidError, errors.PhoneCodeExpiredError, errors.FloodWaitError))
                   for o in outcomes)
        with pytest.raises((errors.PhoneCodeExpiredError, errors.FloodWaitError)):  # even the right code
            await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
        await client.disconnect()

    run(scenario())


def test_sending_codes_is_limited_per_address_and_in_all(start, run):
    from telethon import errors

    per_address = start(MTSERVER_LIMITS_EXEMPT="", MTSERVER_SEND_CODE_PER_ADDRESS_PER_HOUR="3")
    in_all = start(MTSERVER_SEND_CODE_PER_HOUR="2")  # loopback is exempt from the per-address one

    async def pump(server, times):
        pem = server.public_key()[0]
        for _ in range(times):  # a fresh key and a fresh number each time
            client = await connect(server, pem)
            try:
                await client.send_code_request(new_phone())
            finally:
                await client.disconnect()

    run(pump(per_address, 3))
    with pytest.raises(errors.FloodWaitError):
        run(pump(per_address, 1))
    run(pump(in_all, 2))
    with pytest.raises(errors.FloodWaitError):
        run(pump(in_all, 1))


def test_strangers_guessing_the_password_do_not_lock_out_the_owners_device(start, run):
    from telethon import errors

    server = start()
    pem = server.public_key()[0]
    phone = new_phone()

    async def scenario():
        owner, _ = await sign_up(server, pem, phone)
        assert await owner.edit_2fa(new_password="correct horse")
        refused = 0
        for _ in range(4):  # four strangers' devices (one code each: 5 per number per hour), six guesses each
            stranger = await connect(server, pem)
            await stranger.send_code_request(phone)
            with pytest.raises(errors.SessionPasswordNeededError):
                await stranger.sign_in(phone, CODE)
            for _ in range(6):
                try:
                    await stranger.sign_in(password="battery staple")
                except errors.PasswordHashInvalidError:
                    pass
                except errors.FloodWaitError:
                    refused += 1
            await stranger.disconnect()
        assert refused > 0  # strangers are held back...
        # ...but the owner's logged-in device still changes the password,
        assert await owner.edit_2fa(current_password="correct horse", new_password="new horse")
        # and its own wrong guesses hold back only itself.
        for _ in range(5):
            with pytest.raises(errors.PasswordHashInvalidError):
                await owner.edit_2fa(current_password="wrong", new_password="x")
        with pytest.raises(errors.FloodWaitError):
            await owner.edit_2fa(current_password="new horse", new_password="x")
        await owner.disconnect()

    run(scenario())
