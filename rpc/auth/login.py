"""auth.*: logging in by phone code and 2FA password.

sendCode → (resendCode | cancelCode) → signIn → [signUp] → [checkPassword] → logOut.
Codes live in storage with their expiry and wrong-guess count; sending and guessing
are rate limited (FLOOD_WAIT_X). Error names follow Telegram's.
"""

from __future__ import annotations

import hmac
import secrets
import time

import msgspec

from storage import AlreadyExists
from storage.models import PhoneCodeRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services import email_codes
from ..services.login import finish_password_login, log_in
from ..services.login_codes import CODE_TTL, MAX_CODE_ATTEMPTS, deliver_code
from ..services.password_check import verify_password
from ..services.phones import normalize_phone
from ..services.registration import allowlisted, policy_of

INVITE_CODE_LENGTH = 8

NAME_MAX = 64


@handler(F.auth.SendCode, access=Access.ANYONE)
async def send_code(request, ctx: RequestContext):
    if not ctx.config.accepts_api_id(request.api_id):
        raise RpcError(400, E.API_ID_INVALID)
    phone = normalize_phone(request.phone_number)
    policy = policy_of(ctx.config)
    if policy != "open" and await ctx.services.storage.users.by_phone(phone) is None:
        if policy == "allowlist" and not allowlisted(phone, ctx.config.registration_allowlist):
            raise RpcError(400, E.PHONE_NUMBER_BANNED)
        if policy == "invite":
            return await _await_invite(ctx, phone)
    phone_code_hash = secrets.token_hex(8)
    if email_codes.login_email_required(ctx.config):
        setup, email = await _login_email(ctx, phone, phone_code_hash)
        if setup:
            return await _await_email_setup(ctx, phone, phone_code_hash)
        return await deliver_code(ctx, phone, phone_code_hash, to_app=True, email=email)
    return await deliver_code(ctx, phone, phone_code_hash, to_app=True)


async def _login_email(ctx: RequestContext, phone: str, phone_code_hash: str) -> tuple[bool, str | None]:
    """Where this login's codes go when login email is required: (setup needed, email).
    An account's codes go to its login email; a new number's to the address just
    verified for this login. An existing account that verified an address for this
    login still gets its code the usual way (app or code sender): an address nobody
    has proven to belong to the account must not be where its codes go."""
    storage = ctx.services.storage
    done = await storage.email_codes.get(email_codes.login_setup_done(phone, phone_code_hash))
    user = await storage.users.by_phone(phone)
    if user is not None:
        email = await storage.login_emails.get(user.id)
        return email is None and done is None, email
    return done is None, done.email if done is not None else None


async def _await_email_setup(ctx: RequestContext, phone: str, phone_code_hash: str):
    """No login email yet: the app must set one up (account.sendVerifyEmailCode with
    emailVerifyPurposeLoginSetup) before a code is sent. The stored code is random and
    sent nowhere, so this hash signs nobody in until then."""
    ctx.services.limits.send_code.hit(phone)
    now = int(time.time())
    await ctx.services.storage.codes.put(PhoneCodeRecord(phone=phone, phone_code_hash=phone_code_hash,
                                                         code=secrets.token_hex(16), created_at=now,
                                                         expires_at=now + CODE_TTL))
    return T.auth.SentCode(type=T.auth.SentCodeTypeSetUpEmailRequired(), phone_code_hash=phone_code_hash)


async def save_login_email(ctx: RequestContext, phone: str, phone_code_hash: str, user_id: int) -> None:
    """The login this email was verified for (emailVerifyPurposeLoginSetup) is done: it
    becomes the account's login email."""
    storage = ctx.services.storage
    purpose = email_codes.login_setup_done(phone, phone_code_hash)
    done = await storage.email_codes.get(purpose)
    if done is not None:
        await storage.login_emails.set(user_id, done.email, int(time.time()))
        await storage.email_codes.delete(purpose)


async def _await_invite(ctx: RequestContext, phone: str):
    """Invite-only registration: the "code" for an unknown number is an invite code."""
    ctx.services.limits.send_code.hit(phone)
    now = int(time.time())
    phone_code_hash = secrets.token_hex(8)
    await ctx.services.storage.codes.put(PhoneCodeRecord(phone=phone, phone_code_hash=phone_code_hash, code="",
                                                         created_at=now, expires_at=now + CODE_TTL))
    return T.auth.SentCode(type=T.auth.SentCodeTypeSms(length=INVITE_CODE_LENGTH), phone_code_hash=phone_code_hash)


@handler(F.auth.ResendCode, access=Access.ANYONE)
async def resend_code(request, ctx: RequestContext):
    phone = normalize_phone(request.phone_number)
    record = await ctx.services.storage.codes.get(phone, request.phone_code_hash)
    if record is None or record.expires_at <= time.time():
        raise RpcError(400, E.PHONE_CODE_EXPIRED)
    email = None
    if email_codes.login_email_required(ctx.config):
        setup, email = await _login_email(ctx, phone, request.phone_code_hash)
        if setup:
            return T.auth.SentCode(type=T.auth.SentCodeTypeSetUpEmailRequired(),
                                   phone_code_hash=request.phone_code_hash)
    return await deliver_code(ctx, phone, request.phone_code_hash, email=email)


