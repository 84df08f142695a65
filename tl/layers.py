"""Serving every shipped layer from one canonical object model.

Canonical objects are the newest layer's classes (tl/generated). For another layer L:
- decoding uses a table id → reader: the canonical readers for every id L shares with
  the canonical layer (same id means same declaration), plus, for L's own constructors,
  readers built from L's declaration that produce the canonical class of the same
  predicate (fields L lacks get defaults, fields the canonical class lacks are dropped);
- encoding passes L's table of overrides down the object tree: a canonical class whose
  id L lacks is written with L's declaration of the same predicate, or handed to a
  registered fallback, or refused with LayerMismatchError.

Fallbacks: `register_fallback(name, fn)` where name is a predicate (`messageMediaPaidMedia`)
or an abstract type (`MessageMedia`), and `fn(obj, layer)` returns an object to send
instead (itself encoded for that layer, so it may fall back again). The predicate wins
over the type. Handlers use this to show a newer media type to an old client as a text
placeholder, for example.

Built lazily, once per layer, from tl/generated/layers.py. The interpreted readers and
writers here are slower than the generated ones; they only run for the constructors
that differ, and the benchmark in bench/ measures the cost.
"""

from __future__ import annotations

import struct
from typing import Callable

from . import wire
from .errors import LayerMismatchError, TLDecodeError, TLEncodeError
from .generated import CLASSES, LAYER as CANONICAL_LAYER
from .generated.layers import LAYERS, TABLES
from .parser import parse_declaration
from .schema import FIXED_SIZE, Combinator, Param, TypeRef
from .tlobject import REGISTRY, TLObject

SHIPPED_LAYERS: tuple[int, ...] = LAYERS

_FALLBACKS: dict[str, Callable[[TLObject, int], TLObject]] = {}
# method predicate → fn(canonical result, layer) → the value that layer's result type holds
_RESULT_ADAPTERS: dict[str, Callable[[object, int], object]] = {}
# predicate → fn(canonical object, {old field name: value}) → the object to use
_UPGRADERS: dict[str, Callable[[TLObject, dict], TLObject]] = {}


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
    _UPGRADERS[predicate] = fn


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
        write = L.get(LegacyObject) if L is not None else None
        if write is None:
            raise LayerMismatchError(self.QUALNAME, CANONICAL_LAYER)
        write(self, out, L)

    def to_dict(self):
        from .tlobject import _to_json_value

        return {"_": self.QUALNAME, **{k: _to_json_value(v) for k, v in self.values.items()}}


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


# -- interpreted codecs for one declaration ------------------------------------------

_INT_DEFAULTS = {"int": 0, "long": 0, "double": 0.0, "int128": 0, "int256": 0, "string": "", "bytes": b"", "Bool": False}


def _default_for(type_text: str):
    """The value a required field gets when the other layer does not have it."""
    t = type_text.rpartition("?")[2]
    if "?" in type_text:
        return False if t == "true" else None
    if t.startswith(("Vector<", "vector<")):
        return []
    return _INT_DEFAULTS.get(t)


def element_reader(t: TypeRef):
    n = t.name
    if n in FIXED_SIZE:
        s = struct.Struct("<" + FIXED_SIZE[n][0])
        size = s.size
        unpack = s.unpack_from
        return lambda b, p, T: (unpack(b, p)[0], p + size)
    simple = {"string": wire.read_string_el, "bytes": wire.read_bytes_el, "Bool": wire.read_bool_el,
              "int128": wire.read_int128_el, "int256": wire.read_int256_el}
    if n in simple:
        return simple[n]
    if t.is_vector:
        inner = element_reader(t.arg)
        if t.bare:
            return lambda b, p, T: wire.read_bare_vector(b, p, T, inner)
        return lambda b, p, T: wire.read_vector(b, p, T, inner)
    if t.bare and not t.generic_ref:
        cls = REGISTRY.get(t.name)
        if cls is None:
            raise TLDecodeError(f"bare type {t} is not a canonical constructor")
        return cls._r
    return wire.read_object


