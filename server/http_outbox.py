"""Where an HTTP-transport connection's outgoing messages wait for a request to carry them.

To server/connection.py the outbox is the stream it writes to: ``send_all`` gets an
``Unsealed`` batch (mtproto/http_session.py) for encrypted messages, plain bytes for
handshake answers, and a ``TransportFailure`` for a transport error. An HTTP request
(server/http_api.py) then takes its session's batches with ``wait_for``, which
applies http_wait's three numbers (https://core.telegram.org/mtproto/service_messages,
"Request for long polling"):

- max_wait: how long to hold the request while nothing is queued for the session
  (then the answer is an empty container);
- wait_after: once something is queued, how long to wait for more after each new
  batch;
- max_delay: how long, at most, from the first queued batch to the answer.

Bounded like a TCP socket's send buffer would be: at most ``max_bytes`` queued per
connection; past that the oldest batches of the session go (their content messages
stay in the session's re-send store, mtproto/session.py, until the client acks them
or asks for them with msg_resend_req / msgs_state_req).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
import trio

from mtproto.http_session import Unsealed
from mtproto.session import MAX_PENDING_BYTES

log = structlog.get_logger("mtserver.http")


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """A transport error (-404, -429) that the HTTP transport answers as a status code."""

    status: int


class PassThrough:
    """The HTTP transport's "codec": a request body is one packet, nothing is framed."""

    transport_name = "http"
    dc_id = None
    buffered = 0  # request bodies are read whole (server/front.py bounds them)

    def set_max_packet_size(self, size: int) -> None:
        pass

    @staticmethod
    def frame(payload):
        return payload

    @staticmethod
    def frame_quick_ack(token: int) -> bytes:
        return b""  # the HTTP transport has no quick acks

    @staticmethod
    def frame_error(code: int) -> TransportFailure:
        return TransportFailure(abs(code))


class Outbox:
    def __init__(self, max_bytes: int = MAX_PENDING_BYTES):
        self.max_bytes = max_bytes
        self.batches: dict[int, list[Unsealed]] = {}
        self.plain: list[bytes] = []
        self.failure: TransportFailure | None = None
        self.size = 0
        self.closed = False
        self._changed = trio.Event()

    # -- the connection's side ----------------------------------------------------------

    async def send_all(self, data) -> None:
        if isinstance(data, Unsealed):
            self.batches.setdefault(data.session_id, []).append(data)
            self.size += data.size
            self._trim(data.session_id)
        elif isinstance(data, TransportFailure):
            self.failure = data
        else:
            self.plain.append(bytes(data))
        self._wake()

    async def aclose(self) -> None:
        self.closed = True
        self._wake()

    def _trim(self, session_id: int) -> None:
        queue = self.batches[session_id]
        dropped = 0
        while self.size > self.max_bytes and len(queue) > 1:
            self.size -= queue.pop(0).size
            dropped += 1
        if dropped:
            log.info("http_outbox_trimmed", session_id=session_id, batches=dropped)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    # -- the requests' side ---------------------------------------------------------------

    def take(self, session_id: int) -> list[Unsealed]:
        batches = self.batches.pop(session_id, [])
        self.size -= sum(batch.size for batch in batches)
        return batches

    def take_failure(self) -> TransportFailure | None:
        failure, self.failure = self.failure, None
        return failure

    def put_back(self, session_id: int, batches: list[Unsealed]) -> None:
        """A response that could not be written: its messages go first in the next one."""
        if batches and not self.closed:
            self.batches[session_id] = batches + self.batches.get(session_id, [])
            self.size += sum(batch.size for batch in batches)
            self._wake()

    async def wait_for(self, session_id: int, *, max_wait: float, wait_after: float,
                       max_delay: float) -> list[Unsealed]:
        """The session's batches once http_wait's rules say to answer (seconds here)."""
        with trio.move_on_after(max_wait):
            while not self.batches.get(session_id) and not self.closed:
                await self._changed.wait()
        if self.batches.get(session_id) and not self.closed:
            with trio.move_on_after(max_delay):
                while True:
                    with trio.move_on_after(wait_after) as quiet:
                        await self._changed.wait()
                    if quiet.cancelled_caught or self.closed:
                        break
        return self.take(session_id)
