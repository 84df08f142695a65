"""auth.bindTempAuthKey: temporary keys bound to permanent ones.

auth.bindTempAuthKey binds a temporary key to a permanent one (perfect forward secrecy,
https://core.telegram.org/api/pfs): the binding message must be encrypted with the
permanent key (MTProto v1) and name this very request's msg_id, this temporary key and
this session.
"""

from __future__ import annotations

import struct

import tl
from mtproto.crypto import CryptoError, decrypt_message_v1
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError

# random:int128 msg_id:long seqno:int msg_len:int, then bind_auth_key_inner (40 bytes).
_BINDING_HEAD = struct.Struct("<16sqii")
_INNER_SIZE = 40
_BINDING_SIZE = _BINDING_HEAD.size + _INNER_SIZE


def _invalid() -> RpcError:
    return RpcError(400, E.ENCRYPTED_MESSAGE_INVALID)


@handler(F.auth.BindTempAuthKey, access=Access.ANYONE)
async def bind_temp_auth_key(request, ctx: RequestContext):
    store = ctx.services.auth_keys
    temp = await store.get(ctx.auth_key_id)
    if temp is None or not temp.temporary:
        raise RpcError(400, E.TEMP_AUTH_KEY_EMPTY)
    perm = await store.get(request.perm_auth_key_id)
    message = request.encrypted_message
    if perm is None or perm.temporary or len(message) < 24 + _BINDING_SIZE:
        raise _invalid()
    if struct.unpack_from("<q", message)[0] != perm.key_id:
        raise _invalid()
    try:
        plain = decrypt_message_v1(perm.key, message[8:24], message[24:], _BINDING_SIZE)
        inner = tl.decode(plain[_BINDING_HEAD.size :])
    except (CryptoError, tl.TLDecodeError):
        raise _invalid() from None
    _, msg_id, seqno, length = _BINDING_HEAD.unpack_from(plain)
    if (msg_id, seqno, length) != (ctx.msg_id, 0, _INNER_SIZE) or not isinstance(inner, T.BindAuthKeyInner):
        raise _invalid()
    expected = (request.nonce, temp.key_id, perm.key_id, ctx.session_id, request.expires_at)
    if (inner.nonce, inner.temp_auth_key_id, inner.perm_auth_key_id, inner.temp_session_id, inner.expires_at) != expected:
        raise _invalid()
    if temp.perm_key_id not in (None, perm.key_id):
        raise RpcError(400, E.TEMP_AUTH_KEY_ALREADY_BOUND)
    await store.bind_temp_key(temp.key_id, perm.key_id)
    return True
