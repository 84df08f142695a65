"""The codec's entry points: TL bytes ⇄ canonical objects, for any shipped layer.

    decode(data, layer=L)          boxed object of layer L → canonical object
    encode(obj, layer=L)           canonical object → bytes of layer L
    encode_result(request, value, layer=L) / decode_result(...)
                                   a method's result, typed by its request

`layer=None` is the canonical (newest) layer. Every failure is a TLError subclass:
TLDecodeError names the constructor id, the offset and the layer.
"""

from __future__ import annotations

import struct

from .errors import TLDecodeError, TLEncodeError, TLError
from .layers import codec_for
from .tlobject import TLObject, TLRequest

_u32 = struct.Struct("<I").unpack_from

# Everything a malformed input can make the generated readers raise besides our own
# error: truncation (struct.error, IndexError), nonsense lengths and recursion depth.
_READ_FAILURES = (struct.error, IndexError, ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError)
_WRITE_FAILURES = (struct.error, AttributeError, TypeError, ValueError, OverflowError, RecursionError)


def decode_prefix(data, layer: int | None = None, offset: int = 0) -> tuple[object, int]:
    """Read one boxed object at `offset`; returns it and the offset just after it."""
    codec = codec_for(layer)
    T = codec.readers
    try:
        return T[_u32(data, offset)[0]](data, offset + 4, T)
    except TLDecodeError as exc:
        if exc.layer is None:
            exc.layer = codec.layer
        raise
    except _READ_FAILURES as exc:
        cid = _u32(data, offset)[0] if len(data) >= offset + 4 else None
        reason = "unexpected end of data" if isinstance(exc, (struct.error, IndexError)) else f"invalid data ({type(exc).__name__}: {exc})"
        raise TLDecodeError(reason, cid, len(data) if reason.startswith("unexpected") else None, codec.layer) from None


def decode(data, layer: int | None = None):
    """Read one boxed object (trailing bytes, such as padding, are ignored)."""
    return decode_prefix(data, layer)[0]


def encode(obj, layer: int | None = None) -> bytes:
    out = bytearray()
    write_into(out, obj, layer)
    return bytes(out)


def write_into(out: bytearray, obj, layer: int | None = None) -> None:
    """Append obj (a TL object, or a bool for Bool) to `out`."""
    codec = codec_for(layer)
    try:
        if obj is True or obj is False:
            from .wire import write_bool

            write_bool(out, obj)
        else:
            obj._w(out, codec.overrides)
    except TLError:
        raise
    except _WRITE_FAILURES as exc:
        raise TLEncodeError(f"cannot encode {type(obj).__name__} for layer {codec.layer}: {exc}") from None


def encode_result(request: TLRequest, value, layer: int | None = None) -> bytes:
    """A method's result as its schema type says (Vector<long>, Bool, boxed objects...)."""
    codec = codec_for(layer)
    out = bytearray()
    try:
        own = codec.result_writers.get(request.QUALNAME)
        if own is not None:
            own(value, out, codec.overrides)
        else:
            request._wr(value, out, codec.overrides)
    except TLError:
        raise
    except _WRITE_FAILURES as exc:
        raise TLEncodeError(f"cannot encode the result of {request.QUALNAME} for layer {codec.layer}: {exc}") from None
    return bytes(out)


def decode_result(request: TLRequest, data, layer: int | None = None, offset: int = 0):
    codec = codec_for(layer)
    try:
        return request._rr(data, offset, codec.readers)[0]
    except TLDecodeError as exc:
        if exc.layer is None:
            exc.layer = codec.layer
        raise
    except _READ_FAILURES as exc:
        raise TLDecodeError(f"cannot read the result of {request.QUALNAME}: {type(exc).__name__}: {exc}", layer=codec.layer) from None


__all__ = ["decode", "decode_prefix", "encode", "write_into", "encode_result", "decode_result", "TLObject", "TLRequest"]
