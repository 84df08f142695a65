"""From a decoded request to an encoded result: wrappers, routing, errors.

The dispatcher unwraps invokeWithLayer (the layer results are written in, saved with
the auth key: PROTOCOL.md rule 20), initConnection (the app's description, and the
api_id allowlist), invokeAfterMsg(s), invokeWithoutUpdates, invokeWithTakeout and the
other invokeWith* wrappers, then calls the handler registered for the innermost
method (rpc/router.py) once its access rule admits the caller. Handlers never see
wrappers; an older layer's method under a name the canonical layer dropped is routed as
its new name (rpc/layer_adapters.py RENAMED_METHODS). A method without a handler answers 401 AUTH_KEY_UNREGISTERED before login
(outside help/auth/langpack), else 400 METHOD_NOT_IMPLEMENTED, counted in UNIMPLEMENTED.
A handler that could not reach the object store (uploads, downloads, photos) answers
500 STORAGE_CHECK_FAILED, Telegram's name for a failed storage check: the call may be
tried again once the store is back (clients retry 500s by themselves).
"""

from __future__ import annotations

from collections import Counter

import tl
from server import metrics
from storage.objects import ObjectStoreUnavailable
from tl import functions as F

from .context import ClientInfo, RequestContext
from .encoded_result import EncodedResult
from .errors import E, NOT_IMPLEMENTED, RpcError
from .layer_adapters import canonical_call
from .router import ROUTER, admit

UNIMPLEMENTED: Counter = Counter()

# Wrappers that only carry context this server does not use (yet): unwrapped as-is.
_TRANSPARENT = tuple(
    getattr(F, name)
    for name in ("InvokeWithTakeout", "InvokeWithMessagesRange", "InvokeWithApnsSecret",
                 "InvokeWithGooglePlayIntegrity", "InvokeWithReCaptcha", "InvokeWithBusinessConnection")
    if hasattr(F, name)
)
# Every wrapper unwrap() takes apart (the method catalogue lists them as such).
WRAPPERS = (F.InvokeWithLayer, F.InitConnection, F.InvokeAfterMsg, F.InvokeAfterMsgs, F.InvokeWithoutUpdates,
            *_TRANSPARENT)


async def unwrap(request, ctx: RequestContext):
    """Apply the wrappers to ctx and return the innermost request."""
    while True:
        if isinstance(request, F.InvokeWithLayer):
            ctx.layer = tl.serving_layer(request.layer)
            ctx.on_layer(request.layer)
            request = request.query
        elif isinstance(request, F.InitConnection):
            allow = getattr(ctx.config, "api_id_allowlist", None) or ()
            if allow and request.api_id not in allow:
                raise RpcError(400, E.API_ID_INVALID)
            ctx.client = ClientInfo(request.api_id, request.device_model, request.system_version,
                                    request.app_version, request.system_lang_code, request.lang_pack,
                                    request.lang_code)
            ctx.on_client_info(ctx.client)
            request = request.query
        elif isinstance(request, (F.InvokeAfterMsg, F.InvokeAfterMsgs)):
            ids = [request.msg_id] if isinstance(request, F.InvokeAfterMsg) else list(request.msg_ids)
            if ctx.wait_for_messages is not None:
                await ctx.wait_for_messages(ids)
            request = request.query
        elif isinstance(request, F.InvokeWithoutUpdates):
            ctx.no_updates = True
            request = request.query
        elif isinstance(request, _TRANSPARENT):
            request = request.query
        else:
            return request


@metrics.observed_dispatch(RpcError)  # requests by method and result, latency (server/metrics.py)
async def dispatch(request, ctx: RequestContext) -> bytes:
    """The rpc_result payload for `request`: the encoded result, or raises RpcError."""
    inner = canonical_call(await unwrap(request, ctx))
    ctx.innermost = inner
    route = None if isinstance(inner, tl.LegacyObject) else ROUTER.get(type(inner))
    if route is None:
        if ctx.user_id is None and ROUTER.login_needed_unrouted(inner.QUALNAME):
            raise RpcError(401, E.AUTH_KEY_UNREGISTERED)
        UNIMPLEMENTED[inner.QUALNAME] += 1
        raise RpcError(400, NOT_IMPLEMENTED)
    admit(route.access(inner), ctx)
    try:
        result = await route.fn(inner, ctx)
    except ObjectStoreUnavailable as exc:  # logged by the store (storage/objects/observed.py)
        raise RpcError(500, E.STORAGE_CHECK_FAILED) from exc
    if type(result) is EncodedResult:
        return result
    try:
        return tl.encode_result(inner, result, ctx.layer)
    except tl.TLEncodeError as exc:
        raise RpcError(500, E.INTERNAL_SERVER_ERROR) from exc
