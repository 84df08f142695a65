"""Intermediate transport: each payload is preceded by its length as a little-endian uint32.

https://core.telegram.org/mtproto/mtproto-transports#intermediate
The client sets the top bit of the length to ask for a quick ACK; the server answers with the
bare token (top bit set, little-endian, no length), which can never be mistaken for a length
because real lengths are below 2**31.

The 0xeeeeeeee marker is consumed by detect.py (or carried in the obfuscated2 header).
"""

from __future__ import annotations

from .codec import StreamDecoder, check_frame_payload, error_payload
from .events import Packet

MARKER = b"\xee\xee\xee\xee"
OBFUSCATED_TAG = MARKER

QUICK_ACK_BIT = 1 << 31
HEADER_SIZE = 4


def encode_header(size: int, quick_ack: bool = False) -> bytes:
    if size >= QUICK_ACK_BIT:
        raise ValueError(f"intermediate: {size} bytes do not fit a 31-bit length")
    return (size | (QUICK_ACK_BIT if quick_ack else 0)).to_bytes(HEADER_SIZE, "little")


def encode_quick_ack(token: int) -> bytes:
    """The server's quick ACK: the token itself, top bit set, little-endian, unframed."""
    return ((token | QUICK_ACK_BIT) & 0xFFFFFFFF).to_bytes(4, "little")


class IntermediateCodec(StreamDecoder):
    """Server side of intermediate: reads client packets, frames server packets."""

    transport_name = "intermediate"
    _padded = False

    def _parse(self) -> Packet | None:
        if len(self._buffer) < HEADER_SIZE:
            return None
        word = int.from_bytes(self._buffer[:HEADER_SIZE], "little")
        size = word & ~QUICK_ACK_BIT
        # Every MTProto payload is 4-byte aligned (that alignment is this transport's reason to
        # exist); only the padded variant may carry a ragged tail.
        self._check_size(size, aligned=not self._padded)
        end = HEADER_SIZE + size
        if len(self._buffer) < end:
            return None
        body = self._take(HEADER_SIZE, end)
        return Packet(self._unwrap(body), bool(word & QUICK_ACK_BIT))

    def _unwrap(self, body: bytes) -> bytes:
        return body

    def frame(self, payload: bytes) -> bytes:
        check_frame_payload(payload, self.transport_name)
        return encode_header(len(payload)) + payload

    def frame_quick_ack(self, token: int) -> bytes:
        return encode_quick_ack(token)

    def frame_error(self, code: int) -> bytes:
        return self.frame(error_payload(code))
