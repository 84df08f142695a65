"""The HTTP transport's connections: one per auth key, living across HTTP requests.

Over TCP a connection is the socket. Over HTTP (https://core.telegram.org/mtproto/transports#http)
each request carries one packet and the socket may close after any of them, but the
session goes on: its RPCs still answer, its updates still arrive. So each auth key
used over HTTP gets an ``HttpConnection``, server/connection.py's Connection with
HTTP's pieces put in (packets come from requests instead of a socket; answers go to
an Outbox, server/http_outbox.py; sessions queue numbered messages,
mtproto/http_session.py). It runs in the server's nursery, counts as a connection
(MTSERVER_MAX_CONNECTIONS), and ends after MTSERVER_IDLE_TIMEOUT without a request.

Per connection, as over TCP: at most MAX_RPCS_IN_FLIGHT RPCs run, and a bounded inbox
of packets waits for them (a full one answers 429). Sessions live in one process:
several processes behind a load balancer need it to route one auth key's requests to
one process (sticky by client address), as for any HTTP long-polling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
import trio

from mtproto.http_session import HttpEncryptedSession
from mtproto.transport import Packet

from .connection import Connection
from .http_outbox import Outbox, PassThrough, TransportFailure

log = structlog.get_logger("mtserver.http")

INBOX_SIZE = 64


@dataclass
class Submitted:
    """One request's packet, and what processing it found out."""

    payload: bytes
    done: trio.Event = field(default_factory=trio.Event)
    accepted: bool = False
    session_id: int | None = None
    http_wait: object | None = None  # the packet's http_wait, if it had one
    failure: TransportFailure | None = None


class HttpConnection(Connection):
    session_class = HttpEncryptedSession

    def __init__(self, state, key_id: int, peer: str):
        self.outbox = Outbox()
        super().__init__(state, self.outbox, peer)
        self.transport = PassThrough()
        self.key_id = key_id
        self._inbox_send, self._inbox = trio.open_memory_channel(INBOX_SIZE)
        self.ended = False

    def submit(self, item: Submitted) -> bool:
        """Queue a request's packet; False when the inbox is full or the connection ended."""
        if self.ended:
            return False
        try:
            self._inbox_send.send_nowait(item)
        except (trio.WouldBlock, trio.ClosedResourceError, trio.BrokenResourceError):
            return False
        return True

    def session(self) -> HttpEncryptedSession | None:
        return self.encrypted.get(self.key_id)

    async def _read_loop(self) -> None:
        try:
            await self._read_requests()
        finally:
            self.ended = True  # later requests start a new connection for the key

    async def _read_requests(self) -> None:
        idle = self.state.config.idle_timeout
        while True:
            with trio.move_on_after(idle) as timer:
                item = await self._inbox.receive()
            if timer.cancelled_caught:
                log.info("connection_idle", peer=self.peer, seconds=idle)
                return
            ok = False
            try:
                ok = await self._on_transport_event(Packet(item.payload))
            finally:
                session = self.session()
                if session is not None and session.session is not None:
                    item.session_id = session.session.session_id
                    item.http_wait = session.http_wait
                item.accepted = ok
                item.failure = self.outbox.take_failure()
                item.done.set()
            if self.closing or (not ok and self.key_id not in self.state.sessions):
                return  # the auth key was destroyed (destroy_auth_key) or the server stops
            # Otherwise a packet that did not decrypt fails only its own request: auth
            # key ids are not secret, and anyone could otherwise end this connection.

    def stop_reading(self) -> None:
        self.ended = True
        super().stop_reading()


class HandshakeConnection(Connection):
    """The auth key handshake over HTTP, for one TCP connection's requests (keep-alive
    carries its steps). Never run: its requests call _on_plain directly."""

    def __init__(self, state, peer: str):
        self.outbox = Outbox()
        super().__init__(state, self.outbox, peer)
        self.transport = PassThrough()

    async def answer(self, payload: bytes) -> bytes | TransportFailure:
        ok = await self._on_plain(payload)
        failure = self.outbox.take_failure()
        if not ok or failure is not None or not self.outbox.plain:
            return failure or TransportFailure(404)
        return self.outbox.plain.pop(0)


class HttpSessions:
    """auth_key_id → its HttpConnection, started on the first request that needs it."""

    def __init__(self, state, nursery: trio.Nursery):
        self.state = state
        self.nursery = nursery
        self.by_key: dict[int, HttpConnection] = {}

    async def get(self, key_id: int, peer: str) -> HttpConnection | TransportFailure:
        conn = self.by_key.get(key_id)
        if conn is not None and not conn.ended:
            return conn
        if not await self.state.auth_keys.exists(key_id):
            log.info("unknown_auth_key", peer=peer, auth_key_id=key_id, transport="http")
            return TransportFailure(404)
        conn = self.by_key.get(key_id)  # another request may have started it meanwhile
        if conn is not None and not conn.ended:
            return conn
        if self.state.connection_count() >= self.state.config.max_connections:
            return TransportFailure(429)
        conn = HttpConnection(self.state, key_id, peer)
        self.by_key[key_id] = conn
        self.nursery.start_soon(self._run, conn)
        return conn

    async def _run(self, conn: HttpConnection) -> None:
        try:
            await conn.run()
        finally:
            conn.ended = True
            if self.by_key.get(conn.key_id) is conn:
                del self.by_key[conn.key_id]
            # Requests still queued find no one to process them.
            for item in _drain(conn._inbox):
                item.failure = TransportFailure(404)
                item.done.set()


def _drain(channel) -> list[Submitted]:
    items = []
    while True:
        try:
            items.append(channel.receive_nowait())
        except (trio.WouldBlock, trio.EndOfChannel, trio.ClosedResourceError):
            return items
