"""The server process: a trio TCP listener, one task per connection, graceful shutdown.

`serve(config, rsa_key)` runs until cancelled or until SIGINT/SIGTERM: then it stops
accepting, stops reading from every connection, gives RPCs in flight `SHUTDOWN_GRACE`
seconds to answer, and closes. State shared by connections is `ServerState`.

serve() runs inside a trio-asyncio loop (PostgreSQL storage is asyncpg) and opens the
storage (`config.database`, default SQLite in the data dir) for its whole life.
"""

from __future__ import annotations

from collections import Counter
import os
import secrets
import signal
from functools import partial
import ssl
from pathlib import Path

import msgspec
import structlog
import trio

import rpc  # registers the handlers
import tl
from mtproto.crypto import ServerRsaKey
from mtproto.crypto.modexp import SECRET_BACKEND
from mtproto.handshake import AuthKey
from mtproto.salts import SLOT_SECONDS, SaltPolicy
from mtproto.session import EncryptedSession
from rpc.services.code_senders import parse_code_sender
from rpc.services.limits import AccountLimits, RateLimit
from rpc.services.email_senders import parse_email_sender
from rpc.services.notifications import ensure_service_user
from rpc.services.uploads import expire_uploads_forever
from storage import AlreadyExists, AuthKeyRecord, Storage, open_storage
from storage.bus import open_bus
from storage.bus.prefix import deployment_prefix
from storage.objects import open_object_store
from storage.objects.observed import ObservedObjectStore
from storage.small_map import SmallMap

from .accept import serve_listeners
from .capture import Capture
from .config import Config
from . import front
from .connection import Connection
from .health import probe_objects_at_startup
from .idle_connections import IdleConnections
from . import authorization_cache, collector, runtime_settings, user_cache
from .http_sessions import HttpSessions
from .maintenance import forget_idle_sessions_forever, upkeep_forever
from .ops_http import open_ops_http

log = structlog.get_logger("mtserver.app")

SHUTDOWN_GRACE = 5.0
SALT_SECRET_FILE = "salt_secret"


def load_or_create_secret(data_dir: str, name: str, size: int = 32) -> bytes:
    """A random secret kept in the data dir (mode 0600), the same across restarts."""
    path = Path(data_dir) / name
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(size)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret


