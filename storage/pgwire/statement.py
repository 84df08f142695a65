"""A prepared statement on one connection: its parameters' encoders and its rows' decoders.

Prepared once per connection (Parse + Describe: the server says each parameter's and
column's type), then each call is a single Bind + Execute + Sync: one write, one round
trip, parameters and results in binary wherever codecs.py has the type.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from . import codecs
from .wire import EXECUTE_ALL, SYNC

_INT2 = struct.Struct("!h")
_INT4 = struct.Struct("!i")
_NULL = b"\xff\xff\xff\xff"


def _formats(binary: list[bool]) -> bytes:
    """A Bind format-code list: none (all text), one (all binary) or one per value."""
    if not any(binary):
        return _INT2.pack(0)
    if all(binary):
        return _INT2.pack(1) + _INT2.pack(1)
    return _INT2.pack(len(binary)) + b"".join(_INT2.pack(1 if b else 0) for b in binary)


class Statement:
    __slots__ = ("name", "parameter_count", "_encoders", "_bind_head", "_bind_tail", "_decoders", "returns_rows")

    def __init__(self, name: bytes, parameter_types: Sequence[int], column_types: Sequence[int] | None):
        self.name = name
        self.parameter_count = len(parameter_types)
        self._encoders = tuple(codecs.ENCODERS.get(oid, codecs.text_parameter) for oid in parameter_types)
        self._bind_head = (b"\0" + name + b"\0"
                           + _formats([oid in codecs.ENCODERS for oid in parameter_types])
                           + _INT2.pack(len(parameter_types)))
        self.returns_rows = column_types is not None
        column_types = column_types or ()
        self._decoders = tuple(codecs.DECODERS.get(oid) or codecs.text_result(oid) for oid in column_types)
        self._bind_tail = _formats([oid in codecs.DECODERS for oid in column_types])

    def execution(self, arguments: Sequence[Any]) -> bytes:
        """Bind + Execute + Sync for these arguments."""
        return self.unsynced_execution(arguments) + SYNC

    def unsynced_execution(self, arguments: Sequence[Any]) -> bytes:
        """Bind + Execute for these arguments, the Sync left to the caller."""
        if len(arguments) != self.parameter_count:
            raise TypeError(f"the statement expects {self.parameter_count} arguments, {len(arguments)} given")
        parts = [self._bind_head]
        append = parts.append
        pack = _INT4.pack
        for encode, value in zip(self._encoders, arguments):
            if value is None:
                append(_NULL)
            else:
                data = encode(value)
                append(pack(len(data)))
                append(data)
        append(self._bind_tail)
        body = b"".join(parts)
        return b"B" + pack(len(body) + 4) + body + EXECUTE_ALL

    def decode_row(self, payload: bytes) -> tuple:
        values = []
        append = values.append
        unpack = _INT4.unpack_from
        position = 2
        for decode in self._decoders:
            size = unpack(payload, position)[0]
            position += 4
            if size < 0:
                append(None)
            else:
                end = position + size
                append(decode(payload[position:end]))
                position = end
        return tuple(values)
