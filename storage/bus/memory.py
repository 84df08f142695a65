"""The in-process bus: publish puts the payload straight into the local subscriptions'
buffers (trio memory channels). The default for a single node; nothing to set up.

Being in one process, it is exact where the Redis bus is best-effort: nothing is lost
except what a full buffer drops (and that marks the subscription ``overflowed``).
It must not grow into a store: nothing is kept for subscribers that are not listening.
"""

from __future__ import annotations

from collections.abc import Iterable

import trio

from server import metrics

from .errors import BusClosed
from .fanout import Fanout
from .interface import DEFAULT_MAX_BUFFER
from .subscription import Subscription


class MemoryBus:
    def __init__(self, *, max_buffer: int = DEFAULT_MAX_BUFFER):
        if max_buffer < 1:
            raise ValueError(f"max_buffer must be at least 1, got {max_buffer}")
        self.max_buffer = max_buffer
        self._fanout = Fanout("memory bus")

    def __repr__(self) -> str:
        return f"<MemoryBus subscriptions={len(self._fanout)}>"

    @property
    def connected(self) -> bool:
        return not self._fanout.closed

    async def publish(self, channel: str, payload: bytes) -> None:
        if self._fanout.closed:
            raise BusClosed(f"memory bus is closed (publish to {channel!r})")
        # bytes() so a caller's bytearray cannot change under the subscribers.
        self._fanout.deliver(channel, bytes(payload))
        metrics.BUS_PUBLISHED.inc()
        await trio.lowlevel.checkpoint()

    def subscribe(self, *channels: str, max_buffer: int | None = None) -> Subscription:
        return Subscription(self, channels, self.max_buffer if max_buffer is None else max_buffer)

    async def close(self) -> None:
        self._fanout.close()
        await trio.lowlevel.checkpoint()

    # -- Hub (for Subscription) ------------------------------------------------------------

    def join(self, sub: Subscription) -> None:
        self._fanout.join(sub)

    def leave(self, sub: Subscription) -> None:
        self._fanout.leave(sub)

    def attach(self, sub: Subscription, channel: str) -> None:
        self._fanout.attach(sub, channel)

    def detach(self, sub: Subscription, channel: str) -> None:
        self._fanout.detach(sub, channel)

    async def ready(self, sub: Subscription, channels: Iterable[str]) -> None:
        await trio.lowlevel.checkpoint()
