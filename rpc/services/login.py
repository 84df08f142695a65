"""Who is logged in on an auth key, and logging in.

Authorizations belong to permanent keys; a temporary key acts for the permanent key it
is bound to. An authorization whose 2FA password is still pending does not log in.
"""

from __future__ import annotations

import secrets
import time

import msgspec

from storage.models import AuthorizationRecord
from tl import types as T

from ..context import RequestContext
from ..errors import E, RpcError
from .notifications import new_login_text, notify
from .users import UserView


async def identify(storage, auth_key_record) -> tuple[int | None, int | None, int | None]:
    """(perm_key_id, user_id, pending_user_id) for a connection's key record."""
    if auth_key_record is None:
        return None, None, None
    perm_key_id = auth_key_record.perm_key_id if auth_key_record.temporary else auth_key_record.key_id
    if perm_key_id is None:
        return None, None, None
    signed_in = await storage.authorizations.signed_in(perm_key_id)
    if signed_in is None:
        return perm_key_id, None, None
    user_id, password_pending = signed_in
    if password_pending:
        return perm_key_id, None, user_id
    return perm_key_id, user_id, None


def platform_of(client) -> str:
    """account.getAuthorizations' platform ("android", "ios", "desktop"...), guessed from
    what initConnection said, since no field carries it."""
    text = f"{client.system_version} {client.device_model}".lower() if client else ""
    for needle, platform in (("android", "android"), ("ios", "ios"), ("iphone", "ios"), ("ipad", "ios"),
                             ("mac", "macos"), ("windows", "windows"), ("linux", "linux")):
        if needle in text:
            return platform
    return ""


def require_perm_key(ctx: RequestContext) -> int:
    """The key a login is recorded for. Routes that log in straight away declare
    Access.PERM_KEY; auth.importAuthorization first spends its token (rpc/auth/transfer.py)."""
    if ctx.perm_key_id is None:
        # A temporary key that was never bound cannot log in (api/pfs).
        raise RpcError(401, E.AUTH_KEY_PERM_EMPTY)
    return ctx.perm_key_id


def new_authorization(perm_key_id: int, user_id: int, client, ip: str, *,
                      password_pending: bool, parent_auth_key_id: int = 0) -> AuthorizationRecord:
    """The authorization a permanent key gets when it logs in, described by what its app
    said in initConnection (`client`, a ClientInfo or None). With a parent, the key is
    that device's login on another DC."""
    now = int(time.time())
    return AuthorizationRecord(
        auth_key_id=perm_key_id, user_id=user_id, hash=secrets.randbits(63) or 1,
        created_at=now, active_at=now, password_pending=password_pending,
        api_id=client.api_id if client else 0, device_model=client.device_model if client else "",
        platform=platform_of(client), system_version=client.system_version if client else "",
        app_name=client.lang_pack if client and client.lang_pack else "", app_version=client.app_version if client else "",
        ip=ip, parent_auth_key_id=parent_auth_key_id,
    )


def authorization_object(a: AuthorizationRecord, *, current: bool):
    """A logged-in device as account.getAuthorizations shows it."""
    return T.Authorization(
        current=current, password_pending=a.password_pending, hash=0 if current else a.hash,
        device_model=a.device_model or "Unknown", platform=a.platform or "", system_version=a.system_version or "",
        api_id=a.api_id, app_name=a.app_name or "", app_version=a.app_version or "", date_created=a.created_at,
        date_active=a.active_at, ip=a.ip or "", country=a.country or "", region="")


def ip_of(peer: str) -> str:
    return peer.rpartition(":")[0]


async def log_in(ctx: RequestContext, user, *, password_pending: bool, parent_auth_key_id: int = 0):
    """Record the authorization of this key for `user`; SESSION_PASSWORD_NEEDED when
    the account has a 2FA password (auth.checkPassword completes it). With a parent,
    the key is that device's login on another DC: no new-login alert."""
    storage = ctx.services.storage
    record = new_authorization(require_perm_key(ctx), user.id, ctx.client, ip_of(ctx.peer),
                               password_pending=password_pending, parent_auth_key_id=parent_auth_key_id)
    await storage.authorizations.add(record)
    if password_pending:
        raise RpcError(401, E.SESSION_PASSWORD_NEEDED)
    ctx.user_id = user.id
    if not parent_auth_key_id:
        await _alert_other_devices(ctx, user.id)
    return T.auth.Authorization(user=await UserView(storage, user.id).user(user.id, user))


async def finish_password_login(ctx: RequestContext, user_id: int):
    storage = ctx.services.storage
    auth = await storage.authorizations.get(require_perm_key(ctx))
    await storage.authorizations.add(msgspec.structs.replace(auth, password_pending=False, active_at=int(time.time())))
    ctx.user_id = user_id
    await _alert_other_devices(ctx, user_id)
    return T.auth.Authorization(user=await UserView(storage, user_id).user(user_id))


async def _alert_other_devices(ctx: RequestContext, user_id: int) -> None:
    await alert_new_login(ctx.services, user_id, ctx.perm_key_id, ctx.client, ip_of(ctx.peer))


async def alert_new_login(services, user_id: int, new_key_id: int | None, client, ip: str) -> None:
    """A new-login message from the service account when the account was already logged
    in elsewhere (a first sign-up has nobody to warn). `client` and `ip` describe the
    device that logged in on `new_key_id`."""
    storage = services.storage
    others = [a for a in await storage.authorizations.list_for_user(user_id)
              if a.auth_key_id != new_key_id and not a.password_pending]
    if not others:
        return
    user = await storage.users.get(user_id)
    device = ", ".join(part for part in (client.app_version, client.device_model, client.system_version)
                       if part) if client else "unknown"
    text = new_login_text(user.first_name, device or "unknown", ip or "unknown", int(time.time()))
    await notify(services, user_id, text)
