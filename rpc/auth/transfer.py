"""auth.exportAuthorization / auth.importAuthorization: carrying a login to another DC.

Clients fetch a file from the DC that stores it (Photo.dc_id, Document.dc_id) and TDLib
exports its login to every DC it may need; when that is not the DC they believe they
are on, they export their login there and import it on a new auth key. Every DC id is
this server (rpc/services/data_centers.py), so any listed id may be exported to, and
the import logs the new key in as that user.

The exported bytes are a random token, stored as a hash (storage/exported_authorizations.py):
usable once, for TOKEN_LIFETIME seconds, and only while the authorization that exported
it is still logged in — a device revoked by "terminate other sessions" cannot come back
through a token it exported before (logging out others also deletes every token).
"""

from __future__ import annotations

import secrets
import time

from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.data_centers import is_listed
from ..services.login import log_in

TOKEN_LIFETIME = 300
TOKEN_SIZE = 32


@handler(F.auth.ExportAuthorization, access=Access.USER)
async def export_authorization(request, ctx: RequestContext):
    user_id = ctx.user_id
    if not is_listed(ctx.config, request.dc_id):
        raise RpcError(400, E.DC_ID_INVALID)
    token = secrets.token_bytes(TOKEN_SIZE)
    now = int(time.time())
    await ctx.services.storage.exported_authorizations.add(
        token, user_id=user_id, auth_key_id=ctx.perm_key_id, expires_at=now + TOKEN_LIFETIME, now=now)
    return T.auth.ExportedAuthorization(id=user_id, bytes=token)


@handler(F.auth.ImportAuthorization, access=Access.ANYONE)
async def import_authorization(request, ctx: RequestContext):
    token = request.bytes or b""
    storage = ctx.services.storage
    # Taken before any check: a token that was shown, right or wrong, is spent.
    record = await storage.exported_authorizations.take(token) if len(token) == TOKEN_SIZE else None
    if record is None or record.expires_at < time.time():
        raise RpcError(400, E.AUTH_BYTES_INVALID)
    if record.user_id != request.id:
        raise RpcError(400, E.USER_ID_INVALID)
    exporter = await storage.authorizations.get(record.auth_key_id)
    if exporter is None or exporter.user_id != record.user_id or exporter.password_pending:
        raise RpcError(400, E.AUTH_BYTES_INVALID)  # the exporting device was logged out
    user = await storage.users.get(record.user_id)
    if user is None or user.deleted or user.banned:
        raise RpcError(400, E.USER_ID_INVALID)
    # The account's 2FA password was checked when the exporting key logged in. The new
    # key is the exporting device on another DC: it ends when that device is logged out.
    return await log_in(ctx, user, password_pending=False,
                        parent_auth_key_id=exporter.parent_auth_key_id or exporter.auth_key_id)
