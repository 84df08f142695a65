"""Run one RPC call for a connection: from the session's `Rpc` event to the packet
that answers it.

For every `Rpc` (mtproto/session.py) the connection (server/connection.py) starts
`RequestRunner.run` in a task of its own and sends the packet it returns. Here, in
order: the auth key's record (cached for the connection, which is what changes it:
client info, binding), who is logged in (rpc/services/login.identify, read per call:
a session revoked from another device must get AUTH_KEY_UNREGISTERED on its next
request), the RequestContext (rpc/context.py) with the hooks the dispatcher calls,
dispatch (rpc/dispatch.py, which also counts the call in server/metrics.py), and the
answer: the encoded result, or an exception mapped to rpc_error and logged.
invokeAfterMsg(s) waits here too, for the calls of the same connection it names.

Not here: sockets and sending (the connection), and live updates (the connection's
`after_call` hook is told what a successful call changed before its answer is made).
"""

from __future__ import annotations

import functools
import time
from typing import Awaitable, Callable, Protocol

import msgspec
import structlog
import trio

import tl
from mtproto.session import EncryptedSession, Rpc
from rpc import RpcError, dispatch
from rpc.context import ClientInfo, RequestContext
from rpc.services.login import identify
from storage.small_map import SmallMap
from tl import functions as F

from .shared_client_info import shared as shared_client_info

# The connection's logger: rpc_error / rpc_crashed are what operators already filter on.
log = structlog.get_logger("mtserver.connection")

INVOKE_AFTER_TIMEOUT = 0.5  # PROTOCOL.md rule 20: MSG_WAIT_TIMEOUT after ~0.5 s


class Caller(Protocol):
    """Whose calls a RequestRunner runs: the connection. One object rather than a bound
    method per hook: a runner lives as long as its connection, idle ones included."""

    peer: str

    def spawn(self, task: Callable[[], Awaitable]) -> None:
        """Start `task` in the connection's nursery: the background writes a call starts
        (its layer, its client info) end with the connection."""

    async def after_call(self, session: EncryptedSession, session_id: int, ctx: RequestContext) -> None:
        """A call succeeded: awaited before its answer is made."""

    def own_row(self, session_id: int, pts: int) -> None:
        """A call made row `pts` of its user's box (RequestContext.on_own_row)."""


