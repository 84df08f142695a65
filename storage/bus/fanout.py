"""Local fan-out: which of this process's subscriptions hear which channel.

Both buses keep one `Fanout`. The memory bus delivers a publish straight through it; the
Redis bus delivers what its one pub/sub connection reads, and asks it which channels
the process still needs (``channels``) to keep the Redis subscriptions in step.

Synchronous and I/O-free: delivery is ``send_nowait`` into each subscription's buffer.
"""

from __future__ import annotations

from collections.abc import Iterator, KeysView

from server import metrics

from ..set_map import SetMap
from .errors import BusClosed
from .subscription import Subscription


class Fanout:
    def __init__(self, name: str):
        self._name = name  # for error messages: which bus
        self._by_channel = SetMap()  # channel → its subscriptions (most have one: a user's own)
        self._members: set[Subscription] = set()
        self.closed = False

    # -- the routing table ---------------------------------------------------------------

    def join(self, sub: Subscription) -> None:
        if self.closed:
            raise BusClosed(f"{self._name} is closed")
        self._members.add(sub)
        for channel in sub.channels:
            self.attach(sub, channel)

    def leave(self, sub: Subscription) -> None:
        self._members.discard(sub)
        for channel in sub.channels:
            self.detach(sub, channel)

    def attach(self, sub: Subscription, channel: str) -> None:
        self._by_channel.add(channel, sub)

    def detach(self, sub: Subscription, channel: str) -> None:
        self._by_channel.discard(channel, sub)

    @property
    def channels(self) -> KeysView[str]:
        """Channels at least one local subscription listens to (a live view)."""
        return self._by_channel.keys()

    def __iter__(self) -> Iterator[Subscription]:
        return iter(list(self._members))

    def __len__(self) -> int:
        return len(self._members)

    # -- delivery ------------------------------------------------------------------------

    def deliver(self, channel: str, payload: bytes) -> int:
        """Put ``payload`` in the buffer of every subscription of ``channel``; how many."""
        subs = self._by_channel.get(channel)
        if not subs:
            return 0
        for sub in subs:
            sub._deliver(channel, payload)
        metrics.BUS_DELIVERED.inc(len(subs))
        return len(subs)

    def mark_all_overflowed(self) -> None:
        """Every subscription that listens to something may have missed payloads."""
        for sub in self._members:
            if sub.channels:
                sub._mark_overflowed()

    def close(self) -> None:
        """End every subscription (they drain what is buffered) and refuse new ones."""
        self.closed = True
        members, self._members = self._members, set()
        self._by_channel.clear()
        for sub in members:
            sub._end()
