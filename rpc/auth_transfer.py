"""auth.exportAuthorization / auth.importAuthorization: carrying a login to another DC.

Clients fetch a file from the DC that stores it (Photo.dc_id, Document.dc_id); when
that is not the DC they believe they are on, they export their login there and import
it on a new auth key. This server is one DC, but a client may believe otherwise
(Pyrogram assumes DC 2 until told to migrate, which this server never does), so the
export names this DC (config dc_id) and the import logs the new key in as that user.

The exported bytes are a token: the user id, an expiry and an HMAC under a server
secret every process shares (storage.secrets), so any process can check it.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

from tl import functions as F, types as T

from .context import RequestContext
from .dispatch import handler
from .errors import RpcError
from .services.login import log_in, require_user

TOKEN_LIFETIME = 300
_SECRET_NAME = "export_authorization"
_BODY = struct.Struct("<qq")


async def _secret(ctx: RequestContext) -> bytes:
    return await ctx.services.storage.secrets.get_or_create(_SECRET_NAME)


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()


@handler(F.auth.ExportAuthorization)
async def export_authorization(request, ctx: RequestContext):
    user_id = require_user(ctx)
    if request.dc_id != ctx.config.dc_id:
        raise RpcError(400, "DC_ID_INVALID")
    body = _BODY.pack(user_id, int(time.time()) + TOKEN_LIFETIME)
    return T.auth.ExportedAuthorization(id=user_id, bytes=body + _sign(await _secret(ctx), body))


@handler(F.auth.ImportAuthorization)
async def import_authorization(request, ctx: RequestContext):
    token = request.bytes or b""
    body, signature = token[:_BODY.size], token[_BODY.size:]
    if len(body) != _BODY.size or not hmac.compare_digest(signature, _sign(await _secret(ctx), body)):
        raise RpcError(400, "AUTH_BYTES_INVALID")
    user_id, expires = _BODY.unpack(body)
    if expires < time.time():
        raise RpcError(400, "AUTH_BYTES_INVALID")
    if user_id != request.id:
        raise RpcError(400, "USER_ID_INVALID")
    user = await ctx.services.storage.users.get(user_id)
    if user is None or user.deleted or user.banned:
        raise RpcError(400, "USER_ID_INVALID")
    # The account's 2FA password was checked when the exporting key logged in.
    return await log_in(ctx, user, password_pending=False)
