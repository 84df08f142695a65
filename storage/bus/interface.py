"""The message bus between server processes: what every implementation promises.

The bus carries small events (an update for a user's live sessions, presence) from the
process that made a change to every process holding a session that must hear of it. It
is a pipe, not a store: the update logs in storage are the record, the bus only makes
delivery prompt. Two implementations keep these promises:

- ``storage/bus/memory.py``: in-process, for a single node (the default);
- ``storage/bus/redis.py``: Redis pub/sub, for several processes.

Delivery rules (both implementations):

- Channels are names such as ``"user:42"``; payloads are opaque ``bytes`` (callers encode
  them with msgspec). The bus never looks inside.
- **At most once.** A payload reaches each subscription of its channel once or not at
  all. Nothing is stored for subscribers that are not listening yet: a subscription
  receives what is published after ``subscribe`` (or ``Subscription.add``) has returned.
  With Redis it may also receive a payload published just before, still in flight
  when it joined a channel this process already listened to; readers that dedupe by
  pts do not care.
- **In order per channel per publisher.** Payloads one process publishes on one channel,
  one ``await publish`` after another, arrive in that order. Payloads from different
  processes may interleave.
- **A slow subscriber blocks nobody.** ``publish`` never waits for subscribers. Each
  subscription has a bounded buffer (``max_buffer``, default 1000 payloads); when it is
  full the *oldest* payload is dropped and the subscription is marked ``overflowed``.
  The Redis bus also marks every subscription ``overflowed`` when it loses its
  connection and again once it has resubscribed, since anything published in between
  is lost.

What a subscriber does about a gap: the flag means "payloads were lost; what you still
receive is correct but incomplete". For updates the answer is the one Telegram clients
already know: the session tells its client to catch up (``updatesTooLong``, or the pts
gap makes it call ``updates.getDifference``), which reads the update log. Clear the
flag *before* catching up (``Subscription.clear_overflowed()``), so that a loss during
the catch-up marks it again rather than going unnoticed::

    async with bus.subscribe() as sub:
        await sub.add(f"user:{user_id}")            # once logged in
        async for payload in sub:
            if sub.clear_overflowed():
                await push(updates_too_long())      # then the newer payload, as usual
            await push(render(decode(payload)))

The flag is seen with the next payload; an owner that must react even if none comes
(the Redis connection dropped and the user is quiet) can also run
``await sub.wait_overflowed()`` in a sibling task.

``publish`` raises :class:`BusUnavailable` when the backend is down. The change it
announces is already committed, so the caller logs it and carries on; the readers
catch up from the log.

This module is only the contract; it does no I/O.
"""

from __future__ import annotations

from typing import Protocol

from .errors import BusClosed, BusError, BusUnavailable
from .subscription import Subscription

__all__ = ["DEFAULT_MAX_BUFFER", "Bus", "BusClosed", "BusError", "BusUnavailable", "Subscription"]

DEFAULT_MAX_BUFFER = 1000


class Bus(Protocol):
    async def publish(self, channel: str, payload: bytes) -> None:
        """Send ``payload`` to every current subscription of ``channel``, on any process.

        Returns once the payload is handed over (local buffers, or Redis has accepted
        it); never waits for subscribers. Raises :class:`BusClosed` after ``close``,
        :class:`BusUnavailable` when the backend cannot be reached.
        """
        ...

    def subscribe(self, *channels: str, max_buffer: int | None = None) -> Subscription:
        """A subscription to ``channels`` (any number, also none), to be entered::

            async with bus.subscribe("user:42") as sub:
                async for payload in sub:
                    ...

        Delivery starts when the ``async with`` has been entered and ends when it is
        left. ``max_buffer`` overrides the bus's default buffer size.
        """
        ...

    @property
    def connected(self) -> bool:
        """True while payloads can flow (for health checks): the memory bus until it is
        closed; the Redis bus while its pub/sub connection is up."""
        ...

    async def close(self) -> None:
        """End every subscription (their ``async for`` loops finish after what is
        buffered) and release connections. Idempotent."""
        ...