class ServerState:
    def __init__(self, config: Config, rsa_keys: list[ServerRsaKey], storage: Storage, bus=None,
                 salt_secret: bytes | None = None):
        self.config = config
        self.rsa_keys = rsa_keys
        self.max_packet_size = 16 * 1024 * 1024
        self.storage = storage
        # Which user each key is logged in as, remembered (server/authorization_cache.py).
        authorization_cache.install(storage, bus)
        # What user views read of each user, remembered (server/user_cache.py).
        user_cache.install(storage, bus)
        self.bus = bus
        # File bytes (uploads, photos, documents): a directory or an S3 bucket.
        self.objects = ObservedObjectStore(open_object_store(config.media_url, config.data_dir))
        self.code_sender = parse_code_sender(config.code_sender)
        self.limits = AccountLimits.from_config(config)
        # New auth keys per client address (req_DH_params is where the server's work is).
        self.handshakes = RateLimit(config.auth_keys_per_minute, 60) if config.auth_keys_per_minute else None
        self.email_sender = parse_email_sender(config.email_sender, config.email_from)
        # account.getPassword's SRP challenge per permanent key, used up by the next check;
        # and the new_algo each account was last offered (a new password must use it).
        # In memory: a login's password steps stay on one connection, hence one process.
        self.srp_challenges: dict[int, object] = {}
        self.srp_offers: dict[int, object] = {}
        self.auth_keys = storage.auth_keys  # alias, for now
        self.salts = SaltPolicy(salt_secret or load_or_create_secret(config.data_dir, SALT_SECRET_FILE))
        # auth_key_id → session_id → state: outlives connections (a reconnect resumes).
        self.sessions: dict[int, SmallMap] = {}  # auth_key_id → {session_id: mtproto.session.SessionState}
        # The salt a handshake produced, accepted until the key's first slot ends.
        self.initial_salts: dict[int, tuple[int, float]] = {}
        self.connections: set[Connection] = set()
        self.unrouted = 0
        # Bytes of incomplete frames all connections hold (config.buffer_budget_mb caps it),
        # and open connections per client address (config.max_connections_per_address).
        self.buffered = 0
        self.per_address: Counter = Counter()
        self.shutting_down = False  # /readyz answers 503 from then on
        # The HTTP transport's connections, one per auth key (set when serving starts).
        self.http_sessions: HttpSessions | None = None
        # The protocol capture (server/capture/), when capture_dir is set.
        self.capture: Capture | None = None
        # Idle TCP connections without a task (server/idle_connections.py), and the
        # nursery that carries them on; set when serving starts (None: never parked).
        self.idle: IdleConnections | None = None
        self.nursery: trio.Nursery | None = None

    def connection_count(self) -> int:
        """Connections, and accepted sockets still choosing their protocol (server/front.py)."""
        return len(self.connections) + self.unrouted

    def register(self, conn: Connection) -> None:
        self.connections.add(conn)

    def unregister(self, conn: Connection) -> None:
        self.connections.discard(conn)

    def leave_address(self, address: str) -> None:
        """A connection counted in per_address ended."""
        self.per_address[address] -= 1
        if not self.per_address[address]:
            del self.per_address[address]

    async def add_auth_key(self, key: AuthKey) -> AuthKeyRecord | None:
        """Store a new key; None when its id is taken (by any key, even an expired
        temporary one not yet purged): the handshake answers dh_gen_retry. The INSERT
        is the uniqueness check, so a new key costs one statement."""
        record = AuthKeyRecord.from_handshake(key)
        authorizations = self.storage.authorizations
        try:
            if not record.temporary and isinstance(authorizations, authorization_cache.CachedAuthorizations):
                # ...and the first call's login check needs none (a new key is logged in as nobody).
                await authorizations.new_key(record.key_id, partial(self.auth_keys.add, record))
            else:
                await self.auth_keys.add(record)
        except AlreadyExists:
            return None
        self.initial_salts[key.key_id] = (key.server_salt, key.created_at + SLOT_SECONDS)
        return record

    async def forget_auth_key(self, key_id: int) -> None:
        await self.auth_keys.delete(key_id)
        self.sessions.pop(key_id, None)
        self.initial_salts.pop(key_id, None)

    async def open_session(self, key_id: int, session_class=EncryptedSession,
                           record: AuthKeyRecord | None = None) -> EncryptedSession | None:
        """The key's session on a connection; `record`: the key as the caller already
        has it (the connection that just stored it), else it is read."""
        if record is None:
            record = await self.auth_keys.get(key_id)
        if record is None:
            return None
        salt, until = self.initial_salts.get(key_id, (None, 0))
        sessions = self.sessions.get(key_id)
        if sessions is None:  # the key's sessions, shared by its connections: one, nearly always
            sessions = self.sessions[key_id] = SmallMap()
        session = session_class(
            record.key, key_id, self.salts, sessions,
            layer=tl.serving_layer(record.layer) if record.layer else None,
            initial_salt=salt, initial_salt_until=until,
        )
        if self.capture is not None:
            session.observer = self.capture.observe
        return session


async def serve(config: Config, rsa_key: ServerRsaKey, *, task_status=trio.TASK_STATUS_IGNORED,
                handle_signals: bool = True, freeze_heap: bool = False) -> None:
    """The server until it is told to stop. ``freeze_heap``: the process is the server's
    own (`mtserver run`), so what it holds once started is frozen (server/collector.py);
    a test running servers in its own process keeps its collector as it is."""
    # Older layers' request and result shapes: the codec knows them from here on.
    rpc.install_layer_adapters()
    # The operators' listener (server/ops_http.py) opens first: /readyz says "starting"
    # while migrations run.
    async with open_ops_http(config) as ops:
        storage = await open_storage(config.database, config.data_dir)
        try:
            prefix = await deployment_prefix(storage, config.redis_prefix) if config.redis else None
            async with open_bus(config.redis, **({"prefix": prefix} if prefix else {})) as bus:
                await _serve(config, rsa_key, storage, bus, task_status, handle_signals, ops, freeze_heap)
        finally:
            with trio.CancelScope(shield=True):
                await storage.close()


