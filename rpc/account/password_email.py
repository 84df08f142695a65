"""The 2FA recovery email (https://core.telegram.org/api/srp#email-verification) and
password recovery through it.

account.updatePasswordSettings with new_settings.email stores the password and mails a
code to the address, answering 400 EMAIL_UNCONFIRMED_X (X: the code's length), as
Telegram does; until account.confirmPasswordEmail(code) the password reports
has_recovery=false and email_unconfirmed_pattern. account.resendPasswordEmail mails a
new code, account.cancelPasswordEmail drops the unconfirmed address.

A user who forgot the password (at login, SESSION_PASSWORD_NEEDED; or logged in) calls
auth.requestPasswordRecovery (a code to the confirmed address), may check the code with
auth.checkRecoveryPassword, and auth.recoverPassword(code, new_settings?) removes the
password (or sets the new one) and completes the login without it.
"""

from __future__ import annotations

import secrets
import time

import msgspec

from storage.models import PasswordRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services import email_codes, srp
from ..services.email_senders import email_pattern
from ..services.login import finish_password_login
from ..services.password_check import offered_algo
from ..services.users import UserView


@handler(F.account.ConfirmPasswordEmail, access=Access.USER)
async def confirm_password_email(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    confirmed = await email_codes.check_email_code(ctx.services, email_codes.password_email(user_id), request.code,
                                                   expired=E.EMAIL_HASH_EXPIRED)
    password = await storage.passwords.get(user_id)
    if password is None:
        raise RpcError(400, E.PASSWORD_MISSING)
    await storage.passwords.set(msgspec.structs.replace(password, email=confirmed.email))
    return True


@handler(F.account.ResendPasswordEmail, access=Access.USER)
async def resend_password_email(request, ctx: RequestContext):
    user_id = ctx.user_id
    waiting = await email_codes.pending(ctx.services, email_codes.password_email(user_id))
    if waiting is None:
        raise RpcError(400, E.EMAIL_HASH_EXPIRED)
    await email_codes.send_email_code(ctx, waiting.purpose, waiting.email, "password_email")
    return True


@handler(F.account.CancelPasswordEmail, access=Access.USER)
async def cancel_password_email(request, ctx: RequestContext):
    user_id = ctx.user_id
    await ctx.services.storage.email_codes.delete(email_codes.password_email(user_id))
    return True


@handler(F.auth.RequestPasswordRecovery, access=Access.PASSWORD_OR_USER)
async def request_password_recovery(request, ctx: RequestContext):
    user_id = ctx.account_id  # a key waiting for the 2FA password, or a logged-in one
    password = await ctx.services.storage.passwords.get(user_id)
    if password is None:
        raise RpcError(400, E.PASSWORD_EMPTY)
    if not password.email:
        raise RpcError(400, E.PASSWORD_RECOVERY_NA)
    await email_codes.send_email_code(ctx, email_codes.recovery(user_id), password.email, "recovery")
    return T.auth.PasswordRecovery(email_pattern=email_pattern(password.email))


@handler(F.auth.CheckRecoveryPassword, access=Access.PASSWORD_OR_USER)
async def check_recovery_password(request, ctx: RequestContext):
    user_id = ctx.account_id  # a key waiting for the 2FA password, or a logged-in one
    await email_codes.check_email_code(ctx.services, email_codes.recovery(user_id), request.code,
                                       expired=E.PASSWORD_RECOVERY_EXPIRED, consume=False)
    return True


@handler(F.auth.RecoverPassword, access=Access.PASSWORD_OR_USER)
async def recover_password(request, ctx: RequestContext):
    user_id = ctx.account_id  # a key waiting for the 2FA password, or a logged-in one
    services = ctx.services
    storage = services.storage
    new = request.new_settings
    replacing = new is not None and new.new_algo is not None and not isinstance(new.new_algo, T.PasswordKdfAlgoUnknown) \
        and bool(new.new_password_hash)
    if replacing:
        # Checked before the code is used up, so a bad new password costs no code.
        try:
            srp.check_new_settings(new.new_algo, new.new_password_hash, offered=offered_algo(ctx, user_id))
        except srp.SrpError as exc:
            raise RpcError(400, exc.name) from None
    old = await storage.passwords.get(user_id)
    if old is None:
        raise RpcError(400, E.PASSWORD_EMPTY)
    await email_codes.check_email_code(services, email_codes.recovery(user_id), request.code,
                                       expired=E.PASSWORD_RECOVERY_EXPIRED)
    if replacing:
        algo = new.new_algo
        # The recovery email was just proven: it stays.
        await storage.passwords.set(PasswordRecord(
            user_id=user_id, salt1=algo.salt1, salt2=algo.salt2, g=algo.g, p=algo.p,
            verifier=new.new_password_hash, hint=new.hint or "", email=old.email, srp_id=secrets.randbits(63),
            updated_at=int(time.time())))
        services.srp_offers.pop(user_id, None)
    else:
        await storage.passwords.delete(user_id)
    await storage.email_codes.delete(email_codes.password_email(user_id))
    if ctx.pending_user_id == user_id:
        return await finish_password_login(ctx, user_id)
    return T.auth.Authorization(user=await UserView(storage, user_id).user(user_id))
