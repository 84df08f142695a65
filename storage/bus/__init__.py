"""The message bus between server processes (see interface.py for its promises).

    async with open_bus(config.redis) as bus:       # None: in-process; "redis://...": Redis
        ...
        async with bus.subscribe(f"user:{user_id}") as sub:
            async for payload in sub:
                ...
        await bus.publish(f"user:{user_id}", msgspec.msgpack.encode(event))

``open_bus`` is a context manager rather than a plain coroutine because the Redis bus
runs background tasks (reader, syncer, reconnects), and those need an owner: the
``async with`` block.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .errors import BusClosed, BusError, BusUnavailable
from .interface import DEFAULT_MAX_BUFFER, Bus
from .memory import MemoryBus
from .redis import DEFAULT_PREFIX, RedisBus, open_redis_bus
from .subscription import Subscription

__all__ = [
    "DEFAULT_MAX_BUFFER",
    "DEFAULT_PREFIX",
    "Bus",
    "BusClosed",
    "BusError",
    "BusUnavailable",
    "MemoryBus",
    "RedisBus",
    "Subscription",
    "open_bus",
    "open_redis_bus",
]

from ..groups import single_errors

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@asynccontextmanager
async def open_bus(url: str | None, **options: Any) -> AsyncIterator[Bus]:
    """The bus for ``url``: None (or "") for the in-process bus, ``redis://``,
    ``rediss://`` or ``unix://`` for Redis. Closed when the block is left.

    ``options``: ``max_buffer`` for both; for Redis also ``prefix``, ``ping_interval``,
    ``dead_after``, ``backoff_min``, ``backoff_max``, ``socket_timeout`` (see RedisBus).
    Raises ValueError for another scheme, BusUnavailable when Redis cannot be reached.
    """
    if not url:
        bus = MemoryBus(**options)
        try:
            yield bus
        finally:
            await bus.close()
        return
    if not url.startswith(_REDIS_SCHEMES):
        scheme = url.partition("://")[0]
        expected = ", ".join(_REDIS_SCHEMES)
        raise ValueError(f"bus URL must start with one of {expected}, got scheme {scheme!r}")
    # A start-up failure surfaces as itself (BusUnavailable), whatever the trio version.
    with single_errors():
        async with open_redis_bus(url, **options) as bus:
            yield bus
