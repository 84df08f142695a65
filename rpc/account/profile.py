"""account.*: devices, profile, username, online status, 2FA password, privacy."""

from __future__ import annotations

import secrets
import time

from storage import UsernameTaken
from storage.models import PasswordRecord
from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services import email_codes, srp
from ..services.email_senders import email_pattern
from ..updates.presence import ONLINE_PERIOD, announce_status
from ..updates.profile import announce_profile
from ..services.login import authorization_object
from ..services.peers import resolve_user
from ..services.privacy import INPUT_KEYS, input_rules_to_stored, rules_or_default, stored_to_rules, users_in
from ..services.users import UserView
from ..services.password_check import offered_algo, verify_password
from ..services.recovery_email import set_recovery_email
from ..services.usernames import valid_username

ABOUT_MAX = 70
NAME_MAX = 64
AUTHORIZATION_TTL_DAYS = 180
async def me(ctx: RequestContext, user_id: int):
    return await UserView(ctx.services.storage, user_id).user(user_id)


# -- devices ----------------------------------------------------------------------------


@handler(F.account.GetAuthorizations, access=Access.USER)
async def get_authorizations(request, ctx: RequestContext):
    user_id = ctx.user_id
    out = [authorization_object(a, current=a.auth_key_id == ctx.perm_key_id)
           for a in await ctx.services.storage.authorizations.list_for_user(user_id)]
    out.sort(key=lambda a: (not a.current, -a.date_active))
    return T.account.Authorizations(authorization_ttl_days=AUTHORIZATION_TTL_DAYS, authorizations=out)


