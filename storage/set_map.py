"""A dict of sets that holds a key's only member without a set.

Routing tables keyed by one connection's own things (its user's bus channel, the cache
entries it owns) mostly have one member per key: a set for each is 216 bytes more per
key, and so per idle connection. Here a key's lone member is the dict's value itself; a
second member makes it a set (a private subclass, so a member that is itself a set is
never mistaken for the members).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, KeysView


class _Members(set):
    __slots__ = ()


def _members(held) -> Collection:
    if held is _Members:  # no such key
        return ()
    return held if type(held) is _Members else (held,)


class SetMap:
    __slots__ = ("_map",)

    def __init__(self):
        self._map: dict = {}

    def add(self, key: Hashable, member: Hashable) -> None:
        held = self._map.get(key, _Members)
        if held is _Members:
            self._map[key] = member
        elif type(held) is _Members:
            held.add(member)
        elif held != member:
            self._map[key] = _Members((held, member))

    def discard(self, key: Hashable, member: Hashable) -> None:
        held = self._map.get(key, _Members)
        if type(held) is _Members:
            held.discard(member)
            if len(held) == 1:
                self._map[key] = next(iter(held))
        elif held is not _Members and held == member:
            del self._map[key]

    def pop(self, key: Hashable) -> Collection:
        """The key's members (none: empty), now the caller's, and the key is gone."""
        return _members(self._map.pop(key, _Members))

    def get(self, key: Hashable) -> Collection:
        """The key's members (none: empty), not copied: not to be changed, nor kept
        across a change to the map."""
        return _members(self._map.get(key, _Members))

    def keys(self) -> KeysView:
        return self._map.keys()

    def clear(self) -> None:
        self._map.clear()

    def __len__(self) -> int:
        return len(self._map)


__all__ = ["SetMap"]
