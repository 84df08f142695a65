"""MTProto service functions that arrive inside invoke* wrappers.

Unwrapped, ping, ping_delay_disconnect, get_future_salts, destroy_session, rpc_drop_answer
and destroy_auth_key are service messages that mtproto/session.py answers itself. Clients
may also send them as the query of a wrapper: Telethon with receive_updates=False sends
every call, ping included, as invokeWithoutUpdates(...), and a first call can be
invokeWithLayer(initConnection(ping)). The session cannot see through wrappers (they are
API-layer objects), so such a call reaches the dispatcher like any other query, and its
answer goes back as an rpc_result whose body is the same object the unwrapped call gets
(pong, future_salts, destroy_session_ok, ...): clients read either form, keyed by the
request's msg_id.

What only the connection can do is not done here: a wrapped ping_delay_disconnect answers
its pong without arming the disconnect timer, and a wrapped destroy_auth_key answers
destroy_auth_key_fail (the key is destroyed only by the service message itself).
"""

from __future__ import annotations

import time

from tl import functions as F
from tl import types as T

from .context import RequestContext
from .router import Access, handler


@handler(F.Ping, F.PingDelayDisconnect, access=Access.ANYONE)
async def ping(request, ctx: RequestContext):
    return T.Pong(msg_id=ctx.msg_id, ping_id=request.ping_id)


@handler(F.GetFutureSalts, access=Access.ANYONE)
async def get_future_salts(request: F.GetFutureSalts, ctx: RequestContext):
    now = time.time()
    salts = [T.FutureSalt(valid_since=since, valid_until=until, salt=salt)
             for since, until, salt in ctx.services.salts.future(ctx.auth_key_id, now, request.num)]
    return T.FutureSalts(req_msg_id=ctx.msg_id, now=int(now), salts=salts)


@handler(F.DestroySession, access=Access.ANYONE)
async def destroy_session(request: F.DestroySession, ctx: RequestContext):
    # Only another session of the same key, as the unwrapped call.
    sessions = getattr(ctx.services, "sessions", {}).get(ctx.auth_key_id, {})
    target = request.session_id
    existed = target != ctx.session_id and sessions.pop(target, None) is not None
    return (T.DestroySessionOk if existed else T.DestroySessionNone)(session_id=target)


@handler(F.RpcDropAnswer, access=Access.ANYONE)
async def rpc_drop_answer(request: F.RpcDropAnswer, ctx: RequestContext):
    session = getattr(ctx.services, "sessions", {}).get(ctx.auth_key_id, {}).get(ctx.session_id)
    if session is not None and session.is_running(request.req_msg_id):
        session.drop_answer(request.req_msg_id)
        return T.RpcAnswerDroppedRunning()
    return T.RpcAnswerUnknown()


@handler(F.DestroyAuthKey, access=Access.ANYONE)
async def destroy_auth_key(request: F.DestroyAuthKey, ctx: RequestContext):
    return T.DestroyAuthKeyFail()
