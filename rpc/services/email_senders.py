"""Where email codes go (login email, 2FA recovery email): `--email-sender SPEC` (env
MTSERVER_EMAIL_SENDER), as rpc/services/code_senders.py does for phone codes.

- `log` (default): the code is written to the server log, for development and tests;
  the only sender that ever puts a code in the log.
- `fixed:CODE`: every code is CODE and nothing is sent (test networks).
- `smtp://user:password@host:port` (STARTTLS when the server offers it; user and
  password optional) or `smtps://...` (TLS from the start): a real mail, From the
  email_from setting. smtplib runs in a worker thread, bounded by a timeout, so the trio
  loop never waits on the mail server; a failure is an error to the caller, never a
  silent loss. Log lines name the address only as its masked pattern.

Also the address rules every email handler shares: `valid_email`, `email_pattern`.
"""

from __future__ import annotations

import re
import secrets
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import structlog
import trio

log = structlog.get_logger("mtserver.email")

EMAIL_CODE_LENGTH = 6
EMAIL_MAX = 254  # RFC 5321's limit on a forward path
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")

SUBJECTS = {
    "login_setup": "Your login email code",
    "login": "Your login code",
    "password_email": "Confirm your recovery email",
    "recovery": "Your password recovery code",
}


class EmailSender(Protocol):
    def make_code(self) -> str: ...
    async def send(self, email: str, code: str, kind: str) -> None: ...


class EmailSenderError(Exception):
    pass


def valid_email(email: str) -> bool:
    return isinstance(email, str) and len(email) <= EMAIL_MAX and _EMAIL.match(email) is not None


def normalize_email(email: str) -> str:
    """The address as stored: trimmed, the domain in lower case."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def email_pattern(email: str) -> str:
    """The address as Telegram shows it before it is proven (api/pattern): the first
    character of the local part, then stars: "a***@example.com"."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def random_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(EMAIL_CODE_LENGTH))


def _text(code: str, kind: str) -> str:
    return (f"{SUBJECTS.get(kind, 'Your code')}: {code}\n\n"
            "If you did not ask for this code, ignore this message; do not give the code to anyone.\n")


@dataclass
class LogEmailSender:
    def make_code(self) -> str:
        return random_code()

    async def send(self, email: str, code: str, kind: str) -> None:
        log.info("email_code", email=email, code=code, kind=kind)


@dataclass
class FixedEmailSender:
    code: str

    def make_code(self) -> str:
        return self.code

    async def send(self, email: str, code: str, kind: str) -> None:
        pass


@dataclass
class SmtpEmailSender:
    host: str
    port: int
    sender: str  # the From address
    tls: bool = False  # smtps: TLS from the first byte
    username: str = ""
    password: str = ""
    timeout: float = 15.0

    def make_code(self) -> str:
        return random_code()

    async def send(self, email: str, code: str, kind: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email
        message["Subject"] = SUBJECTS.get(kind, "Your code")
        message.set_content(_text(code, kind))
        try:
            with trio.fail_after(self.timeout + 5):
                await trio.to_thread.run_sync(self._deliver, message, abandon_on_cancel=True)
        except (OSError, trio.TooSlowError) as exc:  # smtplib.SMTPException is an OSError
            log.warning("email_send_failed", to=email_pattern(email), kind=kind, error=type(exc).__name__)
            raise EmailSenderError(f"smtp {self.host}:{self.port}: {type(exc).__name__}") from exc
        log.info("email_sent", to=email_pattern(email), kind=kind)

    def _deliver(self, message: EmailMessage) -> None:
        import smtplib

        context = ssl.create_default_context()
        if self.tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if not self.tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


def parse_email_sender(spec: str | None, sender: str) -> EmailSender:
    """`log`, `fixed:CODE`, `smtp://...` or `smtps://...`; ValueError (without the
    password) otherwise."""
    spec = (spec or "log").strip()
    kind, _, arg = spec.partition(":")
    if kind == "log" and not arg:
        return LogEmailSender()
    if kind == "fixed":
        if not (arg.isdigit() and 4 <= len(arg) <= 8):
            raise ValueError(f"fixed email sender needs 4-8 digits, got {arg!r} (e.g. fixed:123456)")
        return FixedEmailSender(arg)
    if kind in ("smtp", "smtps") and arg.startswith("//"):
        parts = urlsplit(spec)
        try:
            port = parts.port or (465 if kind == "smtps" else 25)
        except ValueError:
            raise ValueError("smtp email sender: the port must be a number in 1..65535") from None
        if not parts.hostname:
            raise ValueError("smtp email sender needs a host: smtp://user:password@host:port")
        return SmtpEmailSender(host=parts.hostname, port=port, sender=sender, tls=kind == "smtps",
                               username=unquote(parts.username or ""), password=unquote(parts.password or ""))
    raise ValueError(f"unknown email sender {kind!r}: expected log, fixed:CODE, smtp://... or smtps://...")
