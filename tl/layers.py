"""Serving every shipped layer from one canonical object model.

Canonical objects are the newest layer's classes (tl/generated). For another layer L,
tl/generated/layers/ holds generated readers and writers for the declarations in which
L differs from the canonical layer (another id, or the same id with other `true` flags;
each declaration once, in the module of the newest layer that has it, with the layers
it serves); everything else is the canonical code:
- decoding uses a table id → reader: the canonical readers for every id L shares with
  the canonical layer, and L's own readers, which produce the canonical class of the same
  predicate (fields L lacks get defaults, fields the canonical class lacks are dropped,
  or handed to a registered upgrader);
- encoding passes L's table of overrides down the object tree: a canonical class that L
  declares otherwise is written by L's writer of the same predicate, one whose predicate
  L lacks is handed to a registered fallback or refused with LayerMismatchError.

Fallbacks: `register_fallback(name, fn)` where name is a predicate (`messageMediaPaidMedia`)
or an abstract type (`MessageMedia`), and `fn(obj, layer)` returns an object to send
instead (itself encoded for that layer, so it may fall back again). The predicate wins
over the type. Handlers use this to show a newer media type to an old client as a text
placeholder, for example.

Built lazily, once per layer: `import tl` loads no older layer's module.
"""

from __future__ import annotations

import importlib
from typing import Callable

from . import wire
from .errors import LayerMismatchError, TLDecodeError
from .generated import CLASSES, LAYER as CANONICAL_LAYER
from .generated.layers import LAYERS
from .legacy import UPGRADERS, LegacyObject
from .tlobject import REGISTRY, TLObject

SHIPPED_LAYERS: tuple[int, ...] = LAYERS

_FALLBACKS: dict[str, Callable[[TLObject, int], TLObject]] = {}
# method predicate → fn(canonical result, layer) → the value that layer's result type holds
_RESULT_ADAPTERS: dict[str, Callable[[object, int], object]] = {}


def register_fallback(name: str, fn: Callable[[TLObject, int], TLObject]) -> None:
    """Send `fn(obj, layer)` instead of `obj` to layers that lack obj's predicate."""
    _FALLBACKS[name] = fn


def unregister_fallback(name: str) -> None:
    _FALLBACKS.pop(name, None)


def register_result_adapter(predicate: str, fn: Callable[[object, int], object]) -> None:
    """For a method whose result type changed between layers (messages.getDialogFilters
    returned Vector<DialogFilter> before messages.DialogFilters): `fn(result, layer)`
    turns the canonical result into the value the older result type holds."""
    _RESULT_ADAPTERS[predicate] = fn


def register_upgrader(predicate: str, fn: Callable[[TLObject, dict], TLObject]) -> None:
    """For a declaration whose field an older layer sends under another shape (layer
    158's messages.sendMessage has reply_to_msg_id where newer ones have reply_to):
    when an older layer's object of `predicate` is decoded, the fields the canonical
    class lacks (by their old names, when any was present) are handed to
    `fn(obj, dropped)`, which returns the canonical object to use."""
    UPGRADERS[predicate] = fn


def serving_layer(client_layer: int) -> int:
    """The shipped layer a client of `client_layer` is served with: the nearest one at
    or below it (a newer client than we know gets our newest; an older one than we ship
    gets our oldest, the best we can do)."""
    best = SHIPPED_LAYERS[0]
    for layer in SHIPPED_LAYERS:
        if layer <= client_layer:
            best = layer
    return best


class DecodeTable(dict):
    """id → reader. An unknown id yields a reader that raises with the id and offset."""

    __slots__ = ("layer",)

    def __missing__(self, constructor_id):
        layer = self.layer

        def unknown(b, p, T):
            raise TLDecodeError("unknown constructor", constructor_id, p - 4, layer)

        return unknown


