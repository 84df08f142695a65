"""Email with unmodified Telethon clients (raw requests where Telethon has no helper),
against a server that requires a login email and mails codes to a local SMTP sink
(aiosmtpd, in this process): setting up a login email at sign-up, later logins by email
code, the limits on wrong codes, and a 2FA recovery email used to recover a password."""

from __future__ import annotations

import pytest

from tests.smtp_sink import smtp_sink

from .server_process import ServerProcess, mtserver
from .test_accounts import CODE, connect, new_phone
from .test_media import error_name


@pytest.fixture(scope="module")
def sink():
    with smtp_sink() as (sink, port):
        yield sink, port


@pytest.fixture(scope="module")
def server(sink, tmp_path_factory):
    _, port = sink
    proc = ServerProcess(tmp_path_factory.mktemp("email") / "data", env={
        "MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_LOGIN_EMAIL": "required",
        "MTSERVER_EMAIL_SENDER": f"smtp://127.0.0.1:{port}", "MTSERVER_EMAIL_FROM": "codes@mt.example"}).start()
    yield proc
    proc.stop()
    assert "email_code" not in proc.log(), "the smtp sender never logs a code"


@pytest.fixture(scope="module")
def pem(server):
    return server.public_key()[0]


async def rpc_error(call) -> str:
    from telethon import errors

    with pytest.raises(errors.RPCError) as caught:
        await call
    return error_name(caught.value)


async def send_code(client, phone):
    from telethon import functions, types

    return await client(functions.auth.SendCodeRequest(phone, 1, "0" * 32, types.CodeSettings()))


async def email_sign_up(server, pem, sink, phone, email, first_name="Ann"):
    """A new number's first login with a login email, as an app does it."""
    from telethon import functions, types

    client = await connect(server, pem)
    sent = await send_code(client, phone)
    assert isinstance(sent.type, types.auth.SentCodeTypeSetUpEmailRequired)
    purpose = types.EmailVerifyPurposeLoginSetup(phone, sent.phone_code_hash)
    seen = sink.count()
    asked = await client(functions.account.SendVerifyEmailCodeRequest(purpose, email))
    code = sink.code(email, after=seen)
    assert len(code) == asked.length == 6
    seen = sink.count()
    verified = await client(functions.account.VerifyEmailRequest(purpose, types.EmailVerificationCode(code)))
    login_code = sink.code(email, after=seen)
    signed = await client(functions.auth.SignInRequest(phone, sent.phone_code_hash,
                                                       email_verification=types.EmailVerificationCode(login_code)))
    assert isinstance(signed, types.auth.AuthorizationSignUpRequired)
    result = await client(functions.auth.SignUpRequest(phone, sent.phone_code_hash, first_name, ""))
    await client._on_login(result.user)
    return client, result.user, verified


