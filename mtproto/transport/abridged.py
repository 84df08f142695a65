"""Abridged transport: each payload is preceded by its length in 32-bit words.

https://core.telegram.org/mtproto/mtproto-transports#abridged
A length below 0x7f words is one byte; otherwise the byte 0x7f is followed by the word count as
3 little-endian bytes. The client sets the top bit of the first byte to ask for a quick ACK.

The 0xef marker that opens the connection is not handled here: detect.py consumes it, and under
obfuscated2 it only appears inside the encrypted init header. This module frames packets only.
"""

from __future__ import annotations

from .codec import StreamDecoder, check_frame_payload, error_payload
from .events import Packet

MARKER = b"\xef"
#: Inside an obfuscated2 header the one-byte marker is repeated to fill 4 bytes.
OBFUSCATED_TAG = MARKER * 4

LONG_LENGTH = 0x7F
QUICK_ACK_BIT = 0x80
MAX_WORDS = (1 << 24) - 1


def encode_header(payload_size: int, quick_ack: bool = False) -> bytes:
    """The length prefix for a payload of ``payload_size`` bytes (a multiple of 4)."""
    words = payload_size // 4
    if words > MAX_WORDS:
        raise ValueError(f"abridged: {payload_size} bytes do not fit a 3-byte word count")
    flag = QUICK_ACK_BIT if quick_ack else 0
    if words < LONG_LENGTH:
        return bytes([words | flag])
    # The docs' quick-ACK variant of the long header is 0xff: the flag goes on the 0x7f byte.
    return bytes([LONG_LENGTH | flag]) + words.to_bytes(3, "little")


def decode_header(buffer: bytearray) -> tuple[int, int] | None:
    """Return (header size, payload size) from the start of ``buffer``, ignoring the flag bit.

    None means more bytes are needed. A long header that encodes fewer than 0x7f words is not
    what a canonical encoder writes, but it is unambiguous, so it is accepted.
    """
    if not buffer:
        return None
    words = buffer[0] & ~QUICK_ACK_BIT
    if words != LONG_LENGTH:
        return 1, words * 4
    if len(buffer) < 4:
        return None
    return 4, int.from_bytes(buffer[1:4], "little") * 4


def encode_quick_ack(token: int) -> bytes:
    """A quick-ACK token as the server sends it in abridged: 4 raw bytes, byte-swapped.

    https://core.telegram.org/mtproto/mtproto-transports#abridged: "the server will send quick ACK
    tokens by bswapping them ... as a standalone 4-byte packet without a length header". The token
    is an int with its top bit set, so big-endian puts that bit in the first byte, where a normal
    server length byte (always <= 0x7f) never has it; that is how the client tells them apart.
    """
    return ((token | 0x80000000) & 0xFFFFFFFF).to_bytes(4, "big")


class AbridgedCodec(StreamDecoder):
    """Server side of abridged: reads client packets, frames server packets."""

    transport_name = "abridged"

    def _parse(self) -> Packet | None:
        header = decode_header(self._buffer)
        if header is None:
            return None
        header_size, size = header
        self._check_size(size)
        if len(self._buffer) < header_size + size:
            return None
        quick_ack = bool(self._buffer[0] & QUICK_ACK_BIT)
        return Packet(self._take(header_size, header_size + size), quick_ack)

    def frame(self, payload: bytes) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return encode_header(len(payload)) + payload

    def frame_quick_ack(self, token: int) -> bytes:
        return encode_quick_ack(token)

    def frame_error(self, code: int) -> bytes:
        return self.frame(error_payload(code))

