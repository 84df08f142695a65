"""The interpreter that served older layers before their codecs were generated: the
reference the generated ones (tl/generated/layers/) are checked against.

Each differing declaration of a layer is turned into a reader and a writer that walk
its parameters as data (resolved once per declaration, one loop per object), with the
same conversion rules tools/tlgen/oldcodec.py generates code for: canonical fields the
declaration lacks get defaults, fields the canonical class lacks are dropped (to the
upgrader), string ⇄ textWithEntities, a predicate the canonical layer lacks reads into
a LegacyObject. `InterpretedCodec(layer)` is the former tl/layers.LayerCodec, built from
the schema instead of generated tables.
"""

from __future__ import annotations

import struct

import tl
from tl import wire
from tl.codec import _WRITE_FAILURES
from tl.errors import LayerMismatchError, TLDecodeError, TLEncodeError
from tl.generated import CLASSES
from tl.layers import _FALLBACKS, CANONICAL_READERS, DecodeTable, EncodeTable
from tl.legacy import UPGRADERS, LegacyObject
from tl.schema import FIXED_SIZE, Combinator, Param, TypeRef
from tl.tlobject import REGISTRY, TLObject

from .tlrandom import layer_schema

_INT_DEFAULTS = {"int": 0, "long": 0, "double": 0.0, "int128": 0, "int256": 0, "string": "", "bytes": b"",
                 "Bool": False}


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
            upgrade = UPGRADERS.get(c.predicate)
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


def differing(layer: int) -> list[Combinator]:
    """The declarations of `layer` the canonical layer lacks as they are (another id, or
    the same id with other fields)."""
    canonical = {c.id: c for c in layer_schema(tl.LAYER).all()}
    return [c for c in layer_schema(layer).all()
            if c.predicate not in ("boolFalse", "boolTrue", "true", "vector")
            and (c.id not in canonical or canonical[c.id].params != c.params)]


class InterpretedCodec:
    """readers / overrides / result_writers of one older layer, as tl.layers.LayerCodec has."""

    def __init__(self, layer: int):
        self.layer = layer
        own = differing(layer)
        ids = {c.id for c in layer_schema(layer).all()}
        absent = {cls.CONSTRUCTOR_ID for cls in CLASSES if cls.CONSTRUCTOR_ID not in ids}
        readers = DecodeTable(CANONICAL_READERS)
        readers.layer = layer
        for cid in absent:
            readers.pop(cid, None)
        overrides = EncodeTable()
        overrides.layer = layer
        legacy = {}
        canonical_results = {cls.QUALNAME: getattr(cls, "RESULT", None) for cls in CLASSES}
        self.result_writers = {}
        for c in own:
            readers[c.id] = make_reader(c, layer)
            cls = REGISTRY.get(c.predicate)
            if cls is None:
                legacy[c.predicate] = make_writer(c, layer)
            else:
                overrides[cls] = make_writer(c, layer)
            if c.is_function and not c.generics and canonical_results.get(c.predicate) not in (None, str(c.result)):
                self.result_writers[c.predicate] = element_writer(c.result)
        for cls in CLASSES:
            if cls.CONSTRUCTOR_ID in absent and cls not in overrides:
                overrides[cls] = self._fallback_writer(cls)

        def write_legacy(obj, out, L):
            write = legacy.get(obj.QUALNAME)
            if write is None:
                raise LayerMismatchError(obj.QUALNAME, layer)
            write(obj, out, L)

        overrides[LegacyObject] = write_legacy
        self.readers = readers
        self.overrides = overrides

    def decode(self, data: bytes):
        T = self.readers
        return T[struct.unpack_from("<I", data)[0]](data, 4, T)[0]

    def encode(self, obj) -> bytes:
        out = bytearray()
        try:
            obj._w(out, self.overrides)
        except TLEncodeError:
            raise
        except _WRITE_FAILURES as exc:
            raise TLEncodeError(str(exc)) from None
        return bytes(out)

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
