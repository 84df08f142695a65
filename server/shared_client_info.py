"""One copy of each app description (initConnection's fields) for all connections.

Every connection keeps its auth key's record, client info included (a dict of seven
fields: about 500 bytes with its strings), for as long as it lives, idle or not. Most
apps describe themselves alike (the same app version, language, often the same device
model and system), so equal descriptions share one dict, and one copy of each string.
Bounded: past MAX_KEPT distinct descriptions the table starts over (what was handed out
stays valid; only the sharing restarts).
"""

from __future__ import annotations

import sys
from typing import Any

MAX_KEPT = 4096

_kept: dict[tuple, dict[str, Any]] = {}


def shared(info: dict[str, Any]) -> dict[str, Any]:
    """A dict equal to `info`, the same object for equal descriptions. Not to be changed."""
    try:
        key = tuple(info.items())
        found = _kept.get(key)
    except TypeError:  # an unhashable value (a record from elsewhere): not shared
        return info
    if found is not None:
        return found
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    found = {name: sys.intern(value) if type(value) is str else value for name, value in info.items()}
    _kept[tuple(found.items())] = found
    return found


__all__ = ["MAX_KEPT", "shared"]
