"""What the generated codecs of older layers (tl/generated/layers/) call at run time.

- LegacyObject: an older layer's object whose predicate the canonical layer no longer has;
- UPGRADERS: predicate → fn(canonical object, {old field name: value}), for the fields an
  older declaration has and the canonical class lacks (registered by tl.register_upgrader);
- text_with_entities / write_text: an older `string` where the canonical class holds a
  textWithEntities, each way.

No schema and no tables here: only what generated code needs beside tl.wire.
"""

from __future__ import annotations

from typing import Callable

from . import wire
from .errors import LayerMismatchError
from .generated import LAYER as CANONICAL_LAYER
from .tlobject import REGISTRY, TLObject, _to_json_value

UPGRADERS: dict[str, Callable[[TLObject, dict], TLObject]] = {}


class LegacyObject(TLObject):
    """An object of an older layer whose predicate the canonical layer no longer has.

    Handlers never see it for methods they implement; the dispatcher reports the
    predicate as unimplemented, and the capture tools can still print it.
    """

    __slots__ = ("QUALNAME", "CONSTRUCTOR_ID", "values")

    def __init__(self, predicate: str, constructor_id: int, values: dict):
        self.QUALNAME = predicate
        self.CONSTRUCTOR_ID = constructor_id
        self.values = values

    def __eq__(self, other):
        return isinstance(other, LegacyObject) and (self.QUALNAME, self.values) == (other.QUALNAME, other.values)

    def __repr__(self):
        return f"LegacyObject({self.QUALNAME!r}, {self.values!r})"

    def _w(self, out, L):
        # Written back only for a layer that has its predicate (tl/layers.py puts the
        # writer into that layer's table).
        write = L.get(LegacyObject) if L is not None else None
        if write is None:
            raise LayerMismatchError(self.QUALNAME, CANONICAL_LAYER)
        write(self, out, L)

    def to_dict(self):
        return {"_": self.QUALNAME, **{k: _to_json_value(v) for k, v in self.values.items()}}


def text_with_entities(text: str) -> TLObject:
    """An older layer's plain text where the canonical class expects textWithEntities."""
    return REGISTRY["textWithEntities"](text=text, entities=[])


def write_text(out: bytearray, value) -> None:
    """The reverse: an older layer gets the text of a textWithEntities."""
    if isinstance(value, TLObject):
        value = getattr(value, "text", "")
    wire.write_string(out, value)
