"""The operators' HTTP listener: ``/metrics``, ``/healthz`` and ``/readyz``.

Off unless ``http`` is set (``MTSERVER_HTTP``, ``mtserver run --http HOST:PORT``). It
opens before the storage (so that ``/readyz`` can say "starting" during migrations)
and closes after everything else; server/app.py calls :meth:`OpsHttp.serving` once the
MTProto port listens, and ``state.shutting_down`` turns ``/readyz`` to 503.

- ``/metrics``: the Prometheus text format of server/metrics.py's registry;
- ``/healthz``: 200 when the database, Redis (if configured) and the object store
  answer (server/health.py), else 503; a JSON body names each check;
- ``/readyz``: 200 once start-up is over (migrations applied, the port listening), 503
  while starting and while shutting down;
- ``/admin/...``: the admin API and web console (server/admin_http.py), which alone
  take other methods than GET and HEAD, and bodies.

HTTP/1.1 through h11 (sans-IO; this module only moves bytes). Even an operators' port
gets hostile input, so: GET and HEAD only, one request per connection (answered with
``Connection: close``), a request head of at most ``MAX_REQUEST_BYTES``, the head within
``HEAD_TIMEOUT`` seconds and the whole exchange within ``EXCHANGE_TIMEOUT``, at most
``MAX_CONNECTIONS`` at once (more are closed unanswered). Requests are not logged.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import h11
import msgspec
import structlog
import trio
from prometheus_client import generate_latest

from rpc.dispatch import UNIMPLEMENTED

from . import health, metrics
from .admin_http import AdminHttp
from .config import Config, parse_http_address
from .health import HealthChecks, SingleFlight

log = structlog.get_logger("mtserver.ops_http")

MAX_REQUEST_BYTES = 8192
HEAD_TIMEOUT = 5.0
EXCHANGE_TIMEOUT = 15.0
MAX_CONNECTIONS = 32
UPDATE_LOG_REFRESH = 60.0  # seconds between counts of the update log, at most
_READ_SIZE = 4096
_DRAIN_BYTES = 65536
_JSON = "application/json"
_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"  # what generate_latest writes
_REASONS = {200: b"OK", 201: b"Created", 202: b"Accepted", 308: b"Permanent Redirect", 400: b"Bad Request",
            401: b"Unauthorized", 403: b"Forbidden", 404: b"Not Found", 405: b"Method Not Allowed",
            409: b"Conflict", 413: b"Content Too Large", 429: b"Too Many Requests",
            431: b"Request Header Fields Too Large", 500: b"Internal Server Error", 503: b"Service Unavailable"}


class OpsHttp:
    """What the endpoints know of the server: its state once serving."""

    def __init__(self) -> None:
        self.state = None
        self.port: int | None = None
        self._health: HealthChecks | None = None
        self._nursery: trio.Nursery | None = None
        self._active = 0
        self._update_log = SingleFlight(self._count_update_log)
        self._update_log_at = -math.inf
        self.collector = metrics.StateCollector(lambda: self.state, UNIMPLEMENTED)
        self.admin = AdminHttp(self)

    def serving(self, state) -> None:
        """Start-up is over: the MTProto port listens on ``state``."""
        self.state = state
        self._health = HealthChecks(state)

    @property
    def phase(self) -> str:
        if self.state is None:
            return "starting"
        return "stopping" if getattr(self.state, "shutting_down", False) else "ready"

    # -- connections ----------------------------------------------------------------------

    async def handle(self, stream: trio.abc.Stream) -> None:
        if self._active >= MAX_CONNECTIONS:
            await trio.aclose_forcefully(stream)
            return
        self._active += 1
        try:
            with trio.move_on_after(EXCHANGE_TIMEOUT):
                await self._exchange(stream)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        except Exception:  # a bug here must not take the server down
            log.exception("ops_http_failed")
        finally:
            self._active -= 1
            await trio.aclose_forcefully(stream)

    async def _exchange(self, stream: trio.abc.Stream) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_REQUEST_BYTES)
        with trio.move_on_after(HEAD_TIMEOUT) as head_timer:
            try:
                request = await _next_request(conn, stream)
            except h11.RemoteProtocolError as exc:
                await self._send(stream, conn, exc.error_status_hint, {"error": str(exc)}, head=False)
                await _drain(stream)
                return
        if head_timer.cancelled_caught:
            # h11 answers only a request it has seen or refused: this one is written by hand.
            await stream.send_all(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n"
                                  b"connection: close\r\n\r\n")
            return
        if request is None:  # the client left without asking
            return
        method = request.method
        if request.target == b"/admin" or request.target.startswith((b"/admin/", b"/admin?")):
            await self.admin.exchange(stream, conn, request)
            return
        if method not in (b"GET", b"HEAD"):
            await self._send(stream, conn, 405, {"error": "GET only"}, head=False, extra=[("allow", "GET, HEAD")])
            await _drain(stream)
            return
        path = request.target.partition(b"?")[0]
        status, body, content_type = await self._route(path)
        await self._send(stream, conn, status, body, head=method == b"HEAD", content_type=content_type)

    async def _route(self, path: bytes) -> tuple[int, object, str]:
        if path == b"/metrics":
            await self._refresh_update_log()
            return 200, generate_latest(metrics.REGISTRY), _PROMETHEUS_TEXT
        if path == b"/readyz":
            phase = self.phase
            return (200 if phase == "ready" else 503), {"status": phase}, _JSON
        if path == b"/healthz":
            if self._health is None or self._nursery is None:
                return 503, {"status": self.phase, "checks": {}, "failed": []}, _JSON
            checks = await self._health.run(self._nursery)
            failed = [name for name, result in checks.items() if result != "ok"]
            return (503 if failed else 200), {"status": "failing" if failed else "ok", "checks": checks,
                                              "failed": failed}, _JSON
        return 404, {"error": "not found", "endpoints": ["/metrics", "/healthz", "/readyz", "/admin/"]}, _JSON

    async def _send(self, stream: trio.abc.Stream, conn: h11.Connection, status: int, body: object, *, head: bool,
                    content_type: str = "application/json", extra: list[tuple[str, str]] = ()) -> None:
        data = body if isinstance(body, bytes) else msgspec.json.encode(body) + b"\n"
        headers = [("content-type", content_type), ("content-length", str(len(data))),
                   ("cache-control", "no-store"), ("connection", "close"), *extra]
        out = conn.send(h11.Response(status_code=status, headers=headers, reason=_REASONS.get(status, b"")))
        if not head:
            out += conn.send(h11.Data(data=data))
        out += conn.send(h11.EndOfMessage())
        await stream.send_all(out)

    # -- the update log gauge ------------------------------------------------------------

    async def _refresh_update_log(self) -> None:
        if self.state is None or self._nursery is None:
            return
        now = trio.current_time()
        if now - self._update_log_at < UPDATE_LOG_REFRESH:
            return
        self._update_log_at = now
        ok, rows = await self._update_log.run(self._nursery, health.CHECK_TIMEOUT)
        if ok:
            metrics.UPDATE_LOG_ROWS.set(rows)

    async def _count_update_log(self) -> int:
        return await self.state.storage.messages.update_log_rows()



async def _next_request(conn: h11.Connection, stream: trio.abc.Stream) -> h11.Request | None:
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(_READ_SIZE))
            continue
        if isinstance(event, h11.Request):
            return event
        return None  # ConnectionClosed


async def _drain(stream: trio.abc.Stream) -> None:
    """Read what the client still sends, briefly, before closing: closing a socket with
    unread input resets it, and the client may lose the answer it was sent."""
    with trio.move_on_after(0.5):
        received = 0
        while received < _DRAIN_BYTES:
            data = await stream.receive_some(_READ_SIZE)
            if not data:
                return
            received += len(data)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


@asynccontextmanager
async def open_ops_http(config: Config) -> AsyncIterator[OpsHttp]:
    """The ops listener, serving while the block runs; an idle OpsHttp when ``http`` is
    not set. Raises OSError when the address cannot be listened on."""
    ops = OpsHttp()
    if not config.http:
        yield ops
        return
    host, port = parse_http_address(config.http)
    listeners = await trio.open_tcp_listeners(port, host=host)
    if not is_loopback(host):
        log.warning("ops_http_not_loopback", host=host, port=port,
                    hint="metrics and health reveal how the server is used: keep the port private "
                         "(a firewall, or a container network) or listen on 127.0.0.1")
    ops.port = listeners[0].socket.getsockname()[1]
    log.info("ops_http_listening", host=host, port=ops.port, endpoints=["/metrics", "/healthz", "/readyz", "/admin/"])
    metrics.REGISTRY.register(ops.collector)
    try:
        async with trio.open_nursery() as nursery:
            ops._nursery = nursery
            nursery.start_soon(trio.serve_listeners, ops.handle, listeners)
            try:
                yield ops
            finally:
                nursery.cancel_scope.cancel()
    finally:
        metrics.REGISTRY.unregister(ops.collector)
