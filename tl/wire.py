"""Wire primitives that generated encoders/decoders call.

Calling convention (chosen for speed, see bench/):
- readers are `read_x(b, p[, T]) -> (value, new_p)`, where `b` is bytes-like, `p` an offset
  and `T` the decode table of the layer being read (constructor id → reader);
- writers append to a bytearray: `write_x(out, value[, L])`, where `L` is the layer's
  table of encoder overrides (None for the canonical layer).
Fixed-size fields are packed by precompiled `struct` objects in the generated code itself;
only variable-size values come here.
"""

from __future__ import annotations

import struct
import zlib
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import TLDecodeError

VECTOR_ID = 0x1CB5C415
BOOL_TRUE_ID = 0x997275B5
BOOL_FALSE_ID = 0xBC799737
TRUE_ID = 0x3FEDD339
GZIP_PACKED_ID = 0x3072CFA1

# Decompressed gzip_packed payloads larger than this are refused: a few KB of zlib can
# expand to gigabytes, and no legitimate TL object comes near it.
MAX_GZIP_SIZE = 32 * 1024 * 1024

_u32 = struct.Struct("<I").unpack_from
_u32u32 = struct.Struct("<II").unpack_from
_p_vec_head = struct.Struct("<II").pack
_p_u32 = struct.Struct("<I").pack
_i128 = struct.Struct("16s").unpack_from
_i256 = struct.Struct("32s").unpack_from
_PAD = (b"", b"\0", b"\0\0", b"\0\0\0")
BOOL_TRUE = _p_u32(BOOL_TRUE_ID)
BOOL_FALSE = _p_u32(BOOL_FALSE_ID)


def read_bytes(b, p):
    n = b[p]
    if n < 254:
        start = p + 1
        after = p + ((n + 4) & ~3)
    else:
        if n == 255:
            raise TLDecodeError("invalid bytes length marker 0xff", offset=p)
        n = b[p + 1] | b[p + 2] << 8 | b[p + 3] << 16
        start = p + 4
        after = p + ((n + 7) & ~3)
    # The padding belongs to the value: an object cut inside it is truncated too.
    if after > len(b):
        raise TLDecodeError("bytes longer than the data", offset=p)
    return bytes(b[start : start + n]), after


def read_string(b, p):
    data, p = read_bytes(b, p)
    # Invalid UTF-8 is replaced rather than raised: a client's bad text must not turn
    # into an exception of another type, and nothing downstream can store surrogates.
    return data.decode("utf-8", "replace"), p


def write_bytes(out, data):
    n = len(data)
    if n < 254:
        out.append(n)
        out += data
        out += _PAD[-(n + 1) & 3]
    else:
        if n >= 1 << 24:
            raise ValueError(f"bytes of length {n} exceed the TL limit of 2^24-1")
        out += _p_u32(0xFE | n << 8)
        out += data
        out += _PAD[-n & 3]


def write_string(out, text):
    write_bytes(out, text.encode("utf-8"))


def read_bool(b, p):
    c = _u32(b, p)[0]
    if c == BOOL_TRUE_ID:
        return True, p + 4
    if c == BOOL_FALSE_ID:
        return False, p + 4
    raise TLDecodeError("expected Bool", constructor_id=c, offset=p)


def read_int128(b, p):
    return int.from_bytes(_i128(b, p)[0], "little", signed=True), p + 16


def read_int256(b, p):
    return int.from_bytes(_i256(b, p)[0], "little", signed=True), p + 32


def read_object(b, p, T):
    return T[_u32(b, p)[0]](b, p + 4, T)


class DecodeBudget:
    """What decoding one received packet may cost, shared by every message in it: bytes
    gzip_packed may inflate to, and elements of object vectors (each costs microseconds
    to build; bytes alone would let a 16 MiB packet hold two million objects, seconds of
    CPU on the event loop). Outside `decode_budget` nothing is counted."""

    __slots__ = ("inflate", "elements")

    def __init__(self, inflate: int, elements: int):
        self.inflate = inflate
        self.elements = elements


_budget: ContextVar[DecodeBudget | None] = ContextVar("tl_decode_budget", default=None)


@contextmanager
def decode_budget(inflate: int, elements: int):
    budget = DecodeBudget(inflate, elements)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def _spend_elements(n: int, p: int) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.elements -= n
        if budget.elements < 0:
            raise TLDecodeError("more vector elements than one message may carry", offset=p)


def _vector_head(b, p):
    c, n = _u32u32(b, p)
    if c != VECTOR_ID:
        raise TLDecodeError("expected Vector", constructor_id=c, offset=p)
    return n, p + 8


def read_vector_objects(b, p, T):
    n, p = _vector_head(b, p)
    _spend_elements(n, p - 8)
    items = []
    append = items.append
    for _ in range(n):
        o, p = T[_u32(b, p)[0]](b, p + 4, T)
        append(o)
    return items, p