def test_a_new_number_sets_up_a_login_email_and_later_logs_in_with_it(server, pem, sink, run):
    from telethon import functions, types

    sink, _ = sink

    async def scenario():
        phone = new_phone()
        stranger = await connect(server, pem)
        sent = await send_code(stranger, phone)
        assert isinstance(sent.type, types.auth.SentCodeTypeSetUpEmailRequired)
        # No code was sent anywhere: guessing the usual one gets nowhere.
        assert await rpc_error(stranger(functions.auth.SignInRequest(phone, sent.phone_code_hash, CODE))) \
            == "PHONE_CODE_INVALID"
        purpose = types.EmailVerifyPurposeLoginSetup(phone, sent.phone_code_hash)
        assert await rpc_error(stranger(functions.account.SendVerifyEmailCodeRequest(purpose, "not an address"))) \
            == "EMAIL_INVALID"
        assert await rpc_error(stranger(functions.account.SendVerifyEmailCodeRequest(
            types.EmailVerifyPurposeLoginSetup(phone, "0" * 16), "ann@example.org"))) == "PHONE_HASH_EXPIRED"
        assert await rpc_error(stranger(functions.account.SendVerifyEmailCodeRequest(
            types.EmailVerifyPurposePassport(), "ann@example.org"))) == "EMAIL_NOT_ALLOWED"
        seen = sink.count()
        asked = await stranger(functions.account.SendVerifyEmailCodeRequest(purpose, "Ann@Example.org"))
        assert asked.email_pattern == "A***@example.org"
        mail = sink.wait_for("Ann@example.org", after=seen)
        assert mail["From"] == "codes@mt.example"
        assert await rpc_error(stranger(functions.account.VerifyEmailRequest(
            purpose, types.EmailVerificationCode("000000")))) == "CODE_INVALID"
        await stranger.disconnect()

        client, user, verified = await email_sign_up(server, pem, sink, phone, "ann@example.org")
        assert verified.email == "ann@example.org"
        assert isinstance(verified.sent_code.type, types.auth.SentCodeTypeEmailCode)
        assert verified.sent_code.type.email_pattern == "a***@example.org"
        assert (await client.get_me()).id == user.id
        password = await client(functions.account.GetPasswordRequest())
        assert password.login_email_pattern == "a***@example.org"
        await client.log_out()

        # Later logins (no other device to send it to): the code goes to the login email.
        again = await connect(server, pem)
        seen = sink.count()
        sent = await send_code(again, phone)
        assert isinstance(sent.type, types.auth.SentCodeTypeEmailCode)
        assert sent.type.email_pattern == "a***@example.org" and sent.type.length == 6
        code = sink.code("ann@example.org", after=seen)
        by_email = types.EmailVerificationCode(code)
        assert await rpc_error(again(functions.auth.SignInRequest(
            phone, sent.phone_code_hash, email_verification=types.EmailVerificationCode("")))) == "CODE_EMPTY"
        result = await again(functions.auth.SignInRequest(phone, sent.phone_code_hash, email_verification=by_email))
        assert result.user.id == user.id
        await again.disconnect()

    run(scenario())


def test_five_wrong_email_codes_void_the_code(server, pem, sink, run):
    from telethon import functions, types

    sink, _ = sink

    async def scenario():
        phone = new_phone()
        client, user, _ = await email_sign_up(server, pem, sink, phone, "bo@example.org", "Bo")
        await client.log_out()
        again = await connect(server, pem)
        seen = sink.count()
        sent = await send_code(again, phone)
        code = sink.code("bo@example.org", after=seen)
        wrong = types.EmailVerificationCode("1" if code != "1" * 6 else "2")
        for _ in range(5):
            assert await rpc_error(again(functions.auth.SignInRequest(
                phone, sent.phone_code_hash, email_verification=wrong))) == "CODE_INVALID"
        assert await rpc_error(again(functions.auth.SignInRequest(
            phone, sent.phone_code_hash, email_verification=types.EmailVerificationCode(code)))) == \
            "PHONE_CODE_EXPIRED"
        await again.disconnect()

    run(scenario())


def test_an_existing_account_proves_its_phone_before_an_email_becomes_its_login_email(server, pem, sink, run):
    """An account made without a login email (here by the admin command): the address is
    verified, but the login code still goes the usual way, so knowing a phone number
    is not enough to attach one's own address to someone else's account."""
    from telethon import functions, types

    sink, _ = sink

    async def scenario():
        phone = new_phone()
        made = mtserver("admin", "--data-dir", str(server.data_dir), "users", "create", phone, "Cy")
        assert made.returncode == 0, made.stderr
        client = await connect(server, pem)
        sent = await send_code(client, phone)
        assert isinstance(sent.type, types.auth.SentCodeTypeSetUpEmailRequired)
        purpose = types.EmailVerifyPurposeLoginSetup(phone, sent.phone_code_hash)
        seen = sink.count()
        await client(functions.account.SendVerifyEmailCodeRequest(purpose, "cy@example.org"))
        verified = await client(functions.account.VerifyEmailRequest(
            purpose, types.EmailVerificationCode(sink.code("cy@example.org", after=seen))))
        assert isinstance(verified.sent_code.type, types.auth.SentCodeTypeSms)
        assert sink.count() == seen + 1, "no login code went to the unproven address"
        result = await client(functions.auth.SignInRequest(phone, sent.phone_code_hash, CODE))
        assert result.user.phone == phone.lstrip("+")
        # Proven now: it is the login email.
        password = await client(functions.account.GetPasswordRequest())
        assert password.login_email_pattern == "c***@example.org"
        await client.disconnect()

    run(scenario())


