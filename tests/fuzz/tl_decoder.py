"""Fuzz target: the TL decoder (tl.decode) of every shipped layer, with and without a budget.

Cases: random bytes (half of them behind a real constructor id of the layer), valid
encodings of random objects (tests/tl/tlrandom.py, from the schema of any shipped layer)
mutated and decoded by the same or another layer, deep nesting (wrappers, rich text,
gzip_packed in gzip_packed), huge declared lengths and counts, and gzip_packed bombs
(alone, many in one vector, nested). Invariants:

- tl.decode returns an object or raises tl.TLDecodeError, nothing else;
- a decoded object encodes back for its layer or raises a tl.TLError (never a foreign one);
- CPU per decode is bounded: inside decode_budget (the server's per-packet budget, or a
  tight one) a bomb costs what the budget allows, not what the sender asked for.

Case layout: layer index into tl.SHIPPED_LAYERS (1 byte, 255 = canonical), budget mode (1:
0 none, 1 the server's, 2 tight), then the bytes decoded.
"""

from __future__ import annotations

import functools
import gzip
import random
import struct

import tl
from mtproto.session import MAX_INFLATED_PER_PACKET, MAX_VECTOR_ELEMENTS_PER_PACKET
from tl.layers import codec_for
from tl.wire import GZIP_PACKED_ID, VECTOR_ID, decode_budget
from tests.tl.tlrandom import RandomTL, layer_schema, tl_bytes

from .mutate import mutate, random_bytes
from .target import Target

CANONICAL = 255
NO_BUDGET, SERVER_BUDGET, TIGHT_BUDGET = 0, 1, 2
BUDGETS = {SERVER_BUDGET: (MAX_INFLATED_PER_PACKET, MAX_VECTOR_ELEMENTS_PER_PACKET), TIGHT_BUDGET: (4096, 16)}
#: CPU one decode may take: a hang or runaway is far above; a 32 MiB inflate is far below.
DECODE_CPU_LIMIT = 2.0

HELP_GET_CONFIG = struct.pack("<I", 0xC4F9186B)
INVOKE_WITHOUT_UPDATES = struct.pack("<I", 0xBF9459B7)
INVOKE_WITH_LAYER = struct.pack("<I", 0xDA9B0D0D)
TEXT_BOLD = struct.pack("<I", 0x6724ABC4)
TEXT_EMPTY = struct.pack("<I", 0xDC3D824F)
USERS_GET_USERS = struct.pack("<I", 0x0D91A548)
INPUT_USER_SELF = struct.pack("<I", 0xF7C1B13F)
MIB = 1024 * 1024


@functools.lru_cache(maxsize=None)
def reader_ids(layer: int | None) -> list[int]:
    return sorted(codec_for(layer).readers)


@functools.lru_cache(maxsize=None)
def combinators(layer: int) -> list:
    return layer_schema(layer).all()


@functools.lru_cache(maxsize=None)
def gzip_packed(inner: bytes, junk: int = 0) -> bytes:
    """gzip_packed around `inner` followed by `junk` zero bytes (ignored after the object,
    but inflated all the same: the bomb)."""
    return struct.pack("<I", GZIP_PACKED_ID) + tl_bytes(gzip.compress(inner + bytes(junk), 1, mtime=0))


def nested(rng: random.Random) -> bytes:
    depth = rng.choice((10, 100, 999, 1001, 5000, 50000))
    shape = rng.randrange(3)
    if shape == 0:
        return INVOKE_WITHOUT_UPDATES * depth + HELP_GET_CONFIG
    if shape == 1:
        return TEXT_BOLD * depth + TEXT_EMPTY
    data = HELP_GET_CONFIG
    for _ in range(min(depth, 200)):
        data = gzip_packed(data)
    return data


def huge_length(rng: random.Random, layer: int) -> bytes:
    """A constructor whose first field is variable-size, followed by a length or count far
    beyond the data."""
    c = rng.choice([c for c in combinators(layer) if c.params and
                    (c.params[0].type.name in ("string", "bytes") or c.params[0].type.is_vector)])
    head = struct.pack("<I", c.id)
    t = c.params[0].type
    if t.name in ("string", "bytes"):
        body = b"\xfe" + rng.choice((b"\xff\xff\xff", b"\x00\x00\x01", b"\x00\x10\x00"))
    elif t.bare:
        body = struct.pack("<I", rng.choice((0x7FFFFFFF, 0xFFFFFFFF, 1 << 24)))
    else:
        body = struct.pack("<II", VECTOR_ID, rng.choice((0x7FFFFFFF, 0xFFFFFFFF, 1 << 24, 100000)))
    return head + body + rng.randbytes(rng.choice((0, 4, 64, 1000)))