def _canonical_readers() -> DecodeTable:
    table = DecodeTable((cls.CONSTRUCTOR_ID, cls._r) for cls in CLASSES)
    table.layer = CANONICAL_LAYER
    table[wire.BOOL_TRUE_ID] = lambda b, p, T: (True, p)
    table[wire.BOOL_FALSE_ID] = lambda b, p, T: (False, p)
    table[wire.TRUE_ID] = lambda b, p, T: (True, p)
    table[wire.GZIP_PACKED_ID] = wire.read_gzip_packed
    # A Vector as a free-standing object (a method result read without its request):
    # its element type is unknown, so only vectors of boxed objects can be read.
    table[wire.VECTOR_ID] = lambda b, p, T: wire.read_vector_objects(b, p - 4, T)
    return table


CANONICAL_READERS = _canonical_readers()


class EncodeTable(dict):
    """Canonical class → writer of this layer's declaration (or fallback), the `L` every
    generated writer is handed. Its layer names the layer in the writers' errors."""

    __slots__ = ("layer",)


class LayerCodec:
    """The decode table and encode overrides of one shipped layer."""

    def __init__(self, layer: int):
        self.layer = layer
        if layer == CANONICAL_LAYER:
            self.readers = CANONICAL_READERS
            self.overrides = None
            self.result_writers = {}
            return
        # This layer's declarations live in its module and newer layers' (the newest
        # layer that has a declaration holds it: tools/tlgen/layertables.py).
        modules = [importlib.import_module(f"{__package__}.generated.layers.l{n}")
                   for n in SHIPPED_LAYERS if layer <= n < CANONICAL_LAYER]
        absent = frozenset().union(*(m.NEWER for m in modules)) - modules[0].HAS
        readers = DecodeTable(CANONICAL_READERS)
        readers.layer = layer
        for cid in absent:
            readers.pop(cid, None)
        overrides = EncodeTable()
        overrides.layer = layer
        legacy = {}
        # Methods whose result type differs in this layer: their results are written as
        # this layer declares them (after the registered adapter, if any).
        self.result_writers = {}
        for m in modules:
            for holders, cid, predicate, read, write, write_result in m.DECLS:
                if layer not in holders:
                    continue
                readers[cid] = read
                cls = REGISTRY.get(predicate)
                if cls is None:
                    legacy[predicate] = write
                else:
                    overrides[cls] = write
                if write_result is not None:
                    self.result_writers[predicate] = self._result_writer(predicate, write_result)
        for cls in CLASSES:
            if cls.CONSTRUCTOR_ID in absent and cls not in overrides:
                overrides[cls] = self._fallback_writer(cls)

        # Objects decoded from this layer that the canonical model lacks are written back as they came.
        def write_legacy(obj, out, L):
            write = legacy.get(obj.QUALNAME)
            if write is None:
                raise LayerMismatchError(obj.QUALNAME, layer)
            write(obj, out, L)

        overrides[LegacyObject] = write_legacy
        self.readers = readers
        self.overrides = overrides

    def _result_writer(self, predicate: str, write: Callable):
        layer = self.layer

        def write_result(value, out, L):
            adapt = _RESULT_ADAPTERS.get(predicate)
            write(adapt(value, layer) if adapt else value, out, L)

        return write_result

    def _fallback_writer(self, cls: type):
        layer = self.layer
        type_name = getattr(cls, "TYPE", None)

        def write(obj, out, L):
            fn = _FALLBACKS.get(cls.QUALNAME) or (_FALLBACKS.get(type_name) if type_name else None)
            if fn is None:
                raise LayerMismatchError(cls.QUALNAME, layer)
            replacement = fn(obj, layer)
            if type(replacement) is type(obj):
                raise LayerMismatchError(cls.QUALNAME, layer)
            replacement._w(out, L)

        return write


_CODECS: dict[int, LayerCodec] = {}


def codec_for(layer: int | None) -> LayerCodec:
    """The codec of a shipped layer (None: canonical). Other numbers: their serving layer."""
    if layer is None:
        layer = CANONICAL_LAYER
    codec = _CODECS.get(layer)
    if codec is None:
        shipped = layer if layer in SHIPPED_LAYERS else serving_layer(layer)
        codec = _CODECS.get(shipped) or LayerCodec(shipped)
        _CODECS[shipped] = codec
        _CODECS[layer] = codec
    return codec
