"""A file stored as parts, one object each: every part ``part_size`` bytes except the
last (Telegram's upload rule), so the part holding any byte is found by division and
a byte range is read from the few parts it touches. Which object holds which part is
the caller's to know (storage.media keeps the keys).
"""

from __future__ import annotations

from collections.abc import Mapping

from . import ObjectMissing, ObjectStore


def parts_spanned(part_size: int, size: int, offset: int, limit: int) -> range:
    """The part numbers bytes offset .. offset + limit of a file touch (none past its end)."""
    end = min(size, offset + limit)
    if end <= offset:
        return range(0)
    return range(offset // part_size, (end - 1) // part_size + 1)


async def read_range(store: ObjectStore, keys: Mapping[int, str], part_size: int, size: int, offset: int,
                     limit: int) -> bytes:
    """Bytes offset .. offset + limit of the file (fewer at its end, none past it);
    keys: {part: object key} for at least the parts_spanned()."""
    end = min(size, offset + limit)
    pieces = []
    position = offset
    while position < end:
        index, inside = divmod(position, part_size)
        if index not in keys:
            raise ObjectMissing(f"part {index}")
        take = min(part_size - inside, end - position)
        piece = await store.read(keys[index], inside, take)
        if not piece:
            break  # a shorter part than recorded: the file ends here
        pieces.append(piece)
        position += len(piece)
    return b"".join(pieces)
