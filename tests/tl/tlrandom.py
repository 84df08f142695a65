"""Random, valid TL bytes for any declaration of any layer, written straight from the
schema model (not through the codec under test), for round-trip and cross-library tests.

`keep(predicate, field)` says whether a field may carry a random value; fields it
refuses get the value a lossless round trip through the canonical model preserves
(absent when conditional, the type's zero when required).
"""

from __future__ import annotations

import functools
import random
import struct
from pathlib import Path

from tl.parser import parse_file
from tl.schema import Combinator, Schema, TypeRef

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
VECTOR = struct.pack("<I", 0x1CB5C415)
BOOL = {True: struct.pack("<I", 0x997275B5), False: struct.pack("<I", 0xBC799737)}


@functools.lru_cache(maxsize=None)
def layer_schema(layer: int) -> Schema:
    schema = parse_file(SCHEMA_DIR / "mtproto.tl").merged(parse_file(SCHEMA_DIR / f"api-layer-{layer}.tl"))
    schema.layer = layer
    return schema


@functools.lru_cache(maxsize=None)
def constructors_by_type(layer: int) -> dict[str, list[Combinator]]:
    out: dict[str, list[Combinator]] = {}
    for c in layer_schema(layer).constructors:
        if c.predicate in ("boolFalse", "boolTrue", "true", "vector"):
            continue
        out.setdefault(str(c.result), []).append(c)
    for items in out.values():
        # Simplest first: at the depth limit the generator takes the head of the list.
        items.sort(key=lambda c: (sum(not p.is_conditional and not p.type.is_builtin for p in c.params), len(c.params)))
    return out


def tl_bytes(data: bytes) -> bytes:
    n = len(data)
    if n < 254:
        head = bytes([n])
    else:
        head = b"\xfe" + n.to_bytes(3, "little")
    body = head + data
    return body + b"\0" * (-len(body) & 3)


class RandomTL:
    def __init__(self, rng: random.Random, layer: int, keep=lambda predicate, field: True,
                 max_depth: int = 3, nonnegative_ints: bool = False):
        self.rng = rng
        self.layer = layer
        self.keep = keep
        self.max_depth = max_depth
        self.nonnegative_ints = nonnegative_ints
        self.by_type = constructors_by_type(layer)

    def value(self, t: TypeRef, depth: int, zero: bool = False) -> bytes:
        r = self.rng
        n = t.name
        if n == "int":
            lo = 0 if self.nonnegative_ints else -(2**31)
            return struct.pack("<i", 0 if zero else r.randint(lo, 2**31 - 1))
        if n == "long":
            lo = 0 if self.nonnegative_ints else -(2**63)
            return struct.pack("<q", 0 if zero else r.randint(lo, 2**63 - 1))
        if n == "double":
            return struct.pack("<d", 0.0 if zero else r.uniform(-1e9, 1e9))
        if n == "int128":
            return bytes(16) if zero else r.randbytes(16)
        if n == "int256":
            return bytes(32) if zero else r.randbytes(32)
        if n == "string":
            if zero:
                return tl_bytes(b"")
            length = r.choice((0, 1, 3, 7, 40, 300))
            alphabet = "abcxyz АБВ 🙂\n"
            return tl_bytes("".join(r.choice(alphabet) for _ in range(length)).encode())
        if n == "bytes":
            return tl_bytes(b"" if zero else r.randbytes(r.choice((0, 1, 4, 253, 254, 1000))))
        if n == "Bool":
            return BOOL[False if zero else r.random() < 0.5]
        if t.is_vector:
            count = 0 if zero or depth >= self.max_depth + 1 else r.randint(0, 2)
            head = b"" if t.bare else VECTOR
            return head + struct.pack("<i", count) + b"".join(self.value(t.arg, depth + 1) for _ in range(count))
        if t.generic_ref:
            # !X: any function; a parameterless one keeps the bytes short.
            return struct.pack("<I", 0xC4F9186B)  # help.getConfig
        if t.bare:
            c = next(c for c in layer_schema(self.layer).constructors if c.predicate == t.name or str(c.result) == t.name)
            return self.combinator(c, depth + 1, boxed=False)
        options = self.by_type.get(t.name)
        if not options:
            raise LookupError(f"layer {self.layer} has no constructor of type {t.name}")
        c = options[0] if depth >= self.max_depth else r.choice(options)
        return self.combinator(c, depth + 1)

    def combinator(self, c: Combinator, depth: int = 0, boxed: bool = True) -> bytes:
        r = self.rng
        present: dict[tuple[str, int], bool] = {}
        for p in c.params:
            if p.is_conditional:
                key = (p.flag_field, p.flag_bit)
                wanted = self.keep(c.predicate, p.name) and r.random() < 0.6
                # Fields that share a bit are present together; any one refused keeps all out.
                present[key] = present.get(key, True) and wanted
        out = [struct.pack("<I", c.id)] if boxed else []
        for p in c.params:
            if p.is_flags:
                bits = sum(1 << bit for (field, bit), on in present.items() if field == p.name and on)
                out.append(struct.pack("<I", bits))
            elif p.is_true_flag:
                continue
            elif p.is_conditional:
                if present[(p.flag_field, p.flag_bit)]:
                    out.append(self.value(p.type, depth))
            else:
                out.append(self.value(p.type, depth, zero=not self.keep(c.predicate, p.name)))
        return b"".join(out)