def test_a_recovery_email_is_confirmed_and_recovers_a_forgotten_password(server, pem, sink, run):
    from telethon import errors, functions, types

    sink, _ = sink

    async def scenario():
        phone = new_phone()
        client, user, _ = await email_sign_up(server, pem, sink, phone, "dee@example.org", "Dee")
        seen = sink.count()

        async def code_from_mail(length):
            # Until confirmed, the address is only "unconfirmed": no recovery yet.
            state = await client(functions.account.GetPasswordRequest())
            assert state.has_password and not state.has_recovery
            assert state.email_unconfirmed_pattern == "r***@example.org"
            assert await rpc_error(client(functions.account.ConfirmPasswordEmailRequest("000000"))) == "CODE_INVALID"
            return sink.code("rescue@example.org", after=seen)

        # Telethon's edit_2fa: PasswordSettings with an email, EMAIL_UNCONFIRMED_6, confirm.
        assert await client.edit_2fa(new_password="correct horse", email="rescue@example.org",
                                     email_code_callback=code_from_mail)
        state = await client(functions.account.GetPasswordRequest())
        assert state.has_recovery and state.email_unconfirmed_pattern is None
        assert await rpc_error(client(functions.account.ResendPasswordEmailRequest())) == "EMAIL_HASH_EXPIRED"
        # Another address, resent and then cancelled: the confirmed one stays.
        def leave_unconfirmed(length):
            raise LookupError(length)

        with pytest.raises(LookupError, match="6"):  # EMAIL_UNCONFIRMED_6 reached the callback
            await client.edit_2fa(current_password="correct horse", new_password="correct horse",
                                  email="other@example.org", email_code_callback=leave_unconfirmed)
        assert (await client(functions.account.GetPasswordRequest())).email_unconfirmed_pattern == "o***@example.org"
        assert await client(functions.account.ResendPasswordEmailRequest())
        assert await client(functions.account.CancelPasswordEmailRequest())
        state = await client(functions.account.GetPasswordRequest())
        assert state.has_recovery and state.email_unconfirmed_pattern is None

        # A new device: the code goes to the logged-in app; then the password is needed.
        device = await connect(server, pem)
        sent = await send_code(device, phone)
        assert isinstance(sent.type, types.auth.SentCodeTypeApp)
        with pytest.raises(errors.SessionPasswordNeededError):
            await device(functions.auth.SignInRequest(phone, sent.phone_code_hash, CODE))
        seen = sink.count()
        recovery = await device(functions.auth.RequestPasswordRecoveryRequest())
        assert recovery.email_pattern == "r***@example.org"
        code = sink.code("rescue@example.org", after=seen)
        assert await rpc_error(device(functions.auth.CheckRecoveryPasswordRequest("000000"))) == "CODE_INVALID"
        assert await device(functions.auth.CheckRecoveryPasswordRequest(code))
        result = await device(functions.auth.RecoverPasswordRequest(code))
        assert result.user.id == user.id and (await device.get_me()).id == user.id
        assert not (await device(functions.account.GetPasswordRequest())).has_password
        assert await rpc_error(device(functions.auth.CheckRecoveryPasswordRequest(code))) == \
            "PASSWORD_RECOVERY_EXPIRED"
        # Without a recovery email there is nothing to recover with.
        assert await client.edit_2fa(new_password="battery staple")
        assert await rpc_error(client(functions.auth.RequestPasswordRecoveryRequest())) == "PASSWORD_RECOVERY_NA"
        for c in (client, device):
            await c.disconnect()

    run(scenario())
