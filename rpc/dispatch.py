"""From a decoded request to an encoded result: wrappers, routing, errors.

The dispatcher unwraps invokeWithLayer (the layer results are written in, saved with
the auth key: PROTOCOL.md rule 20), initConnection (the app's description, and the
api_id allowlist), invokeAfterMsg(s), invokeWithoutUpdates, invokeWithTakeout and the
other invokeWith* wrappers, then calls the handler registered for the innermost
method. Handlers never see wrappers. Before login only help/auth/langpack methods
run (401 AUTH_KEY_UNREGISTERED otherwise). A method without a handler answers
400 METHOD_NOT_IMPLEMENTED and is counted in UNIMPLEMENTED.
"""

from __future__ import annotations

from collections import Counter
from typing import Awaitable, Callable

import tl
from server import metrics
from tl import functions as F

from .context import ClientInfo, RequestContext
from .errors import NOT_IMPLEMENTED, RpcError

Handler = Callable[[object, RequestContext], Awaitable[object]]
HANDLERS: dict[type, Handler] = {}
UNIMPLEMENTED: Counter = Counter()

# Wrappers that only carry context this server does not use (yet): unwrapped as-is.
_TRANSPARENT = tuple(
    getattr(F, name)
    for name in ("InvokeWithTakeout", "InvokeWithMessagesRange", "InvokeWithApnsSecret",
                 "InvokeWithGooglePlayIntegrity", "InvokeWithReCaptcha", "InvokeWithBusinessConnection")
    if hasattr(F, name)
)


def handler(*request_types: type):
    """Register an async `fn(request, ctx) -> result` for these request classes."""

    def register(fn: Handler) -> Handler:
        for t in request_types:
            HANDLERS[t] = fn
        return fn

    return register


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
                raise RpcError(400, "API_ID_INVALID")
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


# Namespaces a client may call before it has logged in (api/auth); everything else
# answers 401 AUTH_KEY_UNREGISTERED first, which is how clients learn they must log in.
BEFORE_LOGIN = frozenset({"help", "auth", "langpack"})
# ...and these single methods: the 2FA step of logging in needs the password settings;
# setting up a login email (api/auth#email-verification) comes before the login; and
# MTProto service functions (answered before login unwrapped too) inside a wrapper.
BEFORE_LOGIN_METHODS = frozenset({"account.getPassword", "account.sendVerifyEmailCode", "account.verifyEmail",
                                  "ping", "ping_delay_disconnect", "get_future_salts", "destroy_session",
                                  "rpc_drop_answer", "destroy_auth_key"})


def allowed_before_login(request) -> bool:
    name = request.QUALNAME
    return name.partition(".")[0] in BEFORE_LOGIN or name in BEFORE_LOGIN_METHODS


@metrics.observed_dispatch(RpcError)  # requests by method and result, latency (server/metrics.py)
async def dispatch(request, ctx: RequestContext) -> bytes:
    """The rpc_result payload for `request`: the encoded result, or raises RpcError."""
    inner = await unwrap(request, ctx)
    ctx.innermost = inner
    if ctx.user_id is None and not allowed_before_login(inner):
        raise RpcError(401, "AUTH_KEY_UNREGISTERED")
    if isinstance(inner, tl.LegacyObject):
        UNIMPLEMENTED[inner.QUALNAME] += 1
        raise RpcError(400, NOT_IMPLEMENTED)
    fn = HANDLERS.get(type(inner))
    if fn is None:
        UNIMPLEMENTED[inner.QUALNAME] += 1
        raise RpcError(400, NOT_IMPLEMENTED)
    result = await fn(inner, ctx)
    try:
        return tl.encode_result(inner, result, ctx.layer)
    except tl.TLEncodeError as exc:
        raise RpcError(500, "INTERNAL_SERVER_ERROR") from exc
