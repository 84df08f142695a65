"""Plain JSON values as TL JSONValue (help.getAppConfig, and wherever the API carries JSON)."""

from __future__ import annotations

from tl import types as T


def to_tl(value) -> object:
    if value is None:
        return T.JsonNull()
    if isinstance(value, bool):
        return T.JsonBool(value=value)
    if isinstance(value, (int, float)):
        return T.JsonNumber(value=float(value))
    if isinstance(value, str):
        return T.JsonString(value=value)
    if isinstance(value, (list, tuple)):
        return T.JsonArray(value=[to_tl(item) for item in value])
    if isinstance(value, dict):
        return T.JsonObject(value=[T.JsonObjectValue(key=str(k), value=to_tl(v)) for k, v in value.items()])
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def from_tl(value) -> object:
    if isinstance(value, T.JsonNull):
        return None
    if isinstance(value, (T.JsonBool, T.JsonString)):
        return value.value
    if isinstance(value, T.JsonNumber):
        return int(value.value) if value.value.is_integer() else value.value
    if isinstance(value, T.JsonArray):
        return [from_tl(item) for item in value.value]
    if isinstance(value, T.JsonObject):
        return {item.key: from_tl(item.value) for item in value.value}
    raise TypeError(f"not a JSONValue: {type(value).__name__}")
