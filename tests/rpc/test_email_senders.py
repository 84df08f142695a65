"""Email senders: parsing the setting, address rules, and a real SMTP delivery to a
local sink (the send runs in a worker thread; the trio loop keeps running)."""

from __future__ import annotations

import pytest
import trio

from rpc.services.email_senders import (FixedEmailSender, LogEmailSender, SmtpEmailSender, EmailSenderError,
                                        email_pattern, normalize_email, parse_email_sender, valid_email)
from tests.smtp_sink import code_in, free_port, smtp_sink


def test_the_setting_names_a_sender():
    assert isinstance(parse_email_sender("log", "a@b.c"), LogEmailSender)
    assert parse_email_sender("fixed:123456", "a@b.c").make_code() == "123456"
    smtp = parse_email_sender("smtp://me%40x.org:p%3Ass@mail.example:587", "from@x.org")
    assert (smtp.host, smtp.port, smtp.username, smtp.password, smtp.tls, smtp.sender) == \
        ("mail.example", 587, "me@x.org", "p:ss", False, "from@x.org")
    assert parse_email_sender("smtps://mail.example", "f@x.org").port == 465
    for bad in ("fixed:12", "smtp://", "smtp://u:secret@h:99999", "carrier-pigeon", "smtp:h"):
        with pytest.raises(ValueError) as caught:
            parse_email_sender(bad, "f@x.org")
        assert "secret" not in str(caught.value)
    assert isinstance(parse_email_sender(None, "f@x.org"), LogEmailSender)
    assert isinstance(FixedEmailSender("1234").make_code(), str)


def test_addresses_are_checked_masked_and_normalized():
    assert valid_email("ann.lee+tg@Example.ORG") and valid_email("a@b.co")
    for bad in ("", "ann", "@example.org", "ann@", "ann@example", "a b@example.org", "ann@@example.org",
                "x" * 65 + "@example.org", "a@" + "b" * 250 + ".org", "ann@exa_mple.org"):
        assert not valid_email(bad), bad
    assert email_pattern("ann@example.com") == "a***@example.com"
    assert normalize_email(" Ann@Example.ORG ") == "Ann@example.org"


async def test_smtp_delivers_the_code_without_blocking_the_loop():
    with smtp_sink() as (sink, port):
        sender = SmtpEmailSender(host="127.0.0.1", port=port, sender="mtserver@test.example")
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await trio.sleep(0.001)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ticker)
            await sender.send("ann@example.org", "424242", "recovery")
            nursery.cancel_scope.cancel()
        message = await trio.to_thread.run_sync(sink.wait_for, "ann@example.org")
        assert code_in(message) == "424242" and message["From"] == "mtserver@test.example"
        assert message["Subject"] == "Your password recovery code"
        assert ticks > 1


async def test_an_unreachable_mail_server_is_an_error():
    sender = SmtpEmailSender(host="127.0.0.1", port=free_port(), sender="m@x.org", timeout=2)
    with pytest.raises(EmailSenderError) as caught:
        await sender.send("ann@example.org", "424242", "login")
    assert "424242" not in str(caught.value)
