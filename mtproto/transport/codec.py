"""What every framing codec is: a receive buffer, a parse loop, and one terminal error.

A codec turns a byte stream into events (``feed``) and payloads into bytes to send (``frame``).
It never touches sockets or clocks, and it never raises on bad input: a parser signals
``MalformedInput`` internally and ``feed`` turns it into a single ``TransportError`` event, after
which the codec is dead and ignores further bytes. Exceptions that escape a codec are caller
bugs (framing a payload the transport cannot carry, sending before a transport is known).

This module knows nothing about any particular envelope; abridged.py, intermediate.py,
padded.py, full.py and obfuscated.py each describe one.
"""

from __future__ import annotations

import struct
from typing import Protocol

from .events import Event, TransportError

#: Largest payload accepted from the peer. tdlib never frames more than 2**24 bytes
#: (TcpTransport.cpp: CHECK(size < (1 << 24))); a bigger declared length is an attack or garbage,
#: and refusing it before buffering keeps one connection from holding hundreds of megabytes.
DEFAULT_MAX_PACKET_SIZE = 1 << 24

#: No MTProto payload is shorter: a transport error is a single int32.
MIN_PAYLOAD_SIZE = 4


class MalformedInput(Exception):
    """Raised by a parser inside ``feed``; never leaves the codec."""


class ServerCodec(Protocol):
    """The interface the server's connection loop drives, whatever transport the client chose."""

    transport_name: str
    error: TransportError | None

    @property
    def buffered(self) -> int: ...
    def set_max_packet_size(self, size: int) -> None: ...
    def feed(self, data: bytes) -> list[Event]: ...
    def end_of_stream(self) -> list[Event]: ...
    def frame(self, payload: bytes) -> bytes: ...
    def frame_quick_ack(self, token: int) -> bytes: ...
    def frame_error(self, code: int) -> bytes: ...


def error_payload(code: int) -> bytes:
    """The MTProto payload of a transport error: a negative little-endian int32.

    https://core.telegram.org/mtproto/mtproto-transports#transport-errors ("a signed
    little-endian number of 4 bytes, whose absolute value contains the error code"). Both -404 and
    404 are accepted so that callers cannot send a positive code by mistake.
    """
    return struct.pack("<i", -abs(code))


def check_frame_payload(payload: bytes, transport: str) -> None:
    """Refuse, as a programming error, payloads no MTProto peer could ever have produced."""
    if not payload or len(payload) % 4:
        raise ValueError(f"{transport}: payload length {len(payload)} is not a positive multiple of 4")


class StreamDecoder:
    """Base for codecs: buffers input and calls ``_parse`` until it needs more bytes.

    Subclasses implement ``_parse``, which inspects ``self._buffer``, removes one frame from its
    front and returns the event, returns None when the frame is still incomplete, or raises
    ``MalformedInput``.
    """

    transport_name = "?"

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        self.max_packet_size = max_packet_size
        self.error: TransportError | None = None
        self._buffer = bytearray()
        self._frames_read = 0

    @property
    def buffered(self) -> int:
        """Bytes received that do not make a whole frame yet."""
        return len(self._buffer)

    def set_max_packet_size(self, size: int) -> None:
        """Frames from now on may be this long (checked when a frame's length is read)."""
        self.max_packet_size = size

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes from the peer; return every event they complete, in order."""
        if self.error is not None:
            return []
        self._buffer += data
        events: list[Event] = []
        try:
            while (event := self._parse()) is not None:
                self._frames_read += 1
                events.append(event)
        except MalformedInput as exc:
            self.error = TransportError(f"{self.transport_name} frame #{self._frames_read}: {exc}")
            self._buffer = bytearray()
            events.append(self.error)
        return events

    def end_of_stream(self) -> list[Event]:
        """The peer closed its side. A partly received frame is an error; otherwise nothing."""
        if self.error is not None or not self._buffer:
            return []
        self.error = TransportError(
            f"{self.transport_name} frame #{self._frames_read}: connection closed"
            f" with {len(self._buffer)} bytes of an incomplete frame"
        )
        self._buffer = bytearray()
        return [self.error]

    def _parse(self) -> Event | None:
        raise NotImplementedError

    def _check_size(self, size: int, *, aligned: bool = True) -> None:
        """Reject a declared payload length before waiting for its bytes."""
        if size < MIN_PAYLOAD_SIZE:
            raise MalformedInput(f"declared payload length {size} is below {MIN_PAYLOAD_SIZE}")
        if size > self.max_packet_size:
            raise MalformedInput(f"declared payload length {size} exceeds the limit {self.max_packet_size}")
        if aligned and size % 4:
            raise MalformedInput(f"declared payload length {size} is not a multiple of 4")

    def _take(self, start: int, end: int, frame_end: int | None = None) -> bytes:
        """Return buffer[start:end] and drop the frame, which ends at ``frame_end`` or ``end``."""
        # One copy (a slice of the bytearray would be a second): a frame may be 512 KB.
        with memoryview(self._buffer) as view:  # released before the buffer is resized
            chunk = bytes(view[start:end])
        del self._buffer[: end if frame_end is None else frame_end]
        return chunk
