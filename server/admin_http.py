"""The admin API and console over HTTP: the ``/admin`` part of the operators' listener
(server/ops_http.py hands it every request whose path starts with ``/admin``).

- ``/admin/`` (and its ``console.js`` / ``console.css``): the web console, static files
  from server/admin_console/, served without a token (they hold no data; the page asks
  for a token and sends it with every API call);
- ``/admin/api/...``: the endpoints of server/admin_api.py, each call authenticated by
  server/admin_auth.py.

Bodies are JSON, at most ``MAX_BODY`` bytes (413 past that, checked as they arrive,
with or without Content-Length), read within the listener's exchange deadline. TLS is
not done here: put a TLS proxy in front when the listener is not on loopback (README).
The console's pages forbid framing and allow scripts from this origin only.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote

import h11
import structlog
import trio

from . import admin_api
from .admin_auth import AdminAuth, Denied

log = structlog.get_logger("mtserver.admin_http")

MAX_BODY = 64 * 1024
MAX_QUERY_FIELDS = 20
_CONSOLE_DIR = Path(__file__).resolve().parent / "admin_console"
_STATIC = {  # path → (file, content type)
    "/admin/": ("index.html", "text/html; charset=utf-8"),
    "/admin/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/admin/console.css": ("console.css", "text/css; charset=utf-8"),
}
_PAGE_HEADERS = [
    ("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
]


class BodyTooLarge(Exception):
    pass


class AdminHttp:
    def __init__(self, ops):
        self.ops = ops
        self.auth = AdminAuth()
        self._static: dict[str, bytes] = {}

    async def exchange(self, stream: trio.abc.Stream, conn: h11.Connection, request: h11.Request) -> None:
        target = request.target.decode("ascii", "replace")
        path, _, query = target.partition("?")
        method = request.method.decode("ascii", "replace")
        if path == "/admin":
            await self.ops._send(stream, conn, 308, b"", head=False, content_type="text/plain",
                                 extra=[("location", "/admin/")])
            return
        if path in _STATIC:
            await self._page(stream, conn, method, path)
            return
        if not path.startswith("/admin/api/"):
            await self.ops._send(stream, conn, 404, {"error": "not found", "console": "/admin/"}, head=False)
            return
        try:
            body = await read_body(conn, stream, request.headers, MAX_BODY)
        except (BodyTooLarge, h11.RemoteProtocolError) as exc:
            from .ops_http import _drain

            status, error = (413, f"bodies are at most {MAX_BODY} bytes") if isinstance(exc, BodyTooLarge) \
                else (400, str(exc))
            await self.ops._send(stream, conn, status, {"error": error}, head=False)
            await _drain(stream)  # closing with unread input would reset the answer away
            return
        if body is None:
            return  # the client left
        state = self.ops.state
        if state is None:
            await self.ops._send(stream, conn, 503, {"error": "the server is starting"}, head=False)
            return
        try:
            token = await self.auth.check(state.storage, request.headers, _address(stream))
        except Denied as exc:
            extra = [("www-authenticate", 'Bearer realm="mtserver admin"')] if exc.status == 401 else []
            if exc.retry_after is not None:
                extra.append(("retry-after", str(exc.retry_after)))
            await self.ops._send(stream, conn, exc.status, {"error": exc.error}, head=False, extra=extra)
            return
        call = admin_api.Request(method, unquote(path), _query(query), body, token, self.ops._nursery)
        try:
            status, payload = await admin_api.handle(state, call)
        except Exception:
            log.exception("admin_api_failed", method=method, path=path)
            status, payload = 500, {"error": "internal error (logged)"}
        await self.ops._send(stream, conn, status, payload, head=False)

    async def _page(self, stream, conn, method: str, path: str) -> None:
        if method not in ("GET", "HEAD"):
            await self.ops._send(stream, conn, 405, {"error": "GET only"}, head=False, extra=[("allow", "GET, HEAD")])
            return
        name, content_type = _STATIC[path]
        data = self._static.get(name)
        if data is None:
            data = self._static[name] = await trio.Path(_CONSOLE_DIR / name).read_bytes()
        await self.ops._send(stream, conn, 200, data, head=method == "HEAD", content_type=content_type,
                             extra=_PAGE_HEADERS)


async def read_body(conn: h11.Connection, stream: trio.abc.Stream, headers, limit: int) -> bytes | None:
    """The request body (b"" for none), BodyTooLarge past ``limit`` bytes, None if the
    client closed first."""
    for name, value in headers:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLarge
    if conn.they_are_waiting_for_100_continue:  # curl waits a second for it otherwise
        await stream.send_all(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(4096))
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > limit:
                raise BodyTooLarge
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return b"".join(chunks)
        else:
            return None


def _query(query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return {}
    return {name: value for name, value in reversed(pairs)}  # the first of a repeated name wins


def _address(stream) -> str:
    try:
        return str(stream.socket.getpeername()[0])
    except (AttributeError, OSError):
        return "?"
