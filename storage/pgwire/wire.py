"""The PostgreSQL frontend/backend protocol, version 3.0, as bytes (sans-IO).

Frontend messages are built by plain functions; :class:`MessageSplitter` cuts what the
server sends into ``(kind, payload)`` pairs. Nothing here touches a socket
(https://www.postgresql.org/docs/current/protocol-message-formats.html).
"""

from __future__ import annotations

import struct

from .errors import ProtocolViolation

PROTOCOL_VERSION = 196608  # 3.0
SSL_REQUEST_CODE = 80877103
_INT32 = struct.Struct("!i")
_LENGTH = struct.Struct("!i")
# A backend message longer than this is refused: the server is trusted, but a broken
# stream must not make the client buffer without bound. Rows here are far smaller.
MAX_MESSAGE = 256 * 1024 * 1024

# Backend message kinds (the first byte)
AUTHENTICATION = ord("R")
BACKEND_KEY_DATA = ord("K")
BIND_COMPLETE = ord("2")
CLOSE_COMPLETE = ord("3")
COMMAND_COMPLETE = ord("C")
DATA_ROW = ord("D")
EMPTY_QUERY = ord("I")
ERROR = ord("E")
NO_DATA = ord("n")
NOTICE = ord("N")
NOTIFICATION = ord("A")
PARAMETER_DESCRIPTION = ord("t")
PARAMETER_STATUS = ord("S")
PARSE_COMPLETE = ord("1")
PORTAL_SUSPENDED = ord("s")
READY_FOR_QUERY = ord("Z")
ROW_DESCRIPTION = ord("T")

SYNC = b"S\0\0\0\x04"
TERMINATE = b"X\0\0\0\x04"
EXECUTE_ALL = b"E\0\0\0\x09\0\0\0\0\0"  # the unnamed portal, every row


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + _LENGTH.pack(len(body) + 4) + body


def _cstring(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    if b"\0" in data:
        raise ValueError("a NUL byte cannot be sent in a protocol string")
    return data + b"\0"


def startup(parameters: dict[str, str]) -> bytes:
    body = _INT32.pack(PROTOCOL_VERSION) + b"".join(
        _cstring(k) + _cstring(v) for k, v in parameters.items()) + b"\0"
    return _LENGTH.pack(len(body) + 4) + body


def ssl_request() -> bytes:
    return struct.pack("!ii", 8, SSL_REQUEST_CODE)


def password(secret: bytes) -> bytes:
    return _message(b"p", secret + b"\0")


def sasl_initial(mechanism: str, data: bytes) -> bytes:
    return _message(b"p", _cstring(mechanism) + _INT32.pack(len(data)) + data)


def sasl_response(data: bytes) -> bytes:
    return _message(b"p", data)


def query(sql: str) -> bytes:
    """A simple-protocol Query: no parameters, text results, may hold several statements."""
    return _message(b"Q", _cstring(sql))


def parse(name: bytes, sql: str) -> bytes:
    return _message(b"P", _cstring(name) + _cstring(sql) + b"\0\0")  # the server infers every type


# Bind of the unnamed statement to the unnamed portal: no parameters, text results.
_BIND_UNNAMED = b"B\0\0\0\x0c\0\0\0\0\0\0\0\0"


def unsynced(sql: str) -> bytes:
    """A statement without parameters through the extended protocol but without its Sync
    (Parse, Bind, Execute): it runs as the server reaches it, and its answer goes out
    with the next Sync's, in one reply. A failure skips what follows up to that Sync."""
    return parse(b"", sql) + _BIND_UNNAMED + EXECUTE_ALL


def describe_statement(name: bytes) -> bytes:
    return _message(b"D", b"S" + _cstring(name))


def close_statement(name: bytes) -> bytes:
    return _message(b"C", b"S" + _cstring(name))


class MessageSplitter:
    """Backend bytes in, complete ``(kind, payload)`` messages out, in order."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        buffer = self._pending + data if self._pending else data
        size = len(buffer)
        position = 0
        messages = []
        unpack = _LENGTH.unpack_from
        while size - position >= 5:
            length = unpack(buffer, position + 1)[0]
            if length < 4 or length > MAX_MESSAGE:
                raise ProtocolViolation(f"backend message of length {length}")
            end = position + 1 + length
            if end > size:
                break
            messages.append((buffer[position], buffer[position + 5:end]))
            position = end
        self._pending = buffer[position:] if position < size else b""
        return messages

    @property
    def buffered(self) -> int:
        return len(self._pending)


def parameter_description(payload: bytes) -> tuple[int, ...]:
    count = struct.unpack_from("!h", payload)[0]
    return struct.unpack_from(f"!{count}I", payload, 2)


def row_description(payload: bytes) -> list[tuple[str, int]]:
    """(name, type oid) per column."""
    count = struct.unpack_from("!h", payload)[0]
    columns = []
    position = 2
    for _ in range(count):
        end = payload.index(b"\0", position)
        name = payload[position:end].decode()
        type_oid = struct.unpack_from("!I", payload, end + 7)[0]
        columns.append((name, type_oid))
        position = end + 19
    return columns


def command_count(tag: bytes) -> int:
    """The row count of a CommandComplete tag: "UPDATE 3", "INSERT 0 1", "SELECT 5"; 0 without."""
    last = tag.rpartition(b" ")[2]
    return int(last) if last.isdigit() else 0
