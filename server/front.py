"""What a new TCP connection speaks: MTProto, or HTTP (WebSocket upgrade or POST /api).

https://core.telegram.org/mtproto/mtproto-transports: clients avoid starting an
MTProto connection (obfuscated2's random header included) with "HEAD", "POST",
"GET " or "OPTI", so those four bytes mean HTTP, on the same port as every TCP
transport. Then:

- ``GET /apiws`` with an upgrade: a WebSocket (server/websocket_stream.py) whose
  bytes go to an ordinary Connection, as Telegram's web clients expect;
- ``POST /api``: the HTTP transport (server/http_api.py), keep-alive;
- ``OPTIONS /api``: the CORS preflight browsers send first;
- anything else: 404, or 400-class for malformed requests.

Unauthenticated peers must cost little: a request head is at most 16 KiB
(mtproto/transport/http.py) and must be complete HEAD_TIMEOUT seconds after its first
byte; between keep-alive requests the idle timeout applies. A port given ``http_only``
(MTSERVER_WS_PORT) serves only HTTP and WebSocket.
"""

from __future__ import annotations

import os

import structlog
import trio

from mtproto.transport import obfuscated, websocket as ws
from mtproto.transport.http import BadRequest, Request, RequestReader, response

from . import http_api
from .buffer_budget import BufferShare, frame_deadline
from .connection import Connection
from .http_sessions import HandshakeConnection
from .idle_connections import can_park
from .websocket_stream import WebSocketStream

log = structlog.get_logger("mtserver.front")

HEAD_TIMEOUT = 10.0
API_PATHS = frozenset({"/api"})
_ABRIDGED = 0xEF
FIRST_READ = 65536  # what one read of a new connection takes: the rest waits in the kernel


async def handle(state, stream: trio.abc.Stream, peer: str, *, http_only: bool = False) -> None:
    arrival = _Arrival(state, stream, peer, http_only)
    if not arrival.park():
        await arrival.resume()


def _read_now(stream) -> bytes | None:
    """What a plain TCP socket holds already, read without a scheduler pass or a cancel
    scope (most clients send their first bytes with the handshake's last ACK); b"" when
    the peer has left, None when nothing is there yet or the stream is not a plain
    socket. A cancel scope with a deadline stays in trio's deadline heap until that
    deadline passes, even once left: 200 bytes per new connection for 30 s."""
    if type(stream) is not trio.SocketStream:
        return None
    try:
        return os.read(stream.socket.fileno(), FIRST_READ)
    except BlockingIOError:
        return None
    except OSError:
        return b""  # reset, or closed under us: as if it left


class _Arrival:
    """A new connection until its first bytes say what it speaks. A TCP connection
    waits for them parked (server/idle_connections.py), not in a task of its own: a
    thousand apps that connect at once, or a peer that connects and says nothing, cost
    a socket and this object each, not a task, its nursery and its cancel scopes (about
    10 KB, and holes in the allocator's pools once they are gone)."""

    __slots__ = ("state", "stream", "peer", "http_only", "refuse", "address", "limited", "counted", "deadline",
                 "parked_until", "arrived")

    def __init__(self, state, stream: trio.abc.Stream, peer: str, http_only: bool):
        self.state = state
        self.stream = stream
        self.peer = peer
        self.http_only = http_only
        # Over the limit (MTSERVER_MAX_CONNECTIONS, counting connections still choosing
        # their protocol), the connection still learns its transport so that the -429
        # ("too many connections", mtproto-transports) reaches the client framed.
        self.refuse = -429 if state.connection_count() >= state.config.max_connections else None
        # ...and past the per-address limit, so that one host cannot take every slot.
        self.address = peer.rpartition(":")[0]
        self.limited = state.config.limits_apply_to(self.address)
        if self.limited:
            if state.per_address[self.address] >= state.config.max_connections_per_address:
                self.refuse = -429
            state.per_address[self.address] += 1
        # Counted while not a Connection (which counts itself): choosing a protocol, or
        # carrying HTTP requests.
        state.unrouted += 1
        self.counted = True
        # A peer that connects and sends nothing holds its slot no longer than a slow frame.
        config = state.config
        self.deadline = trio.current_time() + (HEAD_TIMEOUT if http_only
                                               else min(config.frame_timeout, config.idle_timeout))
        self.parked_until: float | None = None  # its deadline while parked (set and cleared by IdleConnections)
        self.arrived: bytes | None = None  # its first bytes, when they were there before it could park

    def uncount(self) -> None:
        if self.counted:
            self.state.unrouted -= 1
            self.counted = False

    def park(self) -> bool:
        """Wait for the first bytes parked (`resume` runs when they come, or at the
        deadline); False when this connection cannot park, or its bytes are here."""
        if not can_park(self.state.idle, self.stream):
            return False
        self.arrived = _read_now(self.stream)
        if self.arrived is not None:
            return False
        try:
            self.state.idle.park(self, self.stream.socket.fileno(), self.deadline)
        except OSError:
            return False
        return True

    def abandon(self) -> None:
        """The server stops while this connection is parked: close without waiting."""
        self._release()
        self.stream.socket.close()

    def _release(self) -> None:
        self.uncount()
        if self.limited:
            self.state.leave_address(self.address)
            self.limited = False

    async def resume(self) -> None:
        state, stream, peer = self.state, self.stream, self.peer
        handed_over = False  # to a Connection, which releases the address and the stream when it ends
        try:
            prefix = await _first_bytes(stream, self.http_only, self.deadline, self.arrived)
            self.arrived = None
            if not prefix:
                return
            if prefix[:4] in obfuscated.HTTP_PREFIXES:
                await _serve_http(state, stream, peer, prefix, self.refuse, self.uncount)
            elif self.http_only:
                log.info("not_http", peer=peer)
            else:
                self.uncount()
                conn = Connection(state, stream, peer, refuse_with=self.refuse, initial=prefix,
                                  address=self.address if self.limited else None)
                handed_over = True
                # It may park (server/idle_connections.py) and outlive this task.
                await conn.run()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # the peer left
        except Exception:
            log.exception("front_crashed", peer=peer)
        finally:
            if not handed_over:  # handed over, it was uncounted first
                self._release()
                with trio.CancelScope(shield=True):
                    await stream.aclose()


