"""Setting the 2FA recovery email of a stored password: a new address is mailed a code
(confirmed by account.confirmPasswordEmail, rpc/account/password_email.py)."""

from __future__ import annotations

import msgspec

from storage.models import PasswordRecord

from ..context import RequestContext
from ..errors import E, RpcError, numbered
from . import email_codes
from .email_senders import normalize_email, valid_email


async def set_recovery_email(ctx: RequestContext, password: PasswordRecord, email: str):
    """The recovery email of a stored password changes to `email` ("" removes it): a new
    address is mailed a code and answers EMAIL_UNCONFIRMED_X."""
    storage = ctx.services.storage
    user_id = password.user_id
    email = email.strip()
    if not email:
        await storage.passwords.set(msgspec.structs.replace(password, email=None))
        await storage.email_codes.delete(email_codes.password_email(user_id))
        return True
    if not valid_email(email):
        raise RpcError(400, E.EMAIL_INVALID)
    email = normalize_email(email)
    if email == password.email:
        return True
    code = await email_codes.send_email_code(ctx, email_codes.password_email(user_id), email, "password_email")
    raise RpcError(400, numbered(E.EMAIL_UNCONFIRMED_X, len(code)))
