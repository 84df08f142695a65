"""Obfuscated2: AES-256-CTR over another transport, keyed by a random 64-byte init header.

https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation
The client opens the connection with 64 bytes:

* bytes 8-40 / 40-56 are the key / IV the client encrypts with (the server decrypts with them);
  the same ranges of the *reversed* header are the key / IV of the server-to-client stream;
* the client encrypts the whole header with its stream and replaces bytes 56-64 with the
  encrypted ones, so that 56-60 (protocol tag: 0xefefefef abridged, 0xeeeeeeee intermediate,
  0xdddddddd padded intermediate) and 60-62 (DC id, signed int16) only show after decryption;
* both streams then run continuously until the connection closes, the client's having already
  consumed 64 bytes of keystream on the header.

For MTProxy, each key is replaced by SHA-256(key + secret); ``secret`` is accepted for that.
The first-int values a client must avoid (so that the header is not mistaken for a plain
transport or HTTP) are listed here and used by both detect.py and client.py.
This module holds the key schedule, the header rules and the server codec; the cipher itself is
mtproto/crypto/aes_ctr.py. No I/O.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from ..crypto.aes_ctr import AesCtr
from . import abridged, intermediate, padded
from .codec import DEFAULT_MAX_PACKET_SIZE, ServerCodec
from .events import Event, TransportError

HEADER_SIZE = 64
KEY = slice(8, 40)
IV = slice(40, 56)
TAG = slice(56, 60)
DC_ID = slice(60, 62)
#: The part of the header the client replaces with its encrypted form.
ENCRYPTED_TAIL = slice(56, 64)

#: First ints that announce HTTP rather than obfuscation: the page names POST, GET and HEAD "or
#: any of the HTTP methods accepted by the MTProto servers"; tdlib (TcpTransport.cpp) also avoids
#: OPTI(ONS). server/front.py routes connections starting so to HTTP (WebSocket, POST /api).
HTTP_PREFIXES = frozenset({b"HEAD", b"POST", b"GET ", b"OPTI"})
#: A TLS record header (handshake, TLS 1.0 version bytes): tdlib avoids it because MTProxy's
#: fake-TLS mode starts that way. Not supported here either.
TLS_PREFIX = b"\x16\x03\x01\x02"
PLAIN_MARKERS = frozenset({intermediate.MARKER, padded.MARKER})

#: Protocol tag -> server codec for the inner transport. The full transport has no tag.
INNER_CODECS = {
    abridged.OBFUSCATED_TAG: abridged.AbridgedCodec,
    intermediate.OBFUSCATED_TAG: intermediate.IntermediateCodec,
    padded.OBFUSCATED_TAG: padded.PaddedIntermediateCodec,
}


def header_is_reserved(header: bytes) -> bool:
    """True if a random header could be read as another transport; clients must redraw it.

    The rules of the page (and tdlib): first byte not 0xef (abridged), first int not a plain
    marker, HTTP method or TLS record, and bytes 4-8 not zero (the full transport's seqno 0).
    Telethon checks a shorter list (no HEAD, OPTI, 0xdddddddd or TLS), which leaves it a 2**-30
    chance per connection of sending a header that servers refuse.
    """
    first = bytes(header[:4])
    return (
        header[0] == abridged.MARKER[0]
        or first in PLAIN_MARKERS
        or first in HTTP_PREFIXES
        or first == TLS_PREFIX
        or not any(header[4:8])
    )


KeyIv = tuple[bytes, bytes]


def stream_keys(header: bytes, secret: bytes | None = None) -> tuple[KeyIv, KeyIv]:
    """(key, iv) of the client-to-server stream and of the server-to-client stream."""
    reversed_header = bytes(header[::-1])

    def key(raw: bytes) -> bytes:
        return hashlib.sha256(raw + secret).digest() if secret else raw

    upstream = (key(bytes(header[KEY])), bytes(header[IV]))
    downstream = (key(reversed_header[KEY]), reversed_header[IV])
    return upstream, downstream


class ObfuscatedCodec:
    """Server side of obfuscated2: reads the init header, then wraps the inner transport's codec.

    ``feed`` is given the connection's bytes from the very first one (the header included).
    Until the header is complete no transport is known: ``frame`` raises and ``frame_error``
    returns b"". ``dc_id`` is whatever the client put at offset 60; only MTProxy clients and
    tdlib fill it (Telethon leaves random bytes there).
    """

    def __init__(
        self,
        max_packet_size: int = DEFAULT_MAX_PACKET_SIZE,
        *,
        secret: bytes | None = None,
        max_padding: int = padded.DEFAULT_SERVER_PADDING,
        randbytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.max_packet_size = max_packet_size
        self.dc_id: int | None = None
        self._secret = secret
        self._max_padding = max_padding
        self._randbytes = randbytes
        self._header = bytearray()
        self._inner: ServerCodec | None = None
        self._decrypt: AesCtr | None = None
        self._encrypt: AesCtr | None = None
        self._error: TransportError | None = None

    @property
    def transport_name(self) -> str:
        return "obfuscated2" if self._inner is None else f"obfuscated2/{self._inner.transport_name}"

    @property
    def error(self) -> TransportError | None:
        return self._error or (self._inner.error if self._inner else None)

    @property
    def buffered(self) -> int:
        return len(self._header) if self._inner is None else self._inner.buffered

    def set_max_packet_size(self, size: int) -> None:
        self.max_packet_size = size
        if self._inner is not None:
            self._inner.set_max_packet_size(size)

    def feed(self, data: bytes) -> list[Event]:
        if self.error is not None:
            return []
        if self._inner is None:
            missing = HEADER_SIZE - len(self._header)
            self._header += data[:missing]
            data = data[missing:]
            if len(self._header) < HEADER_SIZE:
                return []
            if not self._start(bytes(self._header)):
                return [self._error]
        return self._inner.feed(self._decrypt.update(data))

    def end_of_stream(self) -> list[Event]:
        if self.error is not None:
            return []
        if self._inner is None:
            if not self._header:
                return []
            self._error = TransportError(
                f"obfuscated2: connection closed after {len(self._header)} of {HEADER_SIZE} init header bytes"
            )
            return [self._error]
        return self._inner.end_of_stream()

    def _start(self, header: bytes) -> bool:
        upstream, downstream = stream_keys(header, self._secret)
        self._decrypt = AesCtr(*upstream)
        plain = self._decrypt.update(header)
        tag = plain[TAG]
        codec = INNER_CODECS.get(tag)
        if codec is None:
            self._error = TransportError(
                f"obfuscated2: unknown protocol tag {tag.hex()} in the init header"
            )
            return False
        self.dc_id = int.from_bytes(plain[DC_ID], "little", signed=True)
        self._encrypt = AesCtr(*downstream)
        if codec is padded.PaddedIntermediateCodec:
            self._inner = codec(
                self.max_packet_size, max_padding=self._max_padding, randbytes=self._randbytes
            )
        else:
            self._inner = codec(self.max_packet_size)
        self._header = bytearray()
        return True

    def _inner_codec(self) -> ServerCodec:
        if self._inner is None:
            raise RuntimeError("obfuscated2: nothing can be sent before the client's init header")
        return self._inner

    def frame(self, payload: bytes) -> bytes:
        framed = self._inner_codec().frame(payload)
        return self._encrypt.update(framed)

    def frame_quick_ack(self, token: int) -> bytes:
        framed = self._inner_codec().frame_quick_ack(token)
        return self._encrypt.update(framed)

    def frame_error(self, code: int) -> bytes:
        if self._inner is None:
            return b""
        return self._encrypt.update(self._inner.frame_error(code))
