"""A subscription whose payloads are handled the moment the bus reads them.

An ordinary `Subscription` buffers what arrives for its owner's task, and the owner runs
whenever the scheduler picks it. That is too late for a cache's invalidations: the Redis
bus reads "user 42 changed" and, right after it on the same connection, the update a
session must render with user 42's new profile; the session's task may run first and
render from the stale entry. A `Listener` calls `on_payload` inside the bus's delivery
(synchronously, before the bus looks at the next payload it read), so anything read
after an invalidation is handled after it. `on_loss` is called, likewise at once, when
payloads may have been lost (a full buffer cannot happen: nothing is buffered; the Redis
connection dropped, or came back).

Both callbacks must be quick and must not raise (they run in the bus's reader).

    async with Listener(bus, ["users"], on_payload, on_loss):
        await trio.sleep_forever()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .subscription import Hub, Subscription


class Listener(Subscription):
    def __init__(self, bus: Hub, channels: Iterable[str], on_payload: Callable[[bytes], None],
                 on_loss: Callable[[], None]):
        super().__init__(bus, channels, max_buffer=1)
        self._on_payload = on_payload
        self._on_loss = on_loss

    def _deliver(self, channel: str, payload: bytes) -> None:
        if not self.closed:
            self._on_payload(payload)

    def _mark_overflowed(self) -> None:
        super()._mark_overflowed()
        self._on_loss()