def element_writer(t: TypeRef):
    n = t.name
    if n in FIXED_SIZE:
        pack = struct.Struct("<" + FIXED_SIZE[n][0]).pack

        def write_fixed(out, v, L):
            out += pack(v)

        return write_fixed
    simple = {"string": _write_text, "bytes": wire.write_bytes_el, "Bool": wire.write_bool,
              "int128": wire.write_int128, "int256": wire.write_int256}
    if n in simple:
        return simple[n]
    if t.is_vector:
        inner = element_writer(t.arg)
        if t.bare:
            return lambda out, v, L: wire.write_bare_vector(out, v, L, inner)
        return lambda out, v, L: wire.write_vector(out, v, L, inner)
    if t.bare and not t.generic_ref:
        return lambda out, v, L: v._wb(out, L)
    return wire.write_object


def _write_text(out, v, L=None):
    # A field that was a plain string in an older layer and an object with a `text`
    # (textWithEntities) in the canonical one: the older layer gets the text.
    if isinstance(v, TLObject):
        v = getattr(v, "text", "")
    wire.write_string(out, v)


def _coerce_read(value, canonical_type: str):
    """The reverse of _write_text: a plain string read where the canonical class expects
    textWithEntities."""
    if isinstance(value, str) and canonical_type.rpartition("?")[2] == "TextWithEntities":
        return REGISTRY["textWithEntities"](text=value, entities=[])
    return value


def make_reader(c: Combinator, layer: int):
    """A reader of layer `layer`'s declaration `c` that returns a canonical object.

    Steps are resolved once here (canonical attribute, reader, flag mask), so reading
    is one loop with no name lookups."""
    cls = REGISTRY.get(c.predicate)
    canonical = {name: (attr, type_text) for attr, name, type_text in cls._FIELDS} if cls else {}
    steps = []
    for prm in c.params:
        mask = 1 << prm.flag_bit if prm.is_conditional else 0
        read = None if prm.is_flags or prm.is_true_flag else element_reader(prm.type)
        if cls is None:
            key, coerce = prm.name, False
        else:
            attr, type_text = canonical.get(prm.name, (None, ""))
            key = attr
            coerce = prm.type.name == "string" and type_text.rpartition("?")[2] == "TextWithEntities"
        dropped_as = prm.name if cls is not None and key is None and not prm.is_flags else None
        steps.append((prm.name if prm.is_flags else key, prm.is_flags, prm.flag_field, mask, prm.is_true_flag, read,
                      coerce, dropped_as))
    missing = {}
    if cls is not None:
        present = {prm.name for prm in c.params}
        missing = {attr: _default_for(tt) for attr, name, tt in cls._FIELDS if name not in present}
    unpack_u32 = struct.Struct("<I").unpack_from

    def read(b, p, T):
        flags = {}
        values = dict(missing)
        dropped = None
        for key, is_flags, flag_field, mask, is_true, reader, coerce, dropped_as in steps:
            if is_flags:
                flags[key] = unpack_u32(b, p)[0]
                p += 4
                continue
            if flag_field is not None:
                present = flags[flag_field] & mask
                if is_true:
                    if key is not None:
                        values[key] = present != 0
                    elif present and dropped_as is not None:
                        dropped = dropped or {}
                        dropped[dropped_as] = True
                    continue
                if not present:
                    if key is not None:
                        values[key] = None
                    continue
            value, p = reader(b, p, T)
            if key is not None:
                values[key] = _coerce_read(value, "TextWithEntities") if coerce else value
            elif dropped_as is not None:
                dropped = dropped or {}
                dropped[dropped_as] = value
        if cls is None:
            return LegacyObject(c.predicate, c.id, values), p
        obj = cls(**values)
        if dropped is not None:
            upgrade = _UPGRADERS.get(c.predicate)
            if upgrade is not None:
                obj = upgrade(obj, dropped)
        return obj, p

    return read


