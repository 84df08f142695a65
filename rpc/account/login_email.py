"""Login email (https://core.telegram.org/api/auth#email-verification), when the
operator requires one (login_email = "required").

auth.sendCode for a number without a login email answers
auth.sentCodeTypeSetUpEmailRequired; the app asks for an address and calls
account.sendVerifyEmailCode(emailVerifyPurposeLoginSetup(phone, phone_code_hash)),
then account.verifyEmail with the code from the mail. The answer is
account.emailVerifiedLogin with the login code just sent: for a new number to the
verified address (auth.sentCodeTypeEmailCode; auth.signIn with email_verification), for
an existing account the usual way (app or code sender), so that only the account's
owner can attach an address to it. The address becomes the login email once the login
completes (rpc/auth/login.py save_login_email); later logins get their code there.
emailVerifyPurposeLoginChange changes it from a logged-in device.
"""

from __future__ import annotations

import time

from storage.models import EmailCodeRecord
from tl import functions as F, types as T

from ..services.login_codes import CODE_TTL, deliver_code
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services import email_codes
from ..services.email_senders import email_pattern, normalize_email, valid_email
from ..services.phones import normalize_phone


def _checked_email(email: str) -> str:
    if not valid_email((email or "").strip()):
        raise RpcError(400, E.EMAIL_INVALID)
    return normalize_email(email)


async def _phone_code(ctx: RequestContext, purpose):
    """The login (auth.sendCode) an emailVerifyPurposeLoginSetup names, still open."""
    phone = normalize_phone(purpose.phone_number or "")
    if not phone:
        raise RpcError(400, E.PHONE_NUMBER_INVALID)
    record = await ctx.services.storage.codes.get(phone, purpose.phone_code_hash or "")
    if record is None or record.expires_at <= time.time():
        raise RpcError(400, E.PHONE_HASH_EXPIRED)
    return record


def _purpose_allowed(ctx: RequestContext, purpose) -> None:
    if isinstance(purpose, T.EmailVerifyPurposePassport) or not email_codes.login_email_required(ctx.config):
        raise RpcError(400, E.EMAIL_NOT_ALLOWED)


def _login_email_access(request) -> Access:
    """Setting up a login email is a step of logging in; changing it is a logged-in
    user's call."""
    return Access.USER if isinstance(request.purpose, T.EmailVerifyPurposeLoginChange) else Access.ANYONE


@handler(F.account.SendVerifyEmailCode, access=_login_email_access)
async def send_verify_email_code(request, ctx: RequestContext):
    _purpose_allowed(ctx, request.purpose)
    email = _checked_email(request.email)
    if isinstance(request.purpose, T.EmailVerifyPurposeLoginSetup):
        record = await _phone_code(ctx, request.purpose)
        purpose = email_codes.login_setup(record.phone, record.phone_code_hash)
    else:  # emailVerifyPurposeLoginChange
        user_id = ctx.user_id
        if await ctx.services.storage.login_emails.get(user_id) is None:
            raise RpcError(400, E.EMAIL_NOT_SETUP)
        purpose = email_codes.login_change(user_id)
    code = await email_codes.send_email_code(ctx, purpose, email, "login_setup")
    return T.account.SentEmailCode(email_pattern=email_pattern(email), length=len(code))


@handler(F.account.VerifyEmail, access=_login_email_access)
async def verify_email(request, ctx: RequestContext):
    _purpose_allowed(ctx, request.purpose)
    if not isinstance(request.verification, T.EmailVerificationCode):
        raise RpcError(400, E.EMAIL_NOT_ALLOWED)  # Google / Apple ID tokens: not on this server
    services = ctx.services
    storage = services.storage
    code = request.verification.code
    if isinstance(request.purpose, T.EmailVerifyPurposeLoginChange):
        user_id = ctx.user_id
        verified = await email_codes.check_email_code(services, email_codes.login_change(user_id), code,
                                                      expired=E.EMAIL_VERIFY_EXPIRED)
        await storage.login_emails.set(user_id, verified.email, int(time.time()))
        return T.account.EmailVerified(email=verified.email)
    record = await _phone_code(ctx, request.purpose)
    phone, phone_code_hash = record.phone, record.phone_code_hash
    verified = await email_codes.check_email_code(services, email_codes.login_setup(phone, phone_code_hash), code,
                                                  expired=E.EMAIL_VERIFY_EXPIRED)
    now = int(time.time())
    # Kept as long as the code sent below: the login it was verified for.
    await storage.email_codes.put(EmailCodeRecord(
        purpose=email_codes.login_setup_done(phone, phone_code_hash), email=verified.email, code="",
        created_at=now, expires_at=now + CODE_TTL))
    if await storage.users.by_phone(phone) is not None:
        sent = await deliver_code(ctx, phone, phone_code_hash, to_app=True)
    else:
        sent = await deliver_code(ctx, phone, phone_code_hash, email=verified.email)
    return T.account.EmailVerifiedLogin(email=verified.email, sent_code=sent)