@handler(F.auth.CancelCode, access=Access.ANYONE)
async def cancel_code(request, ctx: RequestContext):
    phone = normalize_phone(request.phone_number)
    await ctx.services.storage.codes.delete(phone, request.phone_code_hash)
    return True


async def _checked_code(ctx: RequestContext, phone: str, phone_code_hash: str, code: str | None, *,
                        by_email: bool = False) -> PhoneCodeRecord:
    """The code record if `code` is right. A code typed from an email
    (email_verification) gets the email errors: CODE_EMPTY, CODE_INVALID."""
    storage = ctx.services.storage
    if not phone_code_hash:
        raise RpcError(400, E.PHONE_CODE_HASH_EMPTY)
    if not code:
        raise RpcError(400, E.CODE_EMPTY if by_email else E.PHONE_CODE_EMPTY)
    ctx.services.limits.sign_in.hit(phone)
    # Every guess, right or wrong, uses up one of the code's MAX_CODE_ATTEMPTS, counted
    # in storage before the code is compared.
    record = await storage.codes.claim_attempt(phone, phone_code_hash, now=int(time.time()),
                                               max_attempts=MAX_CODE_ATTEMPTS)
    if record is None:
        raise RpcError(400, E.PHONE_CODE_EXPIRED)
    if not record.code:
        # Invite-only registration: the code typed is an invite, kept for signUp.
        invite = await storage.invites.get(code.strip())
        if invite is None or invite.used_by is not None:
            raise RpcError(400, E.PHONE_CODE_INVALID)
        return msgspec.structs.replace(record, code=code.strip())
    if not hmac.compare_digest(code.strip().encode(), record.code.encode()):
        raise RpcError(400, E.CODE_INVALID if by_email else E.PHONE_CODE_INVALID)
    return record


@handler(F.auth.SignIn, access=Access.PERM_KEY)
async def sign_in(request, ctx: RequestContext):
    storage = ctx.services.storage
    phone = normalize_phone(request.phone_number)
    code, by_email = request.phone_code, False
    if request.email_verification is not None:
        if not isinstance(request.email_verification, T.EmailVerificationCode):
            raise RpcError(400, E.EMAIL_NOT_ALLOWED)  # Google / Apple sign-in: not here
        code, by_email = request.email_verification.code, True
    record = await _checked_code(ctx, phone, request.phone_code_hash, code, by_email=by_email)
    user = await storage.users.by_phone(phone)
    if user is None:
        # The code is good; auth.signUp may now create the account (PHONE_NUMBER_UNOCCUPIED
        # in clients' words).
        await storage.codes.put(msgspec.structs.replace(record, verified=True))
        return T.auth.AuthorizationSignUpRequired()
    if user.banned or user.deleted:
        raise RpcError(400, E.PHONE_NUMBER_BANNED)
    await save_login_email(ctx, phone, request.phone_code_hash, user.id)
    await storage.codes.delete(phone, request.phone_code_hash)
    password = await storage.passwords.get(user.id)
    return await log_in(ctx, user, password_pending=password is not None)


@handler(F.auth.SignUp, access=Access.PERM_KEY)
async def sign_up(request, ctx: RequestContext):
    storage = ctx.services.storage
    phone = normalize_phone(request.phone_number)
    record = await storage.codes.get(phone, request.phone_code_hash)
    if record is None or record.expires_at <= time.time() or not record.verified:
        raise RpcError(400, E.PHONE_CODE_EXPIRED)
    first_name = (request.first_name or "").strip()
    last_name = (request.last_name or "").strip()
    if not first_name or len(first_name) > NAME_MAX:
        raise RpcError(400, E.FIRSTNAME_INVALID)
    if len(last_name) > NAME_MAX:
        raise RpcError(400, E.LASTNAME_INVALID)
    invited = policy_of(ctx.config) == "invite" and await storage.invites.get(record.code) is not None
    if policy_of(ctx.config) == "invite" and not invited:
        raise RpcError(400, E.PHONE_CODE_EXPIRED)
    try:
        user = await storage.users.create(phone, first_name, last_name, now=int(time.time()))
    except AlreadyExists:
        raise RpcError(400, E.PHONE_NUMBER_OCCUPIED) from None
    if invited:
        await storage.invites.use(record.code, user.id, int(time.time()))
    await save_login_email(ctx, phone, request.phone_code_hash, user.id)
    await storage.codes.delete(phone, request.phone_code_hash)
    return await log_in(ctx, user, password_pending=False)


@handler(F.auth.CheckPassword, access=Access.PASSWORD_PENDING)
async def check_password(request, ctx: RequestContext):
    user_id = ctx.pending_user_id
    await verify_password(ctx, user_id, request.password)
    return await finish_password_login(ctx, user_id)


@handler(F.auth.LogOut, access=Access.USER)
async def log_out(request, ctx: RequestContext):
    await ctx.services.storage.authorizations.delete(ctx.perm_key_id)
    ctx.user_id = None
    return T.auth.LoggedOut()


@handler(F.auth.ResetAuthorizations, access=Access.USER)
async def reset_authorizations(request, ctx: RequestContext):
    user_id = ctx.user_id
    await ctx.services.storage.authorizations.delete_others(user_id, ctx.perm_key_id)
    return True
