"""A file stored as its upload parts: ``<prefix>/0``, ``<prefix>/1``, ... every part
``part_size`` bytes except the last (Telegram's upload rule), so the part holding any
byte is found by division and a byte range is read from the few parts it touches.
"""

from __future__ import annotations

from . import ObjectStore


def part_key(prefix: str, index: int) -> str:
    return f"{prefix}/{index}"


async def read_range(store: ObjectStore, prefix: str, part_size: int, size: int, offset: int, limit: int) -> bytes:
    """Bytes offset .. offset + limit of the file (fewer at its end, none past it)."""
    end = min(size, offset + limit)
    pieces = []
    position = offset
    while position < end:
        index, inside = divmod(position, part_size)
        take = min(part_size - inside, end - position)
        piece = await store.read(part_key(prefix, index), inside, take)
        if not piece:
            break  # a shorter part than recorded: the file ends here
        pieces.append(piece)
        position += len(piece)
    return b"".join(pieces)


async def read_all(store: ObjectStore, prefix: str, part_size: int, size: int) -> bytes:
    """The whole file in memory: only for files known to be small (photos to decode)."""
    return await read_range(store, prefix, part_size, size, 0, size)