async def _serve(config: Config, rsa_key: ServerRsaKey, storage: Storage, bus, task_status,
                 handle_signals: bool, ops=None, freeze_heap: bool = False) -> None:
    listeners = await trio.open_tcp_listeners(config.port, host=config.host)
    port = listeners[0].socket.getsockname()[1]
    if config.port == 0:
        # Tests listen on an ephemeral port; clients must be told the real one.
        config = msgspec.structs.replace(config, port=port, public_port=port if config.public_port in (0, None) else config.public_port)
    # The salt secret lives in the database, so every process checks every salt; a
    # secret an older version kept in the data dir is carried over.
    legacy = Path(config.data_dir) / SALT_SECRET_FILE
    salt_secret = await storage.secrets.get_or_create(
        "salt", initial=legacy.read_bytes() if legacy.exists() else None)
    await ensure_service_user(storage, config.service_name)
    state = ServerState(config, [rsa_key], storage, bus, salt_secret)
    web_listeners = []
    if config.ws_port is not None:
        web_listeners = await trio.open_tcp_listeners(config.ws_port, host=config.host)
        log.info("listening_web", host=config.host, port=web_listeners[0].socket.getsockname()[1],
                 tls=bool(config.tls_cert))
    state.web_port = web_listeners[0].socket.getsockname()[1] if web_listeners else None
    collector.watch_pauses()
    frozen = collector.freeze_startup_heap() if freeze_heap else 0
    log.info("listening", host=config.host, port=port, public_host=config.public_host, public_port=config.public_port,
             fingerprint=rsa_key.fingerprint_hex, storage=storage.backend, schema_version=storage.schema_version,
             # The handshake's secret exponentiations (mtproto/crypto/modexp.py): OpenSSL, or
             # GMP at twice the CPU per new key.
             handshake_math=SECRET_BACKEND, rsa_in_openssl=rsa_key.raw is not None, frozen_objects=frozen)
    async with trio.open_nursery() as nursery:
        accept_scope = trio.CancelScope()

        tls = tls_context(config)

        async def accept() -> None:
            with accept_scope:
                async with trio.open_nursery() as acceptors:
                    # Not trio's serve_listeners: it closes a stream when its handler returns
                    # (server/accept.py).
                    acceptors.start_soon(partial(serve_listeners, partial(_handle, state),
                                                 listeners, handler_nursery=nursery))
                    if web_listeners:
                        acceptors.start_soon(partial(
                            serve_listeners, lambda stream: _handle_web(state, stream, tls), web_listeners,
                            handler_nursery=nursery))

        state.http_sessions = HttpSessions(state, nursery)
        state.nursery = nursery
        state.idle = IdleConnections(nursery)
        nursery.start_soon(state.idle.run)
        if config.capture_dir:
            state.capture = Capture(config, storage)
            await nursery.start(state.capture.run)
        nursery.start_soon(accept)
        nursery.start_soon(upkeep_forever, state)
        nursery.start_soon(forget_idle_sessions_forever, state)
        nursery.start_soon(expire_uploads_forever, state)
        nursery.start_soon(probe_objects_at_startup, state)
        nursery.start_soon(runtime_settings.follow, state)
        nursery.start_soon(authorization_cache.follow, storage, bus)
        nursery.start_soon(user_cache.follow, storage, bus)
        if ops is not None:
            ops.serving(state)
        if handle_signals:
            nursery.start_soon(_watch_signals, state, accept_scope, nursery.cancel_scope)
        task_status.started(state)


def _peer(stream: trio.SocketStream) -> str:
    try:
        host, port = stream.socket.getpeername()[:2]
        return f"{host}:{port}"
    except OSError:
        return "?"


async def _handle(state: ServerState, stream: trio.SocketStream) -> None:
    await front.handle(state, stream, _peer(stream))


async def _handle_web(state: ServerState, stream: trio.SocketStream, tls: ssl.SSLContext | None) -> None:
    """MTSERVER_WS_PORT: WebSocket and the HTTP transport only, over TLS when configured."""
    peer = _peer(stream)
    if tls is not None:
        stream = trio.SSLStream(stream, tls, server_side=True)
    await front.handle(state, stream, peer, http_only=True)


def tls_context(config: Config) -> ssl.SSLContext | None:
    if not config.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config.tls_cert, config.tls_key or None)
    return context


async def _watch_signals(state: ServerState, accept_scope: trio.CancelScope, everything: trio.CancelScope) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("shutdown", signal=signal.Signals(signum).name, connections=len(state.connections))
            await shutdown(state, accept_scope)
            everything.cancel()
            return


async def shutdown(state: ServerState, accept_scope: trio.CancelScope) -> None:
    """Stop accepting, stop reading, let RPCs in flight answer for SHUTDOWN_GRACE seconds."""
    state.shutting_down = True
    accept_scope.cancel()
    for conn in list(state.connections):
        conn.stop_reading()
    with trio.move_on_after(SHUTDOWN_GRACE):
        while state.connections:
            await trio.sleep(0.05)