def _fixed_vector(fmt: str, size: int):
    def read(b, p, T=None):
        n, p = _vector_head(b, p)
        end = p + n * size
        if end > len(b):
            raise TLDecodeError("vector longer than the data", offset=p - 8)
        return list(struct.unpack_from(f"<{n}{fmt}", b, p)), end

    def write(out, items, L=None):
        n = len(items)
        out += struct.pack(f"<II{n}{fmt}", VECTOR_ID, n, *items)

    return read, write


read_vector_int, write_vector_int = _fixed_vector("i", 4)
read_vector_long, write_vector_long = _fixed_vector("q", 8)
read_vector_double, write_vector_double = _fixed_vector("d", 8)


def read_vector(b, p, T, element):
    """A boxed Vector whose elements are read by `element(b, p, T)`."""
    n, p = _vector_head(b, p)
    _spend_elements(n, p - 8)
    items = []
    for _ in range(n):
        v, p = element(b, p, T)
        items.append(v)
    return items, p


def read_bare_vector(b, p, T, element):
    """A bare `vector<t>` (no 0x1cb5c415 id): only in mtproto.tl."""
    n = _u32(b, p)[0]
    p += 4
    items = []
    for _ in range(n):
        v, p = element(b, p, T)
        items.append(v)
    return items, p


def write_vector_objects(out, items, L):
    out += _p_vec_head(VECTOR_ID, len(items))
    for item in items:
        item._w(out, L)


def write_vector(out, items, L, element):
    out += _p_vec_head(VECTOR_ID, len(items))
    for item in items:
        element(out, item, L)


def write_bare_vector(out, items, L, element):
    out += _p_u32(len(items))
    for item in items:
        element(out, item, L)


def write_object(out, obj, L):
    obj._w(out, L)


def write_bool(out, value, L=None):
    out += BOOL_TRUE if value else BOOL_FALSE


def write_int128(out, value, L=None):
    out += value.to_bytes(16, "little", signed=True)


def write_int256(out, value, L=None):
    out += value.to_bytes(32, "little", signed=True)


# Element readers/writers with the uniform (b, p, T) / (out, v, L) signature, for
# vectors of vectors and other rare shapes.
def read_int(b, p, T=None):
    return _u32i(b, p)[0], p + 4


def read_long(b, p, T=None):
    return _u64i(b, p)[0], p + 8


def read_double(b, p, T=None):
    return _f64(b, p)[0], p + 8


def write_int(out, v, L=None):
    out += _p_i32(v)


def write_long(out, v, L=None):
    out += _p_i64(v)


def write_double(out, v, L=None):
    out += _p_f64(v)


_u32i = struct.Struct("<i").unpack_from
_u64i = struct.Struct("<q").unpack_from
_f64 = struct.Struct("<d").unpack_from
_p_i32 = struct.Struct("<i").pack
_p_i64 = struct.Struct("<q").pack
_p_f64 = struct.Struct("<d").pack


def read_string_el(b, p, T=None):
    return read_string(b, p)


def read_bytes_el(b, p, T=None):
    return read_bytes(b, p)


def write_string_el(out, v, L=None):
    write_string(out, v)


def write_bytes_el(out, v, L=None):
    write_bytes(out, v)


def read_bool_el(b, p, T=None):
    return read_bool(b, p)


def read_int128_el(b, p, T=None):
    return read_int128(b, p)


def read_int256_el(b, p, T=None):
    return read_int256(b, p)


def read_gzip_packed(b, p, T):
    """`gzip_packed#3072cfa1 packed_data:string`, read wherever a boxed object may be.
    Inflates to at most MAX_GZIP_SIZE, and within a decode budget to what is left of it."""
    packed, end = read_bytes(b, p)
    budget = _budget.get()
    limit = MAX_GZIP_SIZE if budget is None else min(MAX_GZIP_SIZE, budget.inflate)
    if limit <= 0:
        raise TLDecodeError("gzip_packed beyond the message's decompression budget", GZIP_PACKED_ID, p - 4)
    try:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        data = inflater.decompress(packed, limit)
        if inflater.unconsumed_tail:
            raise TLDecodeError(f"gzip_packed expands beyond {limit} bytes", GZIP_PACKED_ID, p - 4)
    except zlib.error as exc:
        raise TLDecodeError(f"gzip_packed is not valid gzip: {exc}", GZIP_PACKED_ID, p - 4) from None
    if budget is not None:
        budget.inflate -= len(data)
    obj, _ = T[_u32(data, 0)[0]](data, 4, T)
    return obj, end


def write_gzip_packed(out, payload: bytes, level: int = 6):
    """Wrap an already serialized boxed object in gzip_packed."""
    out += _p_u32(GZIP_PACKED_ID)
    write_bytes(out, gzip_compress(payload, level))


def gzip_compress(data: bytes, level: int = 6) -> bytes:
    # mtime=0 and no file name: the same payload always compresses to the same bytes.
    import gzip

    return gzip.compress(data, compresslevel=level, mtime=0)
