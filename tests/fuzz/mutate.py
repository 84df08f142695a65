"""Byte-level mutations of valid inputs, driven by a seeded `random.Random`.

A mutation keeps most of a valid message and breaks a little of it, which reaches deeper
code than random bytes do: a mutated packet still has the right constructor ids, lengths and
nonces except where the mutation hit. The operators are the classic ones of coverage-free
fuzzers (bit flips, interesting integers, cut/insert/duplicate/splice), plus TL-aware ones
(a known constructor id or a huge length written at an aligned offset). This module knows
no target; it must stay deterministic for a given RNG so that a seed replays a case.
"""

from __future__ import annotations

import random
import struct

VECTOR_ID = 0x1CB5C415
GZIP_PACKED_ID = 0x3072CFA1
MSG_CONTAINER_ID = 0x73F1F8DC
RPC_RESULT_ID = 0xF35C6D01
#: Constructor ids a mutation may plant: the ones the decoders treat specially.
SPECIAL_IDS = (VECTOR_ID, GZIP_PACKED_ID, MSG_CONTAINER_ID, RPC_RESULT_ID,
               0x997275B5, 0xBC799737, 0x3FEDD339,  # boolTrue, boolFalse, true
               0xDA9B0D0D, 0xC1CD5EA9, 0x2B9B08FA, 0x785188B8)  # invokeWithLayer, initConnection, ...
#: 32-bit values at the edges of every length and count check.
INTERESTING_32 = (0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 253, 254, 255, 256, 1023, 1024, 1025,
                  0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)


def _overwrite(data: bytearray, pos: int, chunk: bytes) -> None:
    data[pos : pos + len(chunk)] = chunk


def _aligned_offset(rng: random.Random, data: bytearray, width: int = 4) -> int:
    if len(data) < width:
        return 0
    return rng.randrange(0, len(data) - width + 1) & ~3


def mutate_once(rng: random.Random, data: bytearray, donors: list[bytes] | None = None) -> None:
    """Apply one random operator to `data` in place."""
    op = rng.randrange(12)
    n = len(data)
    if n == 0 or op == 0:  # insert random bytes
        pos = rng.randint(0, n)
        data[pos:pos] = rng.randbytes(rng.choice((1, 1, 2, 4, 4, 8, 16, 64)))
    elif op == 1:  # flip a bit
        pos = rng.randrange(n)
        data[pos] ^= 1 << rng.randrange(8)
    elif op == 2:  # random byte
        data[rng.randrange(n)] = rng.randrange(256)
    elif op == 3:  # interesting 32-bit value at an aligned offset (a length, a count)
        _overwrite(data, _aligned_offset(rng, data), struct.pack("<I", rng.choice(INTERESTING_32)))
    elif op == 4:  # a special constructor id at an aligned offset
        _overwrite(data, _aligned_offset(rng, data), struct.pack("<I", rng.choice(SPECIAL_IDS)))
    elif op == 5:  # truncate
        del data[rng.randint(0, n - 1):]
    elif op == 6:  # delete a range
        pos = rng.randrange(n)
        del data[pos : pos + rng.choice((1, 3, 4, 8, 16, 100))]
    elif op == 7:  # duplicate a range in place
        pos = rng.randrange(n)
        chunk = data[pos : pos + rng.choice((4, 8, 16, 64, 256))]
        data[pos:pos] = chunk
    elif op == 8:  # a TL long-bytes header with a huge length: 0xfe + 3 bytes
        _overwrite(data, _aligned_offset(rng, data), b"\xfe" + rng.choice((b"\xff\xff\xff", b"\x00\x00\x01", rng.randbytes(3))))
    elif op == 9:  # splice with a donor (another valid input)
        if donors:
            donor = rng.choice(donors)
            if donor:
                start = rng.randrange(len(donor))
                chunk = donor[start : start + rng.randint(1, 256)]
                pos = rng.randint(0, n)
                if rng.random() < 0.5:
                    data[pos:pos] = chunk
                else:
                    _overwrite(data, pos, chunk)
    elif op == 10:  # 8-byte interesting values (msg_ids, session ids, salts)
        value = rng.choice((0, 1, -1, 2**63 - 1, -(2**63), rng.getrandbits(64) - 2**63))
        _overwrite(data, _aligned_offset(rng, data, 8), struct.pack("<q", value))
    else:  # zero or 0xff a range
        pos = rng.randrange(n)
        size = rng.choice((1, 4, 8, 32))
        _overwrite(data, pos, (b"\0" if rng.random() < 0.5 else b"\xff") * min(size, n - pos))


def mutate(rng: random.Random, data: bytes, *, max_ops: int = 4, donors: list[bytes] | None = None) -> bytes:
    """`data` with 1..max_ops operators applied (fewer is likelier: small breaks go deepest)."""
    out = bytearray(data)
    for _ in range(min(rng.randint(1, max_ops), rng.randint(1, max_ops))):
        mutate_once(rng, out, donors)
    return bytes(out)


def random_bytes(rng: random.Random, max_size: int = 512) -> bytes:
    """Random bytes of a length that favours short inputs and the edges of 4-byte alignment."""
    size = rng.choice((0, 1, 3, 4, 5, 8, 12, 16, 20, 24, 32, 40, 56, 64, 100, rng.randint(0, max_size)))
    return rng.randbytes(size)


def splits(rng: random.Random, data: bytes) -> list[bytes]:
    """`data` cut into chunks at random points: one byte at a time, a few pieces, or whole."""
    mode = rng.randrange(4)
    if mode == 0 or not data:
        return [data]
    if mode == 1 and len(data) <= 4096:
        return [data[i : i + 1] for i in range(len(data))]
    cuts = sorted(rng.sample(range(1, len(data) + 1), min(len(data), rng.randint(1, 12))))
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return pieces