async def _first_bytes(stream, http_only: bool, deadline: float, arrived: bytes | None) -> bytes:
    """Enough bytes to tell HTTP from MTProto (4, or abridged's single 0xef), or fewer
    when the peer leaves or `deadline` passes. `arrived`: what was read already (b"": the
    peer left)."""
    prefix = _read_now(stream) if arrived is None else arrived
    if prefix is not None and (not prefix or _enough(prefix, http_only)):
        return prefix
    prefix = prefix or b""
    with trio.move_on_at(deadline):
        while not _enough(prefix, http_only):
            data = await stream.receive_some(FIRST_READ)
            if not data:
                break
            prefix += data
    return prefix


def _enough(prefix: bytes, http_only: bool) -> bool:
    return len(prefix) >= 4 or (bool(prefix) and prefix[0] == _ABRIDGED and not http_only)


async def _serve_http(state, stream, peer: str, initial: bytes, refuse: int | None, uncount) -> None:
    reader = RequestReader(max_body=state.max_packet_size)
    reader.feed(initial)
    handshake = _LazyHandshake(state, peer)
    share = BufferShare(state)
    try:
        await _serve_requests(state, stream, peer, reader, handshake, share, refuse, uncount)
    finally:
        share.release()


async def _serve_requests(state, stream, peer, reader, handshake, share, refuse, uncount) -> None:
    while True:
        request = await _next_request(state, stream, reader, share)
        if request is None:
            return
        if isinstance(request, BadRequest):
            log.info("http_bad_request", peer=peer, status=request.status, reason=request.reason)
            await stream.send_all(response(request.status, keep_alive=False))
            return
        if ws.is_upgrade(request):
            uncount()
            await _serve_websocket(state, stream, peer, request, reader.take_rest(), refuse)
            return
        if not await _serve_request(state, stream, peer, request, handshake, refuse):
            return


async def _next_request(state, stream, reader: RequestReader, share: BufferShare) -> Request | BadRequest | None:
    """The next request; None when the peer closed or went quiet. The head must arrive
    within HEAD_TIMEOUT of its first byte, the body as a frame must (server/buffer_budget.py),
    and what it holds counts in the server-wide budget."""
    head_deadline = trio.current_time() + HEAD_TIMEOUT if reader.buffered else None
    body_started = None
    while (request := reader.next_request()) is None:
        now = trio.current_time()
        if head_deadline is None and reader.buffered:
            head_deadline = now + HEAD_TIMEOUT
        deadline = now + state.config.idle_timeout
        if head_deadline is not None and not reader.head_done:
            deadline = min(deadline, head_deadline)
        if reader.head_done:
            body_started = now if body_started is None else body_started
            deadline = min(deadline, frame_deadline(state.config, body_started, reader.buffered))
        with trio.move_on_at(deadline) as timer:
            data = await stream.receive_some(65536)
        if timer.cancelled_caught:
            if reader.buffered:
                return BadRequest(408, "request not complete in time")
            return None
        if not data:
            return None
        reader.feed(data)
        if not share.update(reader.buffered):
            return BadRequest(429, "the server holds too many incomplete requests")
    share.update(reader.buffered)
    return request


class _LazyHandshake:
    """The connection's HandshakeConnection, made by its first plain packet."""

    def __init__(self, state, peer: str):
        self.state, self.peer, self.conn = state, peer, None

    async def answer(self, payload: bytes):
        if self.conn is None:
            self.conn = HandshakeConnection(self.state, self.peer)
        return await self.conn.answer(payload)


async def _serve_websocket(state, stream, peer: str, request: Request, rest: bytes, refuse: int | None) -> None:
    accepted, answer = ws.handshake(request)
    await stream.send_all(answer)
    if not accepted:
        log.info("websocket_refused", peer=peer, path=request.path[:64])
        return
    channel = WebSocketStream(stream, peer, rest, max_message_size=state.max_packet_size + 1024)
    await Connection(state, channel, f"{peer} ws", refuse_with=refuse).run()


async def _serve_request(state, stream, peer: str, request: Request, handshake: _LazyHandshake,
                         refuse: int | None) -> bool:
    """Answer one request; False when the connection must close after it."""
    keep_alive = request.keep_alive
    if request.path not in API_PATHS:
        await stream.send_all(response(404, keep_alive=keep_alive))
        return keep_alive
    if request.method == "OPTIONS":
        await stream.send_all(response(200, keep_alive=keep_alive))
        return keep_alive
    if request.method != "POST":
        await stream.send_all(response(405, keep_alive=keep_alive, headers=(("Allow", "POST, OPTIONS"),)))
        return keep_alive
    if refuse is not None:
        await stream.send_all(response(abs(refuse), keep_alive=False))
        return False
    result = await http_api.answer(state, request.body, handshake, peer)
    if result.status != 200:
        log.info("http_transport_error", peer=peer, status=result.status)
    try:
        await stream.send_all(response(result.status, result.body, keep_alive=keep_alive))
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        result.unsent()
        raise
    return keep_alive
