"""Full transport: length, per-connection sequence number, payload, CRC32.

https://core.telegram.org/mtproto/mtproto-transports#full
The length (little-endian uint32) counts itself, the seqno, the payload and the CRC. Each side
numbers the packets it sends from 0 upwards, independently of the other side; the CRC32 covers
length + seqno + payload. There is no marker (detect.py recognises the connection by seqno 0 in
bytes 4-8) and no quick ACK: the page defines none for this transport.
"""

from __future__ import annotations

import struct
import zlib

from .codec import DEFAULT_MAX_PACKET_SIZE, MalformedInput, StreamDecoder, check_frame_payload, error_payload
from .events import Packet

HEADER_SIZE = 8  # length + seqno
OVERHEAD = 12  # length + seqno + crc


def encode_frame(payload: bytes, seqno: int) -> bytes:
    head = struct.pack("<II", len(payload) + OVERHEAD, seqno & 0xFFFFFFFF) + payload
    return head + struct.pack("<I", zlib.crc32(head))


class FullDecoder(StreamDecoder):
    """Reads full-transport frames, checking sequence numbers and CRCs (used by both roles)."""

    transport_name = "full"

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        super().__init__(max_packet_size)
        self._recv_seqno = 0

    def _read_frame(self) -> bytes | None:
        if len(self._buffer) < HEADER_SIZE:
            return None
        length, seqno = struct.unpack_from("<II", self._buffer)
        # Check everything the header tells us before waiting for the body, so that garbage is
        # refused at once rather than after buffering up to the size limit.
        if length % 4:
            raise MalformedInput(f"length {length} is not a multiple of 4")
        self._check_size(length - OVERHEAD)
        if seqno != self._recv_seqno:
            raise MalformedInput(f"seqno {seqno}, expected {self._recv_seqno}")
        if len(self._buffer) < length:
            return None
        (crc,) = struct.unpack_from("<I", self._buffer, length - 4)
        with memoryview(self._buffer) as view:  # released before _take resizes the buffer
            actual = zlib.crc32(view[: length - 4])
        if crc != actual:
            raise MalformedInput(f"CRC32 {crc:#010x} does not match the computed {actual:#010x}")
        self._recv_seqno += 1
        return self._take(HEADER_SIZE, length - 4, length)


class FullCodec(FullDecoder):
    """Server side of full: reads client packets, frames server packets numbered from 0."""

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        super().__init__(max_packet_size)
        self._send_seqno = 0

    def _parse(self) -> Packet | None:
        payload = self._read_frame()
        return None if payload is None else Packet(payload)

    def frame(self, payload: bytes) -> bytes:
        check_frame_payload(payload, self.transport_name)
        framed = encode_frame(payload, self._send_seqno)
        self._send_seqno += 1
        return framed

    def frame_quick_ack(self, token: int) -> bytes:
        """Nothing: full has no quick ACK, and its packets never ask for one."""
        return b""

    def frame_error(self, code: int) -> bytes:
        return self.frame(error_payload(code))
