"""The codec's own errors: the only exceptions `decode`/`encode` ever raise."""

from __future__ import annotations


class TLError(Exception):
    """Base class of every codec error."""


class TLDecodeError(TLError):
    """Bytes that are not a valid TL object of the given layer.

    Names the constructor id (hex) that could not be read, the byte offset and the layer.
    """

    def __init__(self, reason: str, constructor_id: int | None = None,
                 offset: int | None = None, layer: int | None = None):
        self.reason = reason
        self.constructor_id = constructor_id
        self.offset = offset
        self.layer = layer
        super().__init__(reason)

    def __str__(self) -> str:
        parts = [self.reason]
        if self.constructor_id is not None:
            parts.append(f"constructor 0x{self.constructor_id:08x}")
        if self.offset is not None:
            parts.append(f"offset {self.offset}")
        if self.layer is not None:
            parts.append(f"layer {self.layer}")
        return ", ".join(parts)


class TLEncodeError(TLError):
    """An object that cannot be written: a missing required field, a value of the wrong type."""


class LayerMismatchError(TLEncodeError):
    """The target layer has no constructor for this predicate and no fallback is registered."""

    def __init__(self, predicate: str, layer: int):
        self.predicate = predicate
        self.layer = layer
        super().__init__(f"layer {layer} has no constructor {predicate!r} and no fallback is registered")
