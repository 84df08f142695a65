"""Codes sent to email addresses: made by the email sender, stored per purpose, checked
with a bounded number of wrong guesses (as phone codes: 5, then the code is void).

Purposes (storage/emails.py keeps them): login_setup / login_setup_done for a phone's
login being set up, login_change, password_email (a 2FA recovery email to confirm),
recovery (auth.requestPasswordRecovery). Also whether login email is on (the
login_email setting).
"""

from __future__ import annotations

import hmac
import time

from storage.models import EmailCodeRecord

from ..errors import E, RpcError
from .email_senders import EmailSenderError

EMAIL_CODE_TTL = 600  # seconds
MAX_EMAIL_CODE_ATTEMPTS = 5


def login_email_required(config) -> bool:
    return getattr(config, "login_email", "off") == "required"


def login_setup(phone: str, phone_code_hash: str) -> str:
    return f"login_setup:{phone}:{phone_code_hash}"


def login_setup_done(phone: str, phone_code_hash: str) -> str:
    return f"login_setup_done:{phone}:{phone_code_hash}"


def login_change(user_id: int) -> str:
    return f"login_change:{user_id}"


def password_email(user_id: int) -> str:
    return f"password_email:{user_id}"


def recovery(user_id: int) -> str:
    return f"recovery:{user_id}"


def limit_mail(ctx, email: str) -> None:
    """FLOOD_WAIT_X past the mails an address or an auth key may be sent."""
    ctx.services.limits.send_email.hit(email)
    ctx.services.limits.send_email_per_key.hit(str(ctx.auth_key_id))


async def send_email_code(ctx, purpose: str, email: str, kind: str) -> str:
    """Makes, stores and sends a code for `purpose` (replacing an earlier one); the code.
    406 SEND_CODE_UNAVAILABLE when the mail cannot be sent."""
    services = ctx.services
    limit_mail(ctx, email)
    code = services.email_sender.make_code()
    now = int(time.time())
    await services.storage.email_codes.delete_expired(now)  # indexed; keeps the table to live codes
    await services.storage.email_codes.put(EmailCodeRecord(purpose=purpose, email=email, code=code, created_at=now,
                                                           expires_at=now + EMAIL_CODE_TTL))
    await deliver(services, purpose, email, code, kind)
    return code


async def deliver(services, purpose: str | None, email: str, code: str, kind: str) -> None:
    try:
        await services.email_sender.send(email, code, kind)
    except EmailSenderError:
        if purpose is not None:
            await services.storage.email_codes.delete(purpose)
        raise RpcError(406, E.SEND_CODE_UNAVAILABLE) from None


async def pending(services, purpose: str) -> EmailCodeRecord | None:
    """The unexpired, not used up code of `purpose`, if any."""
    record = await services.storage.email_codes.get(purpose)
    if record is None or record.expires_at <= time.time() or record.attempts >= MAX_EMAIL_CODE_ATTEMPTS:
        return None
    return record


async def check_email_code(services, purpose: str, code: str | None, *, expired: str,
                           consume: bool = True) -> EmailCodeRecord:
    """The record if `code` is right (deleted unless consume=False); 400 `expired` when
    there is no live code, CODE_EMPTY, or CODE_INVALID (a wrong guess, counted)."""
    if not code or not code.strip():
        raise RpcError(400, E.CODE_EMPTY)
    services.limits.email_code.hit(purpose)
    # Every guess uses up one of the code's attempts, counted before it is compared.
    record = await services.storage.email_codes.claim_attempt(purpose, now=int(time.time()),
                                                              max_attempts=MAX_EMAIL_CODE_ATTEMPTS)
    if record is None or not record.code:
        raise RpcError(400, expired)
    if not hmac.compare_digest(code.strip().encode(), record.code.encode()):
        raise RpcError(400, E.CODE_INVALID)
    if consume:
        await services.storage.email_codes.delete(purpose)
    return record
