"""Reads that every member's push of one channel event makes alike, made once per
process: a post to a channel with 1,000 members connected here is rendered 1,000
times (each for its viewer: `out`, their rights, their view of the author), but the
channel, the log row and the message it shows are the same for all of them, and were
read 1,000 times.

`SharedReads.once(key, load)` runs `load` for the first stream that asks and hands its
result to the others that ask within `TTL` seconds, also to those that ask while the
read is in flight (single flight). Keys name an immutable event (a channel and a pts),
so a hit shows what the first reader saw a moment earlier, as if every member had
rendered at the same instant; a later change is a later event with a key of its own.
A failed or cancelled read is not shared: each waiter then reads for itself. Bounded:
at most `MAX_ENTRIES`, the oldest dropped first.

One `SharedReads` per storage (`for_storage`), so that two servers in one process (as
tests run them) never see each other's rows.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import trio

TTL = 5.0  # seconds an event's reads are shared
MAX_ENTRIES = 1024

_MISSING = object()


class _Entry:
    __slots__ = ("expires", "ready", "value")

    def __init__(self, expires: float):
        self.expires = expires
        self.ready = trio.Event()
        self.value: Any = _MISSING


class SharedReads:
    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[tuple, _Entry] = {}
        self.loads = 0  # reads made (for tests and metrics)

    async def once(self, key: tuple, load: Callable[[], Awaitable[Any]]) -> Any:
        now = trio.current_time()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            await entry.ready.wait()
            if entry.value is not _MISSING:
                return entry.value
            return await load()  # the first read failed: not shared
        entry = _Entry(now + self.ttl)
        self._entries[key] = entry
        self._trim(now)
        try:
            self.loads += 1
            entry.value = await load()
        finally:
            entry.ready.set()
        return entry.value

    def _trim(self, now: float) -> None:
        if len(self._entries) <= self.max_entries:
            return
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]  # the oldest


_BY_STORAGE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def for_storage(storage) -> SharedReads:
    found = _BY_STORAGE.get(storage)
    if found is None:
        found = _BY_STORAGE[storage] = SharedReads()
    return found
