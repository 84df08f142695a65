"""One lightweight client connection for the load generator: a trio TCP stream, the
intermediate transport and a :class:`ClientSession`; a thousand fit in one process.

    client = LoadClient(await trio.open_tcp_stream(host, port), account, on_update)
    nursery.start_soon(client.read_loop)
    state = await client.login()                    # initConnection + updates.getState
    result = await client.call(F.messages.SendMessage(...))

Pushed updates go to ``on_update(obj)`` as they arrive. A request the server refuses for
its salt (bad_server_salt) is sent again with the new salt, as real clients do; other
bad_msg_notifications fail the call with :class:`CallFailed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import trio

import tl
from mtproto.transport.client import IntermediateClient
from mtproto.transport.events import Packet, RemoteTransportError
from tl import functions as F, types as T

from .session import ClientSession, RpcResult

ACK_INTERVAL = 1.0  # seconds between msgs_ack packets (a real client batches them too)
API_ID = 1  # the default config accepts any api_id


@dataclass(frozen=True)
class Account:
    """A logged-in user the load generator drives: its auth key is authorized for user_id."""

    user_id: int
    access_hash: int
    auth_key: bytes


class CallFailed(Exception):
    """An RPC error (``name`` is Telegram's error name) or a refused message."""

    def __init__(self, name: str, code: int = 0):
        super().__init__(f"{code} {name}" if code else name)
        self.name = name
        self.code = code


class _Call:
    __slots__ = ("body", "done", "result", "error")

    def __init__(self, body: bytes):
        self.body = body
        self.done = trio.Event()
        self.result = None
        self.error: CallFailed | None = None


class LoadClient:
    def __init__(self, stream: trio.abc.Stream, account: Account, on_update: Callable[[object], None]):
        self.stream = stream
        self.account = account
        self.on_update = on_update
        self.session = ClientSession(account.auth_key)
        self.codec = IntermediateClient()
        self.calls: dict[int, _Call] = {}
        self.send_lock = trio.Lock()
        self.closed: str | None = None  # why the connection ended, once it has
        self._last_ack = time.monotonic()

    async def call(self, request, *, timeout: float = 30.0):
        """The request's result; CallFailed for an RPC error, a refusal or a timeout."""
        call = _Call(tl.encode(request))
        await self._send_call(call)
        with trio.move_on_after(timeout):
            await call.done.wait()
        if call.error is not None:
            raise call.error
        if not call.done.is_set():
            raise CallFailed(self.closed or "TIMEOUT")
        return call.result

    async def login(self):
        """The first call, as a real client makes it; afterwards the server pushes this
        session the user's updates."""
        return await self.call(F.InvokeWithLayer(layer=tl.LAYER, query=F.InitConnection(
            api_id=API_ID, device_model="loadgen", system_version="trio", app_version="1.0",
            system_lang_code="en", lang_pack="", lang_code="en", query=F.updates.GetState())))

    async def _send_call(self, call: _Call) -> None:
        async with self.send_lock:
            msg_id, packet = self.session.encrypt(call.body)
            self.calls[msg_id] = call
            await self.stream.send_all(self.codec.encode(packet))

    async def _send_packet(self, packet: bytes) -> None:
        async with self.send_lock:
            await self.stream.send_all(self.codec.encode(packet))

    async def read_loop(self) -> None:
        try:
            while True:
                data = await self.stream.receive_some(65536)
                if not data:
                    self._close("CONNECTION_CLOSED")
                    return
                for event in self.codec.feed(data):
                    if isinstance(event, Packet):
                        for _msg_id, _seqno, obj in self.session.read(event.payload):
                            await self._on_message(obj)
                    elif isinstance(event, RemoteTransportError):
                        self._close(f"TRANSPORT_ERROR_{-event.code}")
                        return
                if self.session.unacked and time.monotonic() - self._last_ack >= ACK_INTERVAL:
                    self._last_ack = time.monotonic()
                    await self._send_packet(self.session.ack())
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._close("CONNECTION_LOST")

    async def _on_message(self, obj) -> None:
        if isinstance(obj, RpcResult):
            call = self.calls.pop(obj.req_msg_id, None)
            if call is None:
                return
            if isinstance(obj.result, T.RpcError):
                call.error = CallFailed(obj.result.error_message, obj.result.error_code)
            else:
                call.result = obj.result
            call.done.set()
        elif isinstance(obj, T.BadServerSalt):
            call = self.calls.pop(obj.bad_msg_id, None)
            if call is not None:
                await self._send_call(call)  # the session already holds the new salt
        elif isinstance(obj, T.BadMsgNotification):
            call = self.calls.pop(obj.bad_msg_id, None)
            if call is not None:
                call.error = CallFailed(f"BAD_MSG_{obj.error_code}")
                call.done.set()
        elif isinstance(obj, T.TypeUpdates):
            self.on_update(obj)

    def _close(self, reason: str) -> None:
        self.closed = reason
        for call in self.calls.values():
            call.error = CallFailed(reason)
            call.done.set()
        self.calls.clear()


__all__ = ["Account", "CallFailed", "LoadClient"]
