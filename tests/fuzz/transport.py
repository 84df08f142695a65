"""Fuzz target: the server's transport layer (mtproto/transport/), through ServerTransport.

A case is a byte stream and the way it arrives: random bytes (often behind a real transport
marker or obfuscated2 header, so that each codec is reached), or a valid stream that
mtproto/transport/client.py framed for any transport and that was then mutated. The stream
is cut at arbitrary points. Invariants, after every feed:

- only Packet and TransportError events, never an exception;
- at most one TransportError, after which every feed returns nothing;
- every Packet payload is 4..max_packet_size bytes;
- the bytes the transport holds are bounded: at most one incomplete frame's worth
  (max_packet_size + 16 for length, sequence number, CRC or padding);
- what the server does next (frame_error, frame_quick_ack, end_of_stream) does not raise;
- an unmutated stream gives exactly its packets and no error.

Case layout: kind (1 byte), max packet size index (1), flags (1: bit 0 = MTProxy secret),
expected packet count (2, for unmutated streams), split seed (8), then the stream.
"""

from __future__ import annotations

import random
import struct

from mtproto.transport import (
    CLIENT_CODECS,
    DEFAULT_MAX_PACKET_SIZE,
    ObfuscatedClient,
    Packet,
    ServerTransport,
    TransportError,
)
from mtproto.transport.client import make_init_header

from .mutate import mutate, random_bytes, splits
from .target import Target

RANDOM, MUTATED, VALID = 0, 1, 2
MAX_SIZES = (64, 256, 1024, 4096, 65536, DEFAULT_MAX_PACKET_SIZE)
SECRET = bytes(range(16))
#: Bytes a codec may hold beyond one payload: a length, a seqno, a CRC, padding.
FRAME_OVERHEAD = 16
#: The longest prefix ServerTransport keeps before choosing a transport (obfuscated2's header).
DETECT_PREFIX = 64
#: CPU one feed may take (a hang guard: a feed of a few KB takes microseconds).
FEED_CPU_LIMIT = 0.5
_HEAD = struct.Struct("<BBBH8s")

MARKERS = (b"", b"\xef", b"\xee\xee\xee\xee", b"\xdd\xdd\xdd\xdd", b"\x10\0\0\0\0\0\0\0", b"POST", b"\x16\x03\x01\x02")
INNERS = ("abridged", "intermediate", "padded_intermediate")