def bomb(rng: random.Random, budget: int) -> bytes:
    shape = rng.randrange(4)
    if shape == 0 or budget == NO_BUDGET:
        # One bomb: below, just above and far above the 16 MiB budget and the 32 MiB cap.
        return gzip_packed(HELP_GET_CONFIG, rng.choice((MIB, 17 * MIB, 33 * MIB)))
    if shape == 1:
        # Many bombs in one vector: the budget is per message, not per gzip_packed.
        count = rng.choice((20, 400))
        return USERS_GET_USERS + struct.pack("<II", VECTOR_ID, count) + gzip_packed(INPUT_USER_SELF, MIB) * count
    if shape == 2:
        # A bomb whose inflated bytes hold another bomb.
        return gzip_packed(gzip_packed(HELP_GET_CONFIG, 8 * MIB), 8 * MIB)
    return INVOKE_WITH_LAYER + struct.pack("<i", 229) + gzip_packed(HELP_GET_CONFIG, 20 * MIB)


def make_target(gen_layers: tuple[int, ...] | None = None) -> Target:
    """The target; valid objects come from the schemas of `gen_layers` (default: every
    shipped layer; parsing one costs ~0.3 s, so the quick pytest run uses two)."""
    gen_layers = gen_layers or tl.SHIPPED_LAYERS
    layers = tl.SHIPPED_LAYERS

    def generate(rng: random.Random) -> bytes:
        layer_index = rng.randrange(len(layers)) if rng.random() < 0.8 else CANONICAL
        decode_layer = layers[layer_index] if layer_index != CANONICAL else tl.LAYER
        budget = rng.choice((NO_BUDGET, SERVER_BUDGET, SERVER_BUDGET, TIGHT_BUDGET))
        kind = rng.random()
        if kind < 0.2:
            data = random_bytes(rng, 1024)
            if rng.random() < 0.5:
                data = struct.pack("<I", rng.choice(reader_ids(decode_layer))) + data
        elif kind < 0.8:
            gen_layer = decode_layer if decode_layer in gen_layers and rng.random() < 0.7 else rng.choice(gen_layers)
            gen = RandomTL(rng, gen_layer, max_depth=rng.choice((1, 2, 3)))
            data = gen.combinator(rng.choice(combinators(gen_layer)))
            if rng.random() < 0.8:
                data = mutate(rng, data, max_ops=4)
        elif kind < 0.88:
            data = nested(rng)
        elif kind < 0.96:
            data = huge_length(rng, rng.choice(gen_layers))
        else:
            data = bomb(rng, budget)
        return bytes([layer_index, budget]) + data

    def prepare() -> None:
        for layer in layers:
            reader_ids(layer)
        for layer in gen_layers:
            combinators(layer)
        for junk in (MIB, 17 * MIB, 20 * MIB, 33 * MIB):
            gzip_packed(HELP_GET_CONFIG, junk)
        gzip_packed(INPUT_USER_SELF, MIB)
        gzip_packed(gzip_packed(HELP_GET_CONFIG, 8 * MIB), 8 * MIB)

    target = Target(
        name="tl",
        summary="tl.decode of every shipped layer: random, mutated, nested, huge lengths, gzip bombs",
        generate=generate,
        check=lambda case: None,
        prepare=prepare,
    )

    def check(case: bytes) -> None:
        layer_index, budget = case[0], case[1]
        data = case[2:]
        layer = None if layer_index == CANONICAL else layers[layer_index % len(layers)]
        limits = BUDGETS.get(budget)
        try:
            if limits is None:
                obj = target.timed(DECODE_CPU_LIMIT, "tl.decode", tl.decode, data, layer)
            else:
                with decode_budget(*limits):
                    obj = target.timed(DECODE_CPU_LIMIT, "tl.decode", tl.decode, data, layer)
        except tl.TLDecodeError as exc:
            assert str(exc)  # the message itself must be printable
            return
        try:
            encoded = tl.encode(obj, layer)
        except tl.TLError:
            return
        assert isinstance(encoded, bytes)

    target.check = check
    return target


TARGET = make_target()
