"""The base of every generated TL class: equality, repr and the JSON (dict) form.

Generated classes carry their own straight-line `_w` (write) and `_r` (read); this
module only holds what is the same for all of them and is not on the hot path.

The dict form is `{"_": "predicate", "field": value, ...}` with TL field names, bytes as
base64 text and nested objects as nested dicts; `from_dict(to_dict(x)) == x`.
"""

from __future__ import annotations

import base64

from .errors import TLEncodeError

# predicate → class, filled in by the generated package when it is imported.
REGISTRY: dict[str, type[TLObject]] = {}


class TLObject:
    __slots__ = ()
    CONSTRUCTOR_ID = 0
    QUALNAME = ""
    # (python attribute, TL name, TL type with its condition, e.g. "flags.2?string")
    # for every value-carrying field.
    _FIELDS: tuple[tuple[str, str, str], ...] = ()

    def _w(self, out: bytearray, L) -> None:  # pragma: no cover - always generated
        raise NotImplementedError

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a, _, _ in self._FIELDS)

    __hash__ = None  # mutable objects

    def __repr__(self) -> str:
        shown = []
        for attr, _, type_text in self._FIELDS:
            value = getattr(self, attr)
            if value is None or (value is False and type_text.endswith("?true")):
                continue
            shown.append(f"{attr}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def to_dict(self) -> dict:
        # Absent optional fields and unset `true` flags are left out: from_dict restores
        # them as defaults, and capture records stay short.
        d = {"_": self.QUALNAME}
        for attr, name, type_text in self._FIELDS:
            value = getattr(self, attr)
            if value is not None and value is not False:
                d[name] = _to_json_value(value)
            elif value is False and not type_text.endswith("?true"):
                d[name] = False
        return d

    @classmethod
    def from_dict(cls, data: dict) -> TLObject:
        return from_dict(data, expected=cls)

    def to_bytes(self, layer: int | None = None) -> bytes:
        from .codec import encode

        return encode(self, layer)


class TLRequest(TLObject):
    """A function (RPC method). `RESULT` is its result type as written in the schema."""

    __slots__ = ()
    RESULT = ""


def _to_json_value(value):
    if isinstance(value, TLObject):
        return value.to_dict()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list):
        return [_to_json_value(v) for v in value]
    return value


def _from_json_value(value, type_text: str):
    type_text = type_text.rpartition("?")[2]
    if value is None:
        return None
    if isinstance(value, dict):
        return from_dict(value)
    if isinstance(value, list):
        inner = type_text[type_text.find("<") + 1 : -1] if "<" in type_text else ""
        return [_from_json_value(v, inner) for v in value]
    if type_text == "bytes" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def from_dict(data: dict, expected: type | None = None) -> TLObject:
    """Build a TL object from its dict form; the class comes from `data["_"]`."""
    try:
        cls = REGISTRY[data["_"]]
    except (KeyError, TypeError):
        raise TLEncodeError(f"not a TL object dict: {str(data)[:80]}") from None
    if expected is not None and expected is not TLObject and not issubclass(cls, expected):
        raise TLEncodeError(f"{data['_']} is not a {expected.__name__}")
    kwargs = {}
    for attr, name, type_text in cls._FIELDS:
        if name in data:
            kwargs[attr] = _from_json_value(data[name], type_text)
    return cls(**kwargs)
