"""HTTP/1.1 requests in, responses out, sans-IO: what the HTTP transport and the
WebSocket upgrade need, and no more.

https://core.telegram.org/mtproto/transports#http: a client POSTs one MTProto packet
(no transport envelope) to ``/api`` and the response body is one packet; keep-alive
carries the next request. Browsers (and WebSocket clients) start with ``GET /apiws``
and an upgrade. So the reader takes one request at a time from a byte stream:
the head (bounded by ``max_head``, at most ``MAX_HEADERS`` fields), then a body of
exactly ``Content-Length`` bytes (bounded by ``max_body``; chunked bodies are refused
with 411, which real MTProto clients never send). Anything malformed is a
``BadRequest`` with the status to answer, after which the reader is dead: the
connection closes after that answer.

No sockets, clocks or deadlines here (server/front.py owns those); no routing either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_HEAD = 16 * 1024
MAX_HEADERS = 64
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS"})

REASONS = {
    101: "Switching Protocols", 200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required", 413: "Content Too Large",
    426: "Upgrade Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 503: "Service Unavailable", 505: "HTTP Version Not Supported",
}

# Browsers reach /api from pages on other origins (Telegram's own web clients did): the
# answers carry CORS headers as Telegram's servers send them.
CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "origin, content-type"),
    ("Access-Control-Max-Age", "1728000"),
)


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    version: str  # "HTTP/1.1" or "HTTP/1.0"
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; repeats joined by ", "
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def tokens(self, name: str) -> set[str]:
        """A comma-separated header as lower-case tokens (Connection: keep-alive, Upgrade)."""
        return {part.strip().lower() for part in self.header(name).split(",") if part.strip()}

    @property
    def keep_alive(self) -> bool:
        connection = self.tokens("connection")
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


@dataclass(frozen=True)
class BadRequest:
    status: int
    reason: str


class RequestReader:
    """Reads requests one after another from a connection's bytes (keep-alive)."""

    def __init__(self, *, max_head: int = MAX_HEAD, max_body: int = 1 << 24) -> None:
        self.max_head = max_head
        self.max_body = max_body
        self.error: BadRequest | None = None
        self._buffer = bytearray()
        self._head: Request | None = None
        self._body_size = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def head_done(self) -> bool:
        """The current request's head is read; its body is still coming."""
        return self._head is not None

    def feed(self, data: bytes) -> None:
        if self.error is None:
            self._buffer += data

    def take_rest(self) -> bytes:
        """Bytes after the last request (the first WebSocket frames after an upgrade)."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        return rest

    def next_request(self) -> Request | BadRequest | None:
        """The next complete request, a BadRequest, or None until more bytes come."""
        if self.error is not None:
            return self.error
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > self.max_head:
                    return self._fail(431, f"request head longer than {self.max_head} bytes")
                return None
            if end + 4 > self.max_head:
                return self._fail(431, f"request head longer than {self.max_head} bytes")
            head = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            parsed = self._parse_head(head)
            if isinstance(parsed, BadRequest):
                return parsed
            self._head = parsed
        if len(self._buffer) < self._body_size:
            return None
        head, self._head = self._head, None
        body = bytes(self._buffer[: self._body_size])
        del self._buffer[: self._body_size]
        return Request(head.method, head.target, head.version, head.headers, body)

    def _parse_head(self, head: bytes) -> Request | BadRequest:
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
            return self._fail(400, "undecodable request head")
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return self._fail(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            return self._fail(505, f"unsupported version {version[:16]!r}")
        if method not in METHODS:
            return self._fail(405, f"method {method[:16]!r} not served")
        if not target.startswith("/"):
            return self._fail(400, "request target must be a path")
        if len(lines) - 1 > MAX_HEADERS:
            return self._fail(431, f"more than {MAX_HEADERS} header fields")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip() or any(c in name for c in " \t"):
                return self._fail(400, "malformed header field")
            name, value = name.lower(), value.strip(" \t")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if "transfer-encoding" in headers:
            return self._fail(411, "chunked bodies are not accepted; send Content-Length")
        length = headers.get("content-length", "0")
        if not length.isdigit() or len(length) > 12 or "," in length:
            return self._fail(400, "malformed Content-Length")
        self._body_size = int(length)
        if self._body_size > self.max_body:
            return self._fail(413, f"body of {self._body_size} bytes exceeds {self.max_body}")
        return Request(method, target, version, headers)

    def _fail(self, status: int, reason: str) -> BadRequest:
        self.error = BadRequest(status, reason)
        self._buffer = bytearray()
        return self.error


def response(status: int, body: bytes = b"", *, headers: tuple[tuple[str, str], ...] = (),
             keep_alive: bool = True, content_type: str = "application/octet-stream") -> bytes:
    """A whole HTTP/1.1 response with Content-Length (and the CORS headers)."""
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
    for name, value in (*CORS_HEADERS, *headers):
        lines.append(f"{name}: {value}")
    if body or status not in (101, 204):
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def upgrade_response(accept: str, subprotocol: str | None) -> bytes:
    """101 Switching Protocols for a WebSocket upgrade (RFC 6455 section 4.2.2)."""
    lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Accept: {accept}"]
    if subprotocol:
        lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
