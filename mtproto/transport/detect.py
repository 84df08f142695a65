"""Recognise which transport a client chose from the first bytes of its TCP connection.

https://core.telegram.org/mtproto/mtproto-transports: "The server recognizes these different
protocols (and distinguishes them from HTTP, too) by the header." The rules, in the order they
can be decided while bytes trickle in (one at a time is fine):

====================================  ======================================================
first byte 0xef                       abridged (marker consumed)
first int 0xeeeeeeee                  intermediate (marker consumed)
first int 0xdddddddd                  padded intermediate (marker consumed)
first int HEAD / POST / GET / OPTI    HTTP: TransportError here (see below)
first int 16 03 01 02                 MTProxy fake-TLS: not served, TransportError
bytes 4-8 all zero                    full (no marker; those bytes are the client's seqno 0)
anything else, once 64 bytes arrived  obfuscated2 init header
====================================  ======================================================

The obfuscated2 client must avoid exactly the prefixes matched above (see
obfuscated.header_is_reserved), so a header that matched one of them is the plain transport
it looks like; for full, bytes 4-8 are the discriminator, and the length is checked by the
full codec like any other frame. This module decides and then delegates; it frames nothing.

HTTP (the WebSocket upgrade to /apiws and the HTTP transport's POST /api) is recognised
from the same four bytes one step earlier, by server/front.py, before a ServerTransport
is made; a ServerTransport that still sees them (inside a WebSocket, say) refuses them.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from . import abridged, full, intermediate, obfuscated, padded
from .codec import DEFAULT_MAX_PACKET_SIZE, ServerCodec
from .events import Event, TransportError


class ServerTransport:
    """The server end of one TCP connection, whatever transport the client speaks.

    Feed it every byte received; act on the events; send what ``frame``, ``frame_quick_ack`` and
    ``frame_error`` return. After a ``TransportError`` event, send ``frame_error(event.code)``
    (empty when no transport was recognised) and close the connection; further input is ignored.
    When the client closes its side, call ``end_of_stream()`` to learn whether it cut a frame short.
    """

    def __init__(
        self,
        *,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        secret: bytes | None = None,
        max_padding: int = padded.DEFAULT_SERVER_PADDING,
        randbytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.max_packet_size = max_packet_size
        self._secret = secret
        self._max_padding = max_padding
        self._randbytes = randbytes
        self._prefix = bytearray()
        self._codec: ServerCodec | None = None
        self._error: TransportError | None = None

    @property
    def transport_name(self) -> str | None:
        """'abridged', 'intermediate', 'padded_intermediate', 'full', 'obfuscated2/<inner>'; None
        until decided."""
        return None if self._codec is None else self._codec.transport_name

    @property
    def dc_id(self) -> int | None:
        """The DC id from an obfuscated2 header, else None."""
        return getattr(self._codec, "dc_id", None)

    @property
    def error(self) -> TransportError | None:
        return self._error or (self._codec.error if self._codec else None)

    @property
    def buffered(self) -> int:
        """Bytes received that do not make a whole frame yet (what a slow or stalled peer
        makes the server hold)."""
        return len(self._prefix) if self._codec is None else self._codec.buffered

    def set_max_packet_size(self, size: int) -> None:
        """Frames from now on may be this long: a connection may start with a small limit
        and get the full one once it has proven it holds an auth key."""
        self.max_packet_size = size
        if self._codec is not None:
            self._codec.set_max_packet_size(size)

    def feed(self, data: bytes) -> list[Event]:
        if self._codec is not None:
            return self._codec.feed(data)
        if self._error is not None:
            return []
        self._prefix += data
        decision = self._detect()
        if isinstance(decision, TransportError):
            self._error = decision
            self._prefix = bytearray()
            return [decision]
        if decision is None:
            return []
        self._codec, marker_size = decision
        rest = bytes(self._prefix[marker_size:])
        self._prefix = bytearray()
        return self._codec.feed(rest)

    def end_of_stream(self) -> list[Event]:
        """The client closed its side: an error if it left a frame (or a header) unfinished."""
        if self._codec is not None:
            return self._codec.end_of_stream()
        if self._error is not None or not self._prefix:
            return []
        self._error = TransportError(
            f"connection closed after {len(self._prefix)} bytes, before a transport was recognised"
        )
        self._prefix = bytearray()
        return [self._error]

    def _detect(self) -> tuple[ServerCodec, int] | TransportError | None:
        prefix = self._prefix
        if not prefix:
            return None
        if prefix[0] == abridged.MARKER[0]:
            return abridged.AbridgedCodec(self.max_packet_size), len(abridged.MARKER)
        if len(prefix) < 4:
            return None
        first = bytes(prefix[:4])
        if first == intermediate.MARKER:
            return intermediate.IntermediateCodec(self.max_packet_size), len(intermediate.MARKER)
        if first == padded.MARKER:
            codec = padded.PaddedIntermediateCodec(
                self.max_packet_size, max_padding=self._max_padding, randbytes=self._randbytes
            )
            return codec, len(padded.MARKER)
        if first in obfuscated.HTTP_PREFIXES:
            return TransportError(f"an HTTP request where an MTProto transport was expected ({first!r})")
        if first == obfuscated.TLS_PREFIX:
            return TransportError("fake-TLS (MTProxy ee-secret) transport is not supported")
        if len(prefix) < 8:
            return None
        if not any(prefix[4:8]):
            return full.FullCodec(self.max_packet_size), 0
        if len(prefix) < obfuscated.HEADER_SIZE:
            return None
        codec = obfuscated.ObfuscatedCodec(
            self.max_packet_size,
            secret=self._secret,
            max_padding=self._max_padding,
            randbytes=self._randbytes,
        )
        return codec, 0

    def _codec_or_raise(self) -> ServerCodec:
        if self._codec is None:
            raise RuntimeError("nothing can be sent before the client has chosen a transport")
        return self._codec

    def frame(self, payload: bytes) -> bytes:
        """``payload`` in the client's envelope (and encryption, under obfuscated2)."""
        return self._codec_or_raise().frame(payload)

    def frame_quick_ack(self, token: int) -> bytes:
        """The quick-ACK reply for ``token`` (b"" under full, which has none)."""
        return self._codec_or_raise().frame_quick_ack(token)

    def frame_error(self, code: int) -> bytes:
        """A transport error such as -404 or -429; b"" if no transport is known yet."""
        return b"" if self._codec is None else self._codec.frame_error(code)