@handler(F.account.ResetAuthorization, access=Access.USER)
async def reset_authorization(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await storage.authorizations.by_hash(user_id, request.hash) if request.hash else None
    if target is None or target.auth_key_id == ctx.perm_key_id:
        raise RpcError(400, E.HASH_INVALID)
    await storage.authorizations.delete(target.auth_key_id)
    return True


# -- profile -------------------------------------------------------------------------------


@handler(F.account.UpdateProfile, access=Access.USER)
async def update_profile(request, ctx: RequestContext):
    user_id = ctx.user_id
    first = request.first_name.strip() if request.first_name is not None else None
    last = request.last_name.strip() if request.last_name is not None else None
    if first is not None and (not first or len(first) > NAME_MAX):
        raise RpcError(400, E.FIRSTNAME_INVALID)
    if last is not None and len(last) > NAME_MAX:
        raise RpcError(400, E.LASTNAME_INVALID)
    if request.about is not None and len(request.about) > ABOUT_MAX:
        raise RpcError(400, E.ABOUT_TOO_LONG)
    await ctx.services.storage.users.update_profile(user_id, first_name=first, last_name=last, about=request.about)
    await announce_profile(ctx, user_id)
    return await me(ctx, user_id)


@handler(F.account.CheckUsername, access=Access.USER)
async def check_username(request, ctx: RequestContext):
    user_id = ctx.user_id
    if not valid_username(request.username):
        raise RpcError(400, E.USERNAME_INVALID)
    # Channels' usernames too: one name space (storage/usernames.py).
    owner = await ctx.services.storage.usernames.resolve(request.username)
    return owner is None or owner == Peer.user(user_id)


@handler(F.account.UpdateUsername, access=Access.USER)
async def update_username(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    username = request.username or None
    if username is not None and not valid_username(username):
        raise RpcError(400, E.USERNAME_INVALID)
    current = await storage.users.get(user_id)
    if (current.username or None) == username:
        raise RpcError(400, E.USERNAME_NOT_MODIFIED)
    try:
        await storage.users.set_username(user_id, username)
    except UsernameTaken:
        raise RpcError(400, E.USERNAME_OCCUPIED) from None
    await announce_profile(ctx, user_id)
    return await me(ctx, user_id)


@handler(F.account.UpdateStatus, access=Access.USER)
async def update_status(request, ctx: RequestContext):
    user_id = ctx.user_id
    now = int(time.time())
    online_until = 0 if request.offline else now + ONLINE_PERIOD
    await ctx.services.storage.users.set_status(user_id, last_seen=now, online_until=online_until)
    await announce_status(ctx.services, user_id)
    return True


# -- 2FA password --------------------------------------------------------------------------------


@handler(F.account.GetPassword, access=Access.PASSWORD_OR_USER)
async def get_password(request, ctx: RequestContext):
    user_id = ctx.account_id
    storage = ctx.services.storage
    password = await storage.passwords.get(user_id)
    offer = offered_algo(ctx, user_id)
    unconfirmed = await email_codes.pending(ctx.services, email_codes.password_email(user_id))
    emails = {"email_unconfirmed_pattern": email_pattern(unconfirmed.email) if unconfirmed else None}
    if ctx.user_id is not None:
        login_email = await storage.login_emails.get(user_id)
        emails["login_email_pattern"] = email_pattern(login_email) if login_email else None
    if password is None:
        return srp.no_password(new_algo=offer, **emails)
    algo = srp.Algo(salt1=password.salt1, salt2=password.salt2, g=password.g, p=password.p)
    challenge = srp.SrpChallenge.new(algo, password.verifier)
    ctx.services.srp_challenges[ctx.perm_key_id] = challenge
    return challenge.to_password(new_algo=offer, hint=password.hint or None, has_recovery=password.email is not None,
                                 **emails)


@handler(F.account.UpdatePasswordSettings, access=Access.USER)
async def update_password_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    current = await storage.passwords.get(user_id)
    if current is not None:
        await verify_password(ctx, user_id, request.password)
    elif not isinstance(request.password, T.InputCheckPasswordEmpty):
        raise RpcError(400, E.PASSWORD_HASH_INVALID)
    new = request.new_settings
    if new.new_algo is None and new.new_password_hash is None and new.email is not None:
        # flags.0 unset: the password stays, only the recovery email changes.
        if current is None:
            raise RpcError(400, E.PASSWORD_MISSING)
        return await set_recovery_email(ctx, current, new.email)
    if new.new_algo is None or isinstance(new.new_algo, T.PasswordKdfAlgoUnknown) or not new.new_password_hash:
        await storage.passwords.delete(user_id)
        await storage.email_codes.delete(email_codes.password_email(user_id))
        return True
    try:
        srp.check_new_settings(new.new_algo, new.new_password_hash, offered=offered_algo(ctx, user_id))
    except srp.SrpError as exc:
        raise RpcError(400, exc.name) from None
    algo = new.new_algo
    # A new password keeps the confirmed recovery email unless new settings name another.
    record = PasswordRecord(
        user_id=user_id, salt1=algo.salt1, salt2=algo.salt2, g=algo.g, p=algo.p, verifier=new.new_password_hash,
        hint=new.hint or "", email=current.email if current else None, srp_id=secrets.randbits(63),
        updated_at=int(time.time()))
    await storage.passwords.set(record)
    ctx.services.srp_offers.pop(user_id, None)
    if new.email is not None:
        return await set_recovery_email(ctx, record, new.email)
    return True


# -- privacy -------------------------------------------------------------------------------------


def _privacy_key(key) -> str:
    name = INPUT_KEYS.get(type(key))
    if name is None:
        raise RpcError(400, E.PRIVACY_KEY_INVALID)
    return name


async def _privacy_rules(ctx: RequestContext, user_id: int, stored: list[dict]):
    view = UserView(ctx.services.storage, user_id)
    return T.account.PrivacyRules(rules=stored_to_rules(stored), chats=[], users=await view.users(users_in(stored)))


@handler(F.account.GetPrivacy, access=Access.USER)
async def get_privacy(request, ctx: RequestContext):
    user_id = ctx.user_id
    key = _privacy_key(request.key)
    stored = rules_or_default(key, await ctx.services.storage.privacy.get(user_id, key))
    return await _privacy_rules(ctx, user_id, stored)


@handler(F.account.SetPrivacy, access=Access.USER)
async def set_privacy(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    key = _privacy_key(request.key)
    resolved: dict[int, int] = {}
    for rule in request.rules:
        for input_user in getattr(rule, "users", None) or ():
            resolved[id(input_user)] = await resolve_user(storage, user_id, input_user)
    stored = input_rules_to_stored(request.rules, lambda u: resolved[id(u)])
    await storage.privacy.set(user_id, key, stored)
    return await _privacy_rules(ctx, user_id, stored)
