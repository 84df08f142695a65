"""A mapping that keeps its only entry in two slots and makes a dict for a second.

What one connection keeps by auth key (its encrypted session, the key's record) and
what one key keeps by session id (its sessions) nearly always has one entry: a dict for
it costs 240 bytes (the dict and the table its first entry allocates), this object 56.
A second entry moves both into a dict; when one is left again it moves back.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, MutableMapping

_NONE = object()  # no lone entry


class SmallMap(MutableMapping):
    __slots__ = ("_key", "_value", "_more")

    def __init__(self):
        self._key: Hashable = _NONE
        self._value = None
        self._more: dict | None = None

    def get(self, key, default=None):
        more = self._more
        if more is not None:
            return more.get(key, default)
        return self._value if self._key is not _NONE and self._key == key else default

    def __getitem__(self, key):
        more = self._more
        if more is not None:
            return more[key]
        if self._key is not _NONE and self._key == key:
            return self._value
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        more = self._more
        if more is not None:
            return key in more
        return self._key is not _NONE and self._key == key

    def __setitem__(self, key, value) -> None:
        more = self._more
        if more is not None:
            more[key] = value
        elif self._key is _NONE:
            self._key, self._value = key, value
        elif self._key == key:
            self._value = value  # the key first given stays, as in a dict
        else:
            self._more = {self._key: self._value, key: value}
            self._key, self._value = _NONE, None

    def __delitem__(self, key) -> None:
        more = self._more
        if more is not None:
            del more[key]
            if len(more) == 1:
                [(self._key, self._value)] = more.items()
                self._more = None
        elif self._key is not _NONE and self._key == key:
            self._key, self._value = _NONE, None
        else:
            raise KeyError(key)

    def __iter__(self) -> Iterator:
        more = self._more
        if more is not None:
            return iter(more)
        return iter(() if self._key is _NONE else (self._key,))

    def __len__(self) -> int:
        more = self._more
        if more is not None:
            return len(more)
        return 0 if self._key is _NONE else 1

    def __repr__(self) -> str:
        return f"SmallMap({dict(self)!r})"
