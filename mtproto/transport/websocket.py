"""WebSocket framing (RFC 6455), sans-IO, for MTProto over ``ws://host/apiws``.

Telegram's web clients (Web K, Web A, GramJS and mtcute in browsers) open
``/apiws`` with the ``binary`` subprotocol and send obfuscated2 inside: their binary
messages, concatenated, are one byte stream (the 64-byte init header first), cut
wherever the client likes. So the decoder here does not assemble messages: it hands
out payload bytes as they arrive (``Data``), unmasked, and keeps only a frame header
(at most 14 bytes) between calls. Memory per connection is bounded by what one
``feed`` is given, whatever frame sizes the peer declares; a declared frame or message
longer than ``max_message_size`` is refused (close 1009) before its bytes come.

The other direction is where boundaries matter: each transport packet the server
sends must be exactly one binary message (Web K decrypts message by message and
reports "server msgKey mismatch" otherwise), so ``frame_binary`` is called once per
packet by the caller and never merges or splits.

Written here rather than taken from ``wsproto``: the server needs the server role of
one binary subprotocol (no extensions, no text, no client handshake), a streaming
decoder with a hard bound, and the upgrade checks fit in a screen; one small module
keeps the rules where they can be read and costs no dependency.

Events: ``Data`` (payload bytes of a binary message), ``Ping``, ``Pong``,
``CloseReceived`` (the peer's close frame: answer it and close), ``ProtocolError``
(send ``frame_close(code)`` and close). After ``CloseReceived`` or ``ProtocolError``
the decoder ignores further bytes. No I/O, no clock.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass

#: RFC 6455 section 1.3: the GUID the accept key is derived with.
_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SUBPROTOCOL = "binary"
PATHS = frozenset({"/apiws", "/apiws_test"})

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_CONTROL = frozenset({OP_CLOSE, OP_PING, OP_PONG})
_MAX_CONTROL_PAYLOAD = 125

# Close codes (RFC 6455 section 7.4.1).
NORMAL = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
INVALID_PAYLOAD = 1007
MESSAGE_TOO_BIG = 1009
# Codes a peer may not put in a close frame (reserved, or only for local use).
_FORBIDDEN_CLOSE_CODES = frozenset({1004, 1005, 1006, 1015})


@dataclass(frozen=True, slots=True)
class Data:
    """Payload bytes of a binary message, in order; messages are not delimited."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    payload: bytes


@dataclass(frozen=True, slots=True)
class Pong:
    payload: bytes


@dataclass(frozen=True, slots=True)
class CloseReceived:
    code: int | None  # None: the frame carried no code (1005 "no status")
    reason: str


@dataclass(frozen=True, slots=True)
class ProtocolError:
    code: int
    reason: str


Event = Data | Ping | Pong | CloseReceived | ProtocolError


