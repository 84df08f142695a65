"""The server process: a trio TCP listener, one task per connection, graceful shutdown.

`serve(config, rsa_key)` runs until cancelled or until SIGINT/SIGTERM: then it stops
accepting, stops reading from every connection, gives RPCs in flight `SHUTDOWN_GRACE`
seconds to answer, and closes. State shared by connections is `ServerState`.

serve() runs inside a trio-asyncio loop (PostgreSQL storage is asyncpg) and opens the
storage (`config.database`, default SQLite in the data dir) for its whole life.
"""

from __future__ import annotations

import os
import secrets
import signal
from pathlib import Path

import msgspec
import structlog
import trio
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
import tl
from mtproto.crypto import ServerRsaKey
from mtproto.handshake import AuthKey
from mtproto.salts import SLOT_SECONDS, SaltPolicy
from mtproto.session import EncryptedSession, SessionState
from rpc.services.code_senders import parse_code_sender
from rpc.services.limits import AccountLimits
from rpc.services.notifications import ensure_service_user
from rpc.services.uploads import expire_uploads_forever
from storage import AuthKeyRecord, Storage, open_storage
from storage.bus import open_bus
from storage.objects import open_object_store
from storage.objects.observed import ObservedObjectStore

from .config import Config
from .connection import Connection
from .maintenance import prune_update_logs
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
        self.bus = bus
        # File bytes (uploads, photos, documents): a directory or an S3 bucket.
        self.objects = ObservedObjectStore(open_object_store(config.media_url, config.data_dir))
        self.code_sender = parse_code_sender(config.code_sender)
        self.limits = AccountLimits()
        # account.getPassword's SRP challenge per permanent key, used up by the next check;
        # and the new_algo each account was last offered (a new password must use it).
        # In memory: a login's password steps stay on one connection, hence one process.
        self.srp_challenges: dict[int, object] = {}
        self.srp_offers: dict[int, object] = {}
        self.auth_keys = storage.auth_keys  # alias, for now
        self.salts = SaltPolicy(salt_secret or load_or_create_secret(config.data_dir, SALT_SECRET_FILE))
        # auth_key_id → session_id → state: outlives connections (a reconnect resumes).
        self.sessions: dict[int, dict[int, SessionState]] = {}
        # The salt a handshake produced, accepted until the key's first slot ends.
        self.initial_salts: dict[int, tuple[int, float]] = {}
        self.connections: set[Connection] = set()
        self.shutting_down = False  # /readyz answers 503 from then on

    def register(self, conn: Connection) -> None:
        self.connections.add(conn)

    def unregister(self, conn: Connection) -> None:
        self.connections.discard(conn)

    async def add_auth_key(self, key: AuthKey) -> None:
        await self.auth_keys.add(AuthKeyRecord.from_handshake(key))
        self.initial_salts[key.key_id] = (key.server_salt, key.created_at + SLOT_SECONDS)

    async def forget_auth_key(self, key_id: int) -> None:
        await self.auth_keys.delete(key_id)
        self.sessions.pop(key_id, None)
        self.initial_salts.pop(key_id, None)

    async def open_session(self, key_id: int) -> EncryptedSession | None:
        record = await self.auth_keys.get(key_id)
        if record is None:
            return None
        salt, until = self.initial_salts.get(key_id, (None, 0))
        return EncryptedSession(
            record.key, key_id, self.salts, self.sessions.setdefault(key_id, {}),
            layer=tl.serving_layer(record.layer) if record.layer else None,
            initial_salt=salt, initial_salt_until=until,
        )


async def serve(config: Config, rsa_key: ServerRsaKey, *, task_status=trio.TASK_STATUS_IGNORED,
                handle_signals: bool = True) -> None:
    # The operators' listener (server/ops_http.py) opens first: /readyz says "starting"
    # while migrations run.
    async with trio_asyncio.open_loop(), open_ops_http(config) as ops:
        storage = await open_storage(config.database, config.data_dir)
        try:
            async with open_bus(config.redis) as bus:
                await _serve(config, rsa_key, storage, bus, task_status, handle_signals, ops)
        finally:
            with trio.CancelScope(shield=True):
                await storage.close()


async def _serve(config: Config, rsa_key: ServerRsaKey, storage: Storage, bus, task_status,
                 handle_signals: bool, ops=None) -> None:
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
    log.info("listening", host=config.host, port=port, public_host=config.public_host, public_port=config.public_port,
             fingerprint=rsa_key.fingerprint_hex, storage=storage.backend, schema_version=storage.schema_version)
    async with trio.open_nursery() as nursery:
        accept_scope = trio.CancelScope()

        async def accept() -> None:
            with accept_scope:
                await trio.serve_listeners(lambda stream: _handle(state, stream), listeners,
                                           handler_nursery=nursery)

        nursery.start_soon(accept)
        nursery.start_soon(prune_update_logs, state)
        nursery.start_soon(expire_uploads_forever, state)
        if ops is not None:
            ops.serving(state)
        if handle_signals:
            nursery.start_soon(_watch_signals, state, accept_scope, nursery.cancel_scope)
        task_status.started(state)


async def _handle(state: ServerState, stream: trio.SocketStream) -> None:
    try:
        host, port = stream.socket.getpeername()[:2]
        peer = f"{host}:{port}"
    except OSError:
        peer = "?"
    # Over the limit, the connection still learns its transport so that the -429
    # ("too many connections", mtproto-transports) reaches the client framed.
    over_capacity = len(state.connections) >= state.config.max_connections
    await Connection(state, stream, peer, refuse_with=-429 if over_capacity else None).run()


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
