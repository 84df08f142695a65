"""Making, storing and sending a login code: to the account's logged-in devices (as
Telegram does), the login email, or the code sender; and the auth.SentCode that says
where it went."""

from __future__ import annotations

import time

from storage.models import PhoneCodeRecord
from tl import types as T

from ..context import RequestContext
from ..errors import E, RpcError
from . import email_codes
from .code_senders import CodeSenderError
from .email_senders import email_pattern
from .notifications import login_code_text, notify

CODE_TTL = 300  # seconds a login code stays valid
MAX_CODE_ATTEMPTS = 5  # wrong guesses before a code is void


def _sent(code: str, phone_code_hash: str):
    return T.auth.SentCode(type=T.auth.SentCodeTypeSms(length=len(code)), phone_code_hash=phone_code_hash,
                           next_type=T.auth.CodeTypeSms(), timeout=60)


def _sent_to_app(code: str, phone_code_hash: str):
    return T.auth.SentCode(type=T.auth.SentCodeTypeApp(length=len(code)), phone_code_hash=phone_code_hash,
                           next_type=T.auth.CodeTypeSms(), timeout=60)


def _sent_to_email(email: str, code: str, phone_code_hash: str):
    return T.auth.SentCode(type=T.auth.SentCodeTypeEmailCode(email_pattern=email_pattern(email), length=len(code)),
                           phone_code_hash=phone_code_hash)


async def deliver_code(ctx: RequestContext, phone: str, phone_code_hash: str, *, to_app: bool = False,
                   email: str | None = None):
    """Makes and stores a code; sends it as a service message to the account's logged-in
    devices when asked and possible (as Telegram does), else to the login email when
    there is one, else through the code sender."""
    services = ctx.services
    now = int(time.time())
    limits = services.limits
    address = ctx.peer.rpartition(":")[0]
    limits.send_code.check(phone)
    limits.send_code_per_key.check(str(ctx.auth_key_id))
    if ctx.config.limits_apply_to(address):
        limits.send_code_per_address.hit(address)
    limits.send_code_total.hit("all")
    limits.send_code.hit(phone)
    limits.send_code_per_key.hit(str(ctx.auth_key_id))
    user = await services.storage.users.by_phone(phone) if to_app else None
    to_app = user is not None and any(not a.password_pending
                                      for a in await services.storage.authorizations.list_for_user(user.id))
    by_email = email is not None and not to_app
    if by_email:
        email_codes.limit_mail(ctx, email)
    code = (services.email_sender if by_email else services.code_sender).make_code()
    await services.storage.codes.put(PhoneCodeRecord(phone=phone, phone_code_hash=phone_code_hash, code=code,
                                                     created_at=now, expires_at=now + CODE_TTL))
    if to_app:
        text, entities = login_code_text(code)
        await notify(services, user.id, text, entities)
        return _sent_to_app(code, phone_code_hash)
    if by_email:
        try:
            await email_codes.deliver(services, None, email, code, "login")
        except RpcError:
            await services.storage.codes.delete(phone, phone_code_hash)
            raise
        return _sent_to_email(email, code, phone_code_hash)
    try:
        await services.code_sender.send(phone, code)
    except CodeSenderError:
        await services.storage.codes.delete(phone, phone_code_hash)
        raise RpcError(406, E.SEND_CODE_UNAVAILABLE) from None
    return _sent(code, phone_code_hash)
