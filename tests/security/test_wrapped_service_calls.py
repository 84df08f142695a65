"""Issue 12.15: MTProto service functions (ping, get_future_salts, destroy_session, ...)
inside invoke* wrappers are answered, as an rpc_result, instead of METHOD_NOT_IMPLEMENTED.

Telethon with receive_updates=False sends every call, ping included, as
invokeWithoutUpdates(...); the first call of a connection is invokeWithLayer(initConnection(...)).
Unwrapped, these are service messages answered by mtproto/session.py; wrapped, the session
hands them to the dispatcher like any other query, whose answer goes back in an rpc_result."""

import time
from types import SimpleNamespace

import pytest
import trio

import rpc  # noqa: F401  (registers the handlers)
import tl
from mtproto.salts import SaltPolicy
from rpc.context import RequestContext
from rpc.dispatch import dispatch
from tl import functions as F
from tl import types as T

KEY_ID = 0x1234
MSG_ID = 7_000_000_000_000_000_004


def _ctx(user_id=None, sessions=None):
    services = SimpleNamespace(salts=SaltPolicy(b"s" * 32), sessions={KEY_ID: sessions or {}})
    return RequestContext(auth_key_id=KEY_ID, session_id=55, msg_id=MSG_ID, layer=tl.LAYER,
                          config=SimpleNamespace(api_id_allowlist=[]), user_id=user_id, services=services)


def _wrappers(query):
    init = F.InitConnection(api_id=1, device_model="d", system_version="s", app_version="a",
                            system_lang_code="en", lang_pack="", lang_code="en", query=query)
    return {
        "invokeWithoutUpdates": F.InvokeWithoutUpdates(query=query),
        "invokeWithLayer+initConnection": F.InvokeWithLayer(layer=tl.LAYER, query=init),
        "invokeWithLayer+invokeWithoutUpdates": F.InvokeWithLayer(layer=158, query=F.InvokeWithoutUpdates(query=query)),
        "invokeAfterMsg": F.InvokeAfterMsg(msg_id=1, query=query),
    }


def _call(request, ctx):
    async def go():
        return await dispatch(request, ctx)

    data = trio.run(go)
    return tl.decode_result(request, data, ctx.layer)


@pytest.mark.parametrize("wrapper", list(_wrappers(None)))
@pytest.mark.parametrize("user_id", [None, 1000000], ids=["before-login", "logged-in"])
def test_wrapped_ping_answers_pong(wrapper, user_id):
    for ping in (F.Ping(ping_id=42), F.PingDelayDisconnect(ping_id=42, disconnect_delay=75)):
        answer = _call(_wrappers(ping)[wrapper], _ctx(user_id))
        assert answer == T.Pong(msg_id=MSG_ID, ping_id=42)


def test_wrapped_get_future_salts_answers_the_salts_the_session_accepts():
    ctx = _ctx()
    answer = _call(F.InvokeWithoutUpdates(query=F.GetFutureSalts(num=3)), ctx)
    assert isinstance(answer, T.FutureSalts) and answer.req_msg_id == MSG_ID and len(answer.salts) == 3
    now = time.time()
    assert ctx.services.salts.is_valid(KEY_ID, answer.salts[0].salt, now)
    assert abs(answer.now - now) < 5
    # A hostile count is capped, as the unwrapped call is (at most 64 salts).
    answer = _call(F.InvokeWithoutUpdates(query=F.GetFutureSalts(num=2**31 - 1)), _ctx())
    assert 1 <= len(answer.salts) <= 64


def test_wrapped_destroy_session_destroys_another_session_only():
    other = object()
    ctx = _ctx(sessions={55: object(), 66: other})
    answer = _call(F.InvokeWithoutUpdates(query=F.DestroySession(session_id=66)), ctx)
    assert answer == T.DestroySessionOk(session_id=66) and 66 not in ctx.services.sessions[KEY_ID]
    answer = _call(F.InvokeWithoutUpdates(query=F.DestroySession(session_id=66)), ctx)
    assert answer == T.DestroySessionNone(session_id=66)
    answer = _call(F.InvokeWithoutUpdates(query=F.DestroySession(session_id=55)), ctx)
    assert answer == T.DestroySessionNone(session_id=55) and 55 in ctx.services.sessions[KEY_ID]


def test_wrapped_rpc_drop_answer_and_destroy_auth_key_answer_their_types():
    answer = _call(F.InvokeWithoutUpdates(query=F.RpcDropAnswer(req_msg_id=99)), _ctx())
    assert isinstance(answer, (T.RpcAnswerUnknown, T.RpcAnswerDroppedRunning, T.RpcAnswerDropped))
    answer = _call(F.InvokeWithoutUpdates(query=F.DestroyAuthKey()), _ctx())
    assert isinstance(answer, (T.DestroyAuthKeyOk, T.DestroyAuthKeyNone, T.DestroyAuthKeyFail))
