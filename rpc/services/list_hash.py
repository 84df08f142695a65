"""Telegram's hash of a list (core.telegram.org/api/offsets, "Hash generation"): a client
sends back the hash of the list it holds, and an unchanged list is answered with
xxxNotModified instead of the list again."""

from __future__ import annotations

from collections.abc import Iterable

_MASK = 0xFFFFFFFFFFFFFFFF


def list_hash(values: Iterable[int]) -> int:
    """The hash of these numbers, in this order, as a signed 64-bit int."""
    h = 0
    for i in values:
        h ^= h >> 21
        h ^= (h << 35) & _MASK
        h ^= h >> 4
        h = (h + i) & _MASK
    return h - (1 << 64) if h >= 1 << 63 else h
