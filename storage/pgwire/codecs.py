"""Binary codecs of the PostgreSQL types the schema uses, by type OID.

A type listed here travels in binary both ways (no text parsing, exact bytes and
integers); any other type travels as text: a parameter as ``str(value)``, a result as
``str`` (``numeric`` as ``Decimal``, as asyncpg gave it). Values come back as Python
values asyncpg also gave: int, bool, str (text, json, jsonb), bytes, float, lists for
arrays, None for NULL.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Encoder = Callable[[Any], bytes]
Decoder = Callable[[bytes], Any]

_INT2 = struct.Struct("!h")
_INT4 = struct.Struct("!i")
_INT8 = struct.Struct("!q")
_UINT4 = struct.Struct("!I")
_FLOAT4 = struct.Struct("!f")
_FLOAT8 = struct.Struct("!d")
_ARRAY_HEADER = struct.Struct("!iiI")
_DIMENSION = struct.Struct("!ii")

BOOL, BYTEA, CHAR, NAME, INT8, INT2, INT4, TEXT, OID = 16, 17, 18, 19, 20, 21, 23, 25, 26
JSON, FLOAT4, FLOAT8, UNKNOWN, BPCHAR, VARCHAR, NUMERIC, VOID, JSONB = 114, 700, 701, 705, 1042, 1043, 1700, 2278, 3802


def _text(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return value.encode()


def _bytes(value: Any) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, got {type(value).__name__}")
    return bytes(value)


def _bool(value: Any) -> bytes:
    if not isinstance(value, (bool, int)):
        raise TypeError(f"expected bool, got {type(value).__name__}")
    return b"\x01" if value else b"\x00"


def _jsonb(value: Any) -> bytes:
    return b"\x01" + _text(value)


def _decode_jsonb(data: bytes) -> str:
    if data[:1] != b"\x01":
        raise ValueError("unknown jsonb binary version")
    return data[1:].decode()


def _decode_text(data: bytes) -> str:
    return data.decode()


def _packer(packer: struct.Struct, accepted: tuple[type, ...], what: str) -> Encoder:
    pack = packer.pack

    def encode(value: Any) -> bytes:
        if not isinstance(value, accepted):
            raise TypeError(f"expected {what}, got {type(value).__name__}")
        return pack(value)

    return encode


def _integer(packer: struct.Struct) -> Encoder:
    return _packer(packer, (int,), "int")  # bool is an int, as asyncpg allows


def _number(packer: struct.Struct) -> Encoder:
    return _packer(packer, (int, float), "a number")


def _unpacker(packer: struct.Struct) -> Decoder:
    unpack = packer.unpack

    def decode(data: bytes) -> Any:
        return unpack(data)[0]

    return decode


ENCODERS: dict[int, Encoder] = {
    BOOL: _bool, BYTEA: _bytes, CHAR: _text, NAME: _text, TEXT: _text, BPCHAR: _text,
    VARCHAR: _text, UNKNOWN: _text, JSON: _text, JSONB: _jsonb,
    INT2: _integer(_INT2), INT4: _integer(_INT4), INT8: _integer(_INT8), OID: _integer(_UINT4),
    FLOAT4: _number(_FLOAT4), FLOAT8: _number(_FLOAT8),
}

DECODERS: dict[int, Decoder] = {
    BOOL: lambda data: data == b"\x01", BYTEA: bytes, CHAR: _decode_text, NAME: _decode_text,
    TEXT: _decode_text, BPCHAR: _decode_text, VARCHAR: _decode_text, UNKNOWN: _decode_text,
    JSON: _decode_text, JSONB: _decode_jsonb,
    INT2: _unpacker(_INT2), INT4: _unpacker(_INT4), INT8: _unpacker(_INT8), OID: _unpacker(_UINT4),
    FLOAT4: _unpacker(_FLOAT4), FLOAT8: _unpacker(_FLOAT8),
    VOID: lambda data: None,
}

# Array type OID -> element type OID
ARRAYS: dict[int, int] = {
    1000: BOOL, 1001: BYTEA, 1002: CHAR, 1003: NAME, 1005: INT2, 1007: INT4, 1009: TEXT, 1014: BPCHAR,
    1015: VARCHAR, 1016: INT8, 1021: FLOAT4, 1022: FLOAT8, 1028: OID, 199: JSON, 3807: JSONB,
}


def _array_encoder(element_oid: int) -> Encoder:
    encode_element = ENCODERS[element_oid]

    def encode(value: Any) -> bytes:
        if isinstance(value, (str, bytes, bytearray, memoryview)) or not hasattr(value, "__iter__"):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        items = list(value)
        if not items:
            return _ARRAY_HEADER.pack(0, 0, element_oid)
        parts = [_ARRAY_HEADER.pack(1, 0, element_oid), _DIMENSION.pack(len(items), 1)]
        has_null = 0
        for item in items:
            if item is None:
                has_null = 1
                parts.append(b"\xff\xff\xff\xff")
            else:
                data = encode_element(item)
                parts.append(_INT4.pack(len(data)))
                parts.append(data)
        if has_null:
            parts[0] = _ARRAY_HEADER.pack(1, 1, element_oid)
        return b"".join(parts)

    return encode


def _array_decoder(element_oid: int) -> Decoder:
    decode_element = DECODERS[element_oid]

    def decode(data: bytes) -> list:
        dimensions, _flags, _oid = _ARRAY_HEADER.unpack_from(data)
        if dimensions == 0:
            return []
        position = 12
        lengths = []
        for _ in range(dimensions):
            lengths.append(_DIMENSION.unpack_from(data, position)[0])
            position += 8

        def read(depth: int) -> list:
            nonlocal position
            out = []
            for _ in range(lengths[depth]):
                if depth + 1 < dimensions:
                    out.append(read(depth + 1))
                    continue
                size = _INT4.unpack_from(data, position)[0]
                position += 4
                if size < 0:
                    out.append(None)
                else:
                    out.append(decode_element(data[position:position + size]))
                    position += size
            return out

        return read(0)

    return decode


for _array_oid, _element_oid in ARRAYS.items():
    ENCODERS[_array_oid] = _array_encoder(_element_oid)
    DECODERS[_array_oid] = _array_decoder(_element_oid)


def text_parameter(value: Any) -> bytes:
    """A parameter of a type without a binary codec here, in its text form."""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


def text_result(type_oid: int) -> Decoder:
    if type_oid == NUMERIC:
        return lambda data: Decimal(data.decode())
    return _decode_text