class RequestRunner:
    """The RPC calls of one connection (`caller`)."""

    # One per connection: no per-instance dict.
    __slots__ = ("state", "caller", "records", "_unsaved", "_call_ended")

    def __init__(self, state, caller: Caller):
        self.state = state
        self.caller = caller
        # auth_key_id → storage.models.AuthKeyRecord: one key, nearly always
        self.records: SmallMap = SmallMap()
        self._unsaved: dict[int, dict] | None = None  # auth_key_id → columns to write (_save_later)
        # Where invokeAfterMsg waits: woken whenever a call ends, it asks the session's
        # CallOutcomes (mtproto/call_outcomes.py) again.
        self._call_ended: trio.lowlevel.ParkingLot | None = None  # made by the first wait

    async def run(self, session: EncryptedSession, call: Rpc, dialled_dc: int | None) -> bytes | None:
        """The encrypted answer to `call`: its rpc_result, or rpc_error for a call that
        failed. None when there is nothing to send (the client dropped the answer, or
        its session is gone)."""
        key_id = session.auth_key_id
        ctx = await self._context(session, call, dialled_dc)
        try:
            result = await dispatch(call.request, ctx)
            if isinstance(ctx.innermost, F.auth.BindTempAuthKey):
                self.records.pop(key_id, None)  # now bound to a permanent key
            await self.caller.after_call(session, call.session_id, ctx)
            packet = session.result(call.session_id, call.msg_id, result, time.time())
        except RpcError as exc:
            log.info("rpc_error", method=_method_name(call.request), code=exc.code, error=exc.message,
                     auth_key_id=key_id)
            packet = session.error(call.session_id, call.msg_id, exc.code, exc.message, time.time())
        except Exception:
            log.exception("rpc_crashed", method=_method_name(call.request), auth_key_id=key_id)
            packet = session.error(call.session_id, call.msg_id, 500, "INTERNAL_SERVER_ERROR", time.time())
        finally:
            if self._call_ended is not None:
                self._call_ended.unpark_all()  # session.result / error recorded how it ended
        return packet

    async def _context(self, session: EncryptedSession, call: Rpc, dialled_dc: int | None) -> RequestContext:
        state = self.state
        key_id = session.auth_key_id
        record = await self.key_record(key_id)
        perm_key_id, user_id, pending_user_id = await identify(state.storage, record)
        ctx = RequestContext(
            auth_key_id=key_id, session_id=call.session_id, msg_id=call.msg_id,
            layer=session.layer or tl.LAYER, config=state.config,
            on_layer=lambda layer: self._set_layer(session, layer),
            on_client_info=lambda info: self._set_client_info(key_id, info),
            wait_for_messages=lambda msg_ids: self._wait_for_messages(session, msg_ids),
            on_own_row=lambda pts: self.caller.own_row(call.session_id, pts),
            services=state, auth_key=record, perm_key_id=perm_key_id, user_id=user_id,
            pending_user_id=pending_user_id, peer=self.caller.peer, dialled_dc=dialled_dc,
        )
        if record is not None and record.client_info:
            ctx.client = ClientInfo(**record.client_info)
        return ctx

    async def key_record(self, key_id: int):
        """The auth key's record (storage.models.AuthKeyRecord, None if it is gone), read
        once per connection: what changes it (a temporary key's binding) drops it here."""
        record = self.records.get(key_id)
        if record is None:
            record = await self.state.storage.auth_keys.get(key_id)
            if record is not None:
                record = self.keep_record(record)
        return record

    def keep_record(self, record):
        """The record this connection keeps for its key (the one kept already, if any),
        its client info shared with equal ones (server/shared_client_info.py)."""
        kept = self.records.get(record.key_id)
        if kept is None:
            if record.client_info:
                record = msgspec.structs.replace(record, client_info=shared_client_info(record.client_info))
            self.records[record.key_id] = kept = record
        return kept

    def _set_layer(self, session: EncryptedSession, layer: int) -> None:
        serving = tl.serving_layer(layer)
        if session.layer != serving:
            session.layer = serving
            self._save_later(session.auth_key_id, layer=layer)

    def _set_client_info(self, key_id: int, info: ClientInfo) -> None:
        record = self.records.get(key_id)
        client_info = shared_client_info(info.to_dict())
        if record is not None:
            self.records[key_id] = msgspec.structs.replace(record, client_info=client_info)
        self._save_later(key_id, client_info=client_info)

    def _save_later(self, key_id: int, **columns) -> None:
        """Persist in the background (the RPC does not wait for the storage), and what one
        call says at once in one statement: invokeWithLayer(initConnection(...)), every
        app's first call on a connection, sets both the layer and the client info."""
        if self._unsaved is None:
            self._unsaved = {}
        unsaved = self._unsaved.get(key_id)
        if unsaved is None:
            self._unsaved[key_id] = unsaved = {}
            self.caller.spawn(functools.partial(self._save, key_id))
        unsaved.update(columns)

    async def _save(self, key_id: int) -> None:
        # Runs once the call that asked has yielded: by then it has said all it will.
        columns = self._unsaved.pop(key_id)
        if not self._unsaved:
            self._unsaved = None  # an emptied dict keeps its table
        await self.state.auth_keys.update_client(key_id, **columns)

    async def _wait_for_messages(self, session: EncryptedSession, msg_ids: list[int]) -> None:
        with trio.move_on_after(INVOKE_AFTER_TIMEOUT) as timer:
            while session.calls.pending(msg_ids):
                if self._call_ended is None:
                    self._call_ended = trio.lowlevel.ParkingLot()
                await self._call_ended.park()
        if timer.cancelled_caught:
            raise RpcError(400, "MSG_WAIT_TIMEOUT")
        if session.calls.failed(msg_ids):
            raise RpcError(400, "MSG_WAIT_FAILED")


def _method_name(request) -> str:
    while hasattr(request, "query") and isinstance(getattr(request, "query"), tl.TLObject):
        request = request.query
    return getattr(request, "QUALNAME", type(request).__name__)


__all__ = ["RequestRunner", "INVOKE_AFTER_TIMEOUT"]