def mtproto_payload(rng: random.Random, max_size: int) -> bytes:
    """A payload laid out like an MTProto packet (padded intermediate strips by that layout)."""
    # Room for padded intermediate's padding, which counts against the limit.
    size = min(max_size - 16, rng.choice((16, 32, 64, 200, 1000, rng.randint(16, 5000))))
    if rng.random() < 0.3:
        data = rng.randbytes(max(0, size - 20) & ~3)
        return bytes(8) + rng.randbytes(8) + struct.pack("<I", len(data)) + data
    return rng.randbytes(8).replace(b"\0", b"\1") + rng.randbytes(16) + rng.randbytes(max(16, (size - 24) // 16 * 16))


def client_stream(rng: random.Random, max_size: int, secret: bytes | None) -> tuple[bytes, int]:
    """A valid stream of a random transport: (bytes, how many packets it holds)."""
    name = rng.choice([*CLIENT_CODECS, "obfuscated2"])
    if name == "obfuscated2":
        client = ObfuscatedClient(rng.choice(INNERS), secret=secret, dc_id=rng.choice((None, 2, -2)),
                                  randbytes=rng.randbytes)
    elif name == "padded_intermediate":
        client = CLIENT_CODECS[name](randbytes=rng.randbytes)
    else:
        client = CLIENT_CODECS[name]()
    count = rng.randint(1, 6)
    quick_ack_ok = name != "full"
    stream = b"".join(client.encode(mtproto_payload(rng, max_size), quick_ack=quick_ack_ok and rng.random() < 0.3)
                      for _ in range(count))
    return stream, count


def generate(rng: random.Random) -> bytes:
    kind = rng.choice((RANDOM, MUTATED, MUTATED, VALID))
    size_index = rng.randrange(len(MAX_SIZES))
    secret = rng.random() < 0.2
    count = 0
    if kind == RANDOM:
        if rng.random() < 0.3:
            # A valid obfuscated2 header, then random (so randomly decrypting) bytes.
            tag = rng.choice((b"\xef\xef\xef\xef", b"\xee\xee\xee\xee", b"\xdd\xdd\xdd\xdd"))
            prefix = make_init_header(tag, secret=SECRET if secret else None, randbytes=rng.randbytes)[0]
        else:
            prefix = rng.choice(MARKERS)
        stream = prefix + random_bytes(rng, 2048)
    else:
        # Unmutated streams must fit the limit; mutated ones may exceed it on purpose.
        if kind == VALID:
            size_index = rng.randrange(3, len(MAX_SIZES))
        stream, count = client_stream(rng, MAX_SIZES[size_index], SECRET if secret else None)
        if kind == MUTATED:
            stream = mutate(rng, stream, max_ops=6)
    return _HEAD.pack(kind, size_index, secret, count, rng.randbytes(8)) + stream


def buffered(transport: ServerTransport) -> int:
    """Bytes the transport holds: its detection prefix and every codec's buffer (private
    fields, read here only to check the bound)."""
    total = len(transport._prefix)
    codec = transport._codec
    while codec is not None:
        total += len(getattr(codec, "_buffer", b"")) + len(getattr(codec, "_header", b""))
        codec = getattr(codec, "_inner", None)
    return total


def check(case: bytes) -> None:
    kind, size_index, secret, count, split_seed = _HEAD.unpack_from(case)
    stream = case[_HEAD.size :]
    max_size = MAX_SIZES[size_index % len(MAX_SIZES)]
    transport = ServerTransport(max_packet_size=max_size, secret=SECRET if secret & 1 else None,
                                randbytes=random.Random(split_seed).randbytes)
    events = []
    for chunk in splits(random.Random(split_seed), stream):
        errored = transport.error is not None
        new = TARGET.timed(FEED_CPU_LIMIT, "ServerTransport.feed", transport.feed, chunk)
        assert not (errored and new), f"events after a TransportError: {new}"
        check_events(new, max_size)
        events += new
        held = buffered(transport)
        limit = max(DETECT_PREFIX, max_size + FRAME_OVERHEAD)
        assert held <= limit, f"{held} bytes buffered with max_packet_size {max_size}"
    errors = [e for e in events if isinstance(e, TransportError)]
    assert not errors or errors == [events[-1]], f"TransportError not last or not single: {errors}"
    assert (transport.error is not None) == bool(errors)
    if transport.transport_name is not None and transport.error is None:
        # The server's next moves on a live connection.
        assert isinstance(transport.frame_quick_ack(0x12345678), bytes)
    assert isinstance(transport.frame_error(-404), bytes)
    end = transport.end_of_stream()
    check_events(end, max_size)
    assert all(isinstance(e, TransportError) for e in end) and len(end) <= 1
    assert not (errors and end), "end_of_stream reported a second error"
    if errors or end:
        assert transport.feed(b"\xee" * 70) == [], "bytes accepted after the connection failed"
    if kind == VALID:
        packets = [e for e in events if isinstance(e, Packet)]
        assert not errors and not end, f"valid stream refused: {errors or end}"
        assert len(packets) == count, f"{len(packets)} packets from a valid stream of {count}"


def check_events(events: list, max_size: int) -> None:
    for event in events:
        assert isinstance(event, (Packet, TransportError)), f"unexpected event {event!r}"
        if isinstance(event, Packet):
            assert isinstance(event.payload, bytes)
            assert 4 <= len(event.payload) <= max_size, f"{len(event.payload)}-byte packet, limit {max_size}"


TARGET = Target(
    name="transport",
    summary="ServerTransport (detection, abridged, intermediate, padded, full, obfuscated2): random and mutated streams",
    generate=generate,
    check=check,
)