def accept_key(client_key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1(client_key.strip().encode("ascii") + _ACCEPT_GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_client_key(value: str) -> bool:
    """A Sec-WebSocket-Key must be the base64 of 16 bytes (section 4.1, item 7)."""
    try:
        return len(base64.b64decode(value.strip(), validate=True)) == 16
    except (ValueError, UnicodeEncodeError):
        return False


def mask(data: bytes, key: bytes, offset: int = 0) -> bytes:
    """XOR with the 4-byte masking key, starting at ``offset`` into the key's cycle.

    One big-int XOR instead of a Python loop: masking 64 KiB costs microseconds.
    """
    if not data:
        return b""
    rotated = key[offset % 4:] + key[: offset % 4]
    repeated = (rotated * (len(data) // 4 + 1))[: len(data)]
    value = int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")
    return value.to_bytes(len(data), "little")


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask_key: bytes | None = None) -> bytes:
    """One frame. Servers send unmasked; clients (our tests) pass a 4-byte ``mask_key``."""
    first = (0x80 if fin else 0) | opcode
    size = len(payload)
    masked = 0x80 if mask_key is not None else 0
    if size < 126:
        header = struct.pack("!BB", first, masked | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", first, masked | 126, size)
    else:
        header = struct.pack("!BBQ", first, masked | 127, size)
    if mask_key is None:
        return header + payload
    return header + mask_key + mask(payload, mask_key)


def client_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """A frame as a client sends it: masked with a fresh random key."""
    return encode_frame(opcode, payload, fin=fin, mask_key=os.urandom(4))


class _Fail(Exception):
    def __init__(self, code: int, reason: str):
        self.code = code
        self.reason = reason


class WebSocketCodec:
    """The server end of one WebSocket after the upgrade: frames in, events out.

    ``max_message_size`` bounds a single frame and a whole (fragmented) data message;
    MTProto packets are at most 16 MiB plus their transport envelope.
    """

    def __init__(self, max_message_size: int = (1 << 24) + 1024) -> None:
        self.max_message_size = max_message_size
        self.done = False
        self._buffer = bytearray()  # an incomplete frame header, or a control frame's payload
        # The frame being read: its opcode, fin bit, masking key, payload bytes left and read.
        self._opcode: int | None = None
        self._fin = True
        self._mask = b""
        self._left = 0
        self._offset = 0
        # The data message in progress (its first frame had fin unset): opcode and size so far.
        self._message_opcode: int | None = None
        self._message_size = 0

    # -- receiving ---------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Event]:
        if self.done:
            return []
        events: list[Event] = []
        view = memoryview(data)
        try:
            while True:
                if self._opcode is None:
                    view = self._read_header(view)
                    if self._opcode is None:
                        break
                view = self._read_payload(view, events)
                if self._opcode is not None:
                    break  # the frame's payload continues in a later feed
                if self.done:
                    break
        except _Fail as exc:
            self.done = True
            self._buffer = bytearray()
            events.append(ProtocolError(exc.code, exc.reason))
        return events

    def end_of_stream(self) -> list[Event]:
        """The TCP stream ended without a close frame (an abnormal closure, 1006)."""
        if self.done:
            return []
        self.done = True
        return [CloseReceived(None, "connection closed without a close frame")]

    def _read_header(self, view: memoryview) -> memoryview:
        # A header is 2 to 14 bytes: copy at most that much, parse, and give back to the
        # payload whatever was copied past the header's end.
        copied = min(len(view), 14 - len(self._buffer))
        self._buffer += view[:copied]
        buf = self._buffer
        if len(buf) < 2:
            return view[copied:]
        first, second = buf[0], buf[1]
        fin, rsv, opcode = bool(first & 0x80), first & 0x70, first & 0x0F
        masked, size = bool(second & 0x80), second & 0x7F
        need = 2 + (2 if size == 126 else 8 if size == 127 else 0) + (4 if masked else 0)
        if rsv:
            raise _Fail(PROTOCOL_ERROR, "reserved bits set without a negotiated extension")
        if not masked:
            raise _Fail(PROTOCOL_ERROR, "client frames must be masked")
        if len(buf) < need:
            return view[copied:]
        if size == 126:
            size = struct.unpack_from("!H", buf, 2)[0]
        elif size == 127:
            size = struct.unpack_from("!Q", buf, 2)[0]
            if size >> 63:
                raise _Fail(PROTOCOL_ERROR, "64-bit length with the top bit set")
        self._check_frame(opcode, fin, size)
        self._mask = bytes(buf[need - 4 : need])
        extra = len(buf) - need
        self._buffer = bytearray()
        self._opcode, self._fin, self._left, self._offset = opcode, fin, size, 0
        return view[copied - extra:]

    def _check_frame(self, opcode: int, fin: bool, size: int) -> None:
        if opcode in _CONTROL:
            if not fin:
                raise _Fail(PROTOCOL_ERROR, "fragmented control frame")
            if size > _MAX_CONTROL_PAYLOAD:
                raise _Fail(PROTOCOL_ERROR, f"control frame of {size} bytes (at most 125)")
            return
        if opcode == OP_CONTINUATION:
            if self._message_opcode is None:
                raise _Fail(PROTOCOL_ERROR, "continuation frame without a message to continue")
        elif opcode in (OP_TEXT, OP_BINARY):
            if self._message_opcode is not None:
                raise _Fail(PROTOCOL_ERROR, "new data frame inside a fragmented message")
            if opcode == OP_TEXT:
                raise _Fail(UNSUPPORTED_DATA, "text messages are not MTProto; use binary")
            self._message_size = 0
        else:
            raise _Fail(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        self._message_size += size
        if size > self.max_message_size or self._message_size > self.max_message_size:
            raise _Fail(MESSAGE_TOO_BIG, f"message of {self._message_size} bytes exceeds {self.max_message_size}")
        self._message_opcode = None if fin else OP_BINARY

    def _read_payload(self, view: memoryview, events: list[Event]) -> memoryview:
        take = min(self._left, len(view))
        chunk, view = bytes(view[:take]), view[take:]
        plain = mask(chunk, self._mask, self._offset)
        self._left -= take
        self._offset += take
        opcode = self._opcode
        if opcode in _CONTROL:
            self._buffer += plain  # at most 125 bytes
            if self._left:
                return view
            payload, self._buffer = bytes(self._buffer), bytearray()
            self._opcode = None
            events.append(self._control(opcode, payload))
            return view
        if plain:
            events.append(Data(plain))
        if not self._left:
            self._opcode = None
        return view

    def _control(self, opcode: int, payload: bytes) -> Event:
        if opcode == OP_PING:
            return Ping(payload)
        if opcode == OP_PONG:
            return Pong(payload)
        self.done = True
        if not payload:
            return CloseReceived(None, "")
        if len(payload) == 1:
            raise _Fail(PROTOCOL_ERROR, "close frame with a 1-byte payload")
        code = struct.unpack_from("!H", payload)[0]
        if code < 1000 or code in _FORBIDDEN_CLOSE_CODES or 1016 <= code < 3000 or code >= 5000:
            raise _Fail(PROTOCOL_ERROR, f"invalid close code {code}")
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise _Fail(INVALID_PAYLOAD, "close reason is not UTF-8") from None
        return CloseReceived(code, reason)

    # -- sending ---------------------------------------------------------------------------

    @staticmethod
    def frame_binary(payload: bytes) -> bytes:
        """One whole binary message: exactly one transport packet."""
        return encode_frame(OP_BINARY, payload)

    @staticmethod
    def frame_pong(payload: bytes) -> bytes:
        return encode_frame(OP_PONG, payload[:_MAX_CONTROL_PAYLOAD])

    @staticmethod
    def frame_close(code: int = NORMAL, reason: str = "") -> bytes:
        return encode_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:123])


def is_upgrade(request) -> bool:
    """A GET that asks for a WebSocket (Upgrade: websocket)."""
    return request.method == "GET" and "websocket" in request.tokens("upgrade")


def handshake(request) -> tuple[bool, bytes]:
    """Answer an upgrade request (an http.Request): (True, the 101 response) or
    (False, the error response to send before closing).

    Any Origin is accepted: the server authenticates with MTProto, not cookies. The
    ``binary`` subprotocol is selected when offered, as Telegram does; a client that
    offers none gets none.
    """
    from .http import response, upgrade_response

    if request.path not in PATHS:
        return False, response(404, keep_alive=False)
    if request.version != "HTTP/1.1" or "upgrade" not in request.tokens("connection"):
        return False, response(400, b"not a WebSocket upgrade", keep_alive=False, content_type="text/plain")
    if request.header("sec-websocket-version") != "13":
        return False, response(426, keep_alive=False, headers=(("Sec-WebSocket-Version", "13"),))
    key = request.header("sec-websocket-key")
    if not valid_client_key(key):
        return False, response(400, b"bad Sec-WebSocket-Key", keep_alive=False, content_type="text/plain")
    offered = request.tokens("sec-websocket-protocol")
    return True, upgrade_response(accept_key(key), SUBPROTOCOL if SUBPROTOCOL in offered else None)
