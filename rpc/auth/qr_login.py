"""Logging in by QR code (https://core.telegram.org/api/qr-login).

The app that wants to log in calls auth.exportLoginToken and shows the token as a QR
code (tg://login?token=...), exporting a new one when it expires (30 s, as Telegram).
A logged-in app scans it and calls auth.acceptLoginToken: the waiting key is logged in
as that user at once (2FA still pending if the account has a password) and told by
updateLoginToken; its next auth.exportLoginToken answers auth.loginTokenSuccess (or
SESSION_PASSWORD_NEEDED). Tokens are random, single-use, stored by hash (any process
may accept what another exported) and pruned a while after they expire. This server is
one DC, so auth.loginTokenMigrateTo is never answered; auth.importLoginToken only
confirms an accepted token on the key that exported it.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from storage.models import LoginTokenRecord
from tl import functions as F, types as T

from ..context import ClientInfo, RequestContext
from ..router import Access, handler
from ..errors import E, RpcError, flood_wait
from ..updates.events import LoginToken
from ..updates.publish import publish_to_key
from ..services.login import alert_new_login, authorization_object, ip_of, new_authorization
from ..services.users import UserView

TOKEN_LIFETIME = 30  # seconds, as Telegram
TOKEN_BYTES = 32
PRUNE_AFTER = 600  # seconds after expiry a token is still told apart from garbage
MAX_LIVE_TOKENS = 20  # unexpired tokens per key (the rate limit is per process)
MAX_EXCEPT_IDS = 100


def token_hash(token: bytes) -> str:
    return hashlib.sha256(token).hexdigest()


async def _success(ctx: RequestContext, user_id: int):
    user = await UserView(ctx.services.storage, user_id).user(user_id)
    return T.auth.LoginTokenSuccess(authorization=T.auth.Authorization(user=user))


@handler(F.auth.ExportLoginToken, access=Access.PERM_KEY)
async def export_login_token(request, ctx: RequestContext):
    if not ctx.config.accepts_api_id(request.api_id):
        raise RpcError(400, E.API_ID_INVALID)
    perm_key_id = ctx.perm_key_id
    if ctx.user_id is not None:
        # Logged in (a token of this key was accepted): the flow is done.
        return await _success(ctx, ctx.user_id)
    if ctx.pending_user_id is not None:
        raise RpcError(401, E.SESSION_PASSWORD_NEEDED)
    services = ctx.services
    tokens = services.storage.login_tokens
    services.limits.login_token.hit(str(perm_key_id))
    now = int(time.time())
    await tokens.delete_expired(now - PRUNE_AFTER)
    if await tokens.count_live(perm_key_id, now) >= MAX_LIVE_TOKENS:
        raise flood_wait(TOKEN_LIFETIME)
    token = secrets.token_bytes(TOKEN_BYTES)
    except_ids = list(dict.fromkeys(request.except_ids or ()))[:MAX_EXCEPT_IDS]
    await tokens.add(LoginTokenRecord(
        token_hash=token_hash(token), auth_key_id=ctx.auth_key_id, perm_key_id=perm_key_id, created_at=now,
        expires_at=now + TOKEN_LIFETIME, api_id=request.api_id, except_ids=except_ids, ip=ip_of(ctx.peer)))
    ctx.listen_as_key = True  # this session gets updateLoginToken
    return T.auth.LoginToken(expires=now + TOKEN_LIFETIME, token=token)


async def _stored_token(ctx: RequestContext, token: bytes | None) -> LoginTokenRecord:
    if not token or len(token) != TOKEN_BYTES:
        raise RpcError(400, E.AUTH_TOKEN_INVALID)
    record = await ctx.services.storage.login_tokens.get(token_hash(token))
    if record is None:
        raise RpcError(400, E.AUTH_TOKEN_INVALID)
    return record


@handler(F.auth.AcceptLoginToken, access=Access.USER)
async def accept_login_token(request, ctx: RequestContext):
    user_id = ctx.user_id
    services = ctx.services
    storage = services.storage
    services.limits.accept_login_token.hit(str(user_id))
    record = await _stored_token(ctx, request.token)
    now = int(time.time())
    if record.accepted_by is not None:
        raise RpcError(400, E.AUTH_TOKEN_ALREADY_ACCEPTED)
    if record.expires_at <= now:
        raise RpcError(400, E.AUTH_TOKEN_EXPIRED)
    if user_id in record.except_ids:
        # The exporting app is logged in as this user already (except_ids).
        raise RpcError(400, E.AUTH_TOKEN_EXCEPTION)
    key = await storage.auth_keys.get(record.auth_key_id)
    if key is None:
        raise RpcError(400, E.AUTH_TOKEN_INVALID)  # the waiting key is gone
    if await storage.authorizations.get(record.perm_key_id) is not None:
        raise RpcError(400, E.AUTH_TOKEN_EXCEPTION)  # the waiting key logged in otherwise
    if not await storage.login_tokens.accept(record.token_hash, user_id, now):
        # Another acceptance won the race, or it expired this very second.
        again = await storage.login_tokens.get(record.token_hash)
        raise RpcError(400, E.AUTH_TOKEN_ALREADY_ACCEPTED if again and again.accepted_by else E.AUTH_TOKEN_EXPIRED)
    client = ClientInfo(**key.client_info) if key.client_info else None
    password_pending = await storage.passwords.get(user_id) is not None
    authorization = new_authorization(record.perm_key_id, user_id, client, record.ip,
                                      password_pending=password_pending)
    await storage.authorizations.add(authorization)
    if not password_pending:
        # With a password, the new device is announced once auth.checkPassword passes.
        await alert_new_login(services, user_id, record.perm_key_id, client, record.ip)
    await publish_to_key(services, record.auth_key_id, LoginToken())
    return authorization_object(authorization, current=False)


@handler(F.auth.ImportLoginToken, access=Access.PERM_KEY)
async def import_login_token(request, ctx: RequestContext):
    perm_key_id = ctx.perm_key_id
    record = await _stored_token(ctx, request.token)
    if record.perm_key_id != perm_key_id:
        raise RpcError(400, E.AUTH_TOKEN_INVALID)  # only its own key may confirm it
    if record.accepted_by is None:
        if record.expires_at <= time.time():
            raise RpcError(400, E.AUTH_TOKEN_EXPIRED)
        raise RpcError(400, E.AUTH_TOKEN_INVALID)  # not accepted yet
    if ctx.pending_user_id == record.accepted_by:
        raise RpcError(401, E.SESSION_PASSWORD_NEEDED)
    if ctx.user_id != record.accepted_by:
        raise RpcError(400, E.AUTH_TOKEN_INVALID)  # logged out since
    return await _success(ctx, ctx.user_id)
