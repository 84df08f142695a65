"""``POST /api``: one MTProto packet in the request body, one in the response body.

https://core.telegram.org/mtproto/transports#http and /mtproto/description: no
transport envelope; a plain packet (auth_key_id 0) is a handshake step, answered at
once; an encrypted one goes to its auth key's HttpConnection (server/http_sessions.py)
and the response carries whatever that session has queued once http_wait's rules
say so (server/http_outbox.py). Without an http_wait in the packet the defaults
apply: max_delay 0, wait_after 0, max_wait 25,000 ms (PROTOCOL.md rule 13), so
every request doubles as a long poll. Transport errors are HTTP statuses (404: the
packet is not acceptable or the key unknown; 429: too many connections or requests).
A handshake's steps must come on one keep-alive connection (the DH state lives there),
as HTTP clients send them.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

import trio

from mtproto.http_session import Unsealed

from .http_outbox import TransportFailure
from .http_sessions import HttpConnection, Submitted

DEFAULT_MAX_WAIT = 25.0
# A client may ask to be held longer, but not for ever: proxies cut idle requests too.
MAX_WAIT_CAP = 60.0
# How long a request may wait for its packet to be processed (storage look-ups).
PROCESS_TIMEOUT = 30.0
_u64 = struct.Struct("<q").unpack_from


@dataclass
class ApiAnswer:
    status: int
    body: bytes = b""
    # What the body carries, to queue again if it cannot be written.
    conn: HttpConnection | None = None
    session_id: int | None = None
    batches: list[Unsealed] = field(default_factory=list)

    def unsent(self) -> None:
        if self.conn is not None and self.session_id is not None:
            self.conn.outbox.put_back(self.session_id, self.batches)


async def answer(state, body: bytes, handshake, peer: str) -> ApiAnswer:
    """`handshake`: the TCP connection's HandshakeConnection (or a stand-in making it lazily)."""
    if len(body) < 8 or len(body) % 4:
        return ApiAnswer(404)
    key_id = _u64(body, 0)[0]
    if key_id == 0:
        reply = await handshake.answer(body)
        return ApiAnswer(reply.status) if isinstance(reply, TransportFailure) else ApiAnswer(200, reply)
    conn = await state.http_sessions.get(key_id, peer)
    if isinstance(conn, TransportFailure):
        return ApiAnswer(conn.status)
    item = Submitted(body)
    if not conn.submit(item):
        return ApiAnswer(429)
    with trio.move_on_after(PROCESS_TIMEOUT):
        await item.done.wait()
    if item.failure is not None:
        return ApiAnswer(item.failure.status)
    if not item.accepted or item.session_id is None:
        return ApiAnswer(404)
    max_delay, wait_after, max_wait = 0.0, 0.0, DEFAULT_MAX_WAIT
    if item.http_wait is not None:
        wait = item.http_wait
        max_delay = _seconds(wait.max_delay)
        wait_after = _seconds(wait.wait_after)
        max_wait = _seconds(wait.max_wait)
    batches = await conn.outbox.wait_for(item.session_id, max_wait=max_wait, wait_after=wait_after,
                                         max_delay=max_delay)
    session = conn.session()
    packet = session.seal(item.session_id, batches, time.time()) if session is not None else None
    if packet is None:
        return ApiAnswer(404)
    return ApiAnswer(200, packet, conn, item.session_id, batches)


def _seconds(milliseconds: int) -> float:
    return min(max(milliseconds, 0), MAX_WAIT_CAP * 1000) / 1000