def make_writer(c: Combinator, layer: int):
    """A writer of canonical objects in layer `layer`'s declaration `c`."""
    cls = REGISTRY.get(c.predicate)
    attrs = {name: attr for attr, name, _ in cls._FIELDS} if cls else {}
    value_params = [prm for prm in c.params if not prm.is_flags]
    index = {prm.name: i for i, prm in enumerate(value_params)}
    getters = [attrs.get(prm.name) for prm in value_params]
    flag_bits: dict[str, list[tuple[int, int, bool]]] = {}
    for prm in value_params:
        if prm.is_conditional:
            flag_bits.setdefault(prm.flag_field, []).append((index[prm.name], 1 << prm.flag_bit, prm.is_true_flag))
    steps = []
    for prm in c.params:
        if prm.is_flags:
            steps.append((-1, tuple(flag_bits.get(prm.name, ())), False, None, None, prm.name))
        elif not prm.is_true_flag:
            default = None if prm.is_conditional else _default_for(str(prm.type))
            steps.append((index[prm.name], (), prm.is_conditional, element_writer(prm.type), default, prm.name))
    head = struct.pack("<I", c.id)
    pack_u32 = struct.Struct("<I").pack
    names = [prm.name for prm in value_params]
    # Fields on one flag bit are one group on the wire (the bit means all of them
    # follow): all set or none, else the bytes could not be read back.
    groups: dict[tuple[str, int], list[Param]] = {}
    for prm in value_params:
        if prm.is_conditional:
            groups.setdefault((prm.flag_field, prm.flag_bit), []).append(prm)
    shared = [(tuple((index[prm.name], prm.is_true_flag) for prm in group),
               f"{c.predicate}: {', '.join(prm.name for prm in group)} share {field}.{bit} in layer {layer}: "
               "set all of them or none")
              for (field, bit), group in groups.items() if len(group) > 1]

    def write(obj, out, L):
        if isinstance(obj, LegacyObject):
            values = [obj.values.get(n) for n in names]
        else:
            values = [getattr(obj, a) if a is not None else None for a in getters]
        for members, message in shared:
            if len({bool(values[j]) if is_true else values[j] is not None for j, is_true in members}) > 1:
                raise TLEncodeError(message)
        out += head
        for i, bits, conditional, writer, default, name in steps:
            if i < 0:
                flags = 0
                for j, mask, is_true in bits:
                    v = values[j]
                    if (v if is_true else v is not None):
                        flags |= mask
                out += pack_u32(flags)
                continue
            v = values[i]
            if v is None:
                if conditional:
                    continue
                if default is None:
                    raise TLEncodeError(f"{c.predicate}.{name} is required in layer {layer} and has no value")
                v = default
            writer(out, v, L)

    return write


# -- per-layer tables ---------------------------------------------------------------------


class LayerCodec:
    """The decode table and encode overrides of one shipped layer."""

    def __init__(self, layer: int):
        self.layer = layer
        if layer == CANONICAL_LAYER:
            self.readers = CANONICAL_READERS
            self.overrides = None
            self.result_writers = {}
            return
        absent, own = TABLES[layer]
        own_decls = [parse_declaration(line, is_function) for is_function, line in own]
        readers = DecodeTable(CANONICAL_READERS)
        readers.layer = layer
        for cid in absent:
            readers.pop(cid, None)
        by_predicate = {}
        # Methods whose result type differs in this layer: their results are written as
        # this layer declares them (after the registered adapter, if any).
        self.result_writers: dict[str, Callable] = {}
        canonical_results = {cls.QUALNAME: getattr(cls, "RESULT", None) for cls in CLASSES}
        for c in own_decls:
            readers[c.id] = make_reader(c, layer)
            by_predicate[c.predicate] = c
            if c.is_function and canonical_results.get(c.predicate) not in (None, str(c.result)) \
                    and not c.generics:
                self.result_writers[c.predicate] = self._result_writer(c)
        overrides: dict[type, Callable] = {}
        for cls in CLASSES:
            if cls.CONSTRUCTOR_ID not in absent:
                continue
            decl = by_predicate.get(cls.QUALNAME)
            overrides[cls] = make_writer(decl, layer) if decl else self._fallback_writer(cls)
        writers_by_predicate = {p: make_writer(c, layer) for p, c in by_predicate.items()}
        # Objects decoded from this layer that the canonical model lacks are written back as they came.
        def write_legacy(obj, out, L):
            write = writers_by_predicate.get(obj.QUALNAME)
            if write is None:
                raise LayerMismatchError(obj.QUALNAME, layer)
            write(obj, out, L)

        overrides[LegacyObject] = write_legacy
        self.readers = readers
        self.overrides = overrides

    def _result_writer(self, c: Combinator):
        write = element_writer(c.result)
        predicate, layer = c.predicate, self.layer

        def write_result(value, out, L):
            adapt = _RESULT_ADAPTERS.get(predicate)
            write(out, adapt(value, layer) if adapt else value, L)

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
