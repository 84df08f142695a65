"""One subscriber's end of the bus: a set of channels and a bounded buffer.

Both buses hand out this class; they differ only in how payloads reach it (the `Hub`
below, which the bus implements). The buffer is a deque of ``(channel, payload)``
pairs, filled by the bus without waiting; the one owner that receives parks its task
until a pair arrives. (Not a trio memory channel: every logged-in connection holds a
subscription, and a channel's state, with its dicts of waiting tasks for many senders
and receivers, was the largest part of an idle connection's memory.) When the buffer is full the oldest pair is dropped, ``dropped`` counts it and the
subscription is marked ``overflowed`` until the owner clears the flag (see
``storage/bus/interface.py`` for what the owner does then).

Life cycle: created by ``bus.subscribe(...)``, live inside ``async with``, closed when the
block is left. When the *bus* closes first, iteration ends after the buffered payloads.

An owner that keeps no task waiting (a connection's pushes, server/push_feed.py) sets
``on_payload`` instead of receiving: it is called, synchronously and in the publisher's
task, each time a payload is buffered, and the owner takes them with ``take()``. Such an
owner enters with ``await sub.open()`` and leaves with ``sub.close()``.

This module does no I/O and knows no backend.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Protocol

import outcome
import trio

from server import metrics

from .errors import BusClosed

_NEW, _OPEN, _ENDED, _CLOSED = "new", "open", "ended", "closed"


class Hub(Protocol):
    """What a subscription needs from its bus. Only ``Subscription`` calls these.

    Everything but ``ready`` is synchronous, so that leaving a subscription (also when
    cancelled) always takes it out of the routing tables.
    """

    def join(self, sub: Subscription) -> None:
        """Start routing ``sub.channels`` to ``sub``; raises BusClosed if the bus is closed."""
        ...

    def leave(self, sub: Subscription) -> None:
        """Stop routing anything to ``sub``."""
        ...

    def attach(self, sub: Subscription, channel: str) -> None:
        """Route ``channel`` to ``sub`` too."""
        ...

    def detach(self, sub: Subscription, channel: str) -> None:
        """Stop routing ``channel`` to ``sub``."""
        ...

    async def ready(self, sub: Subscription, channels: Iterable[str]) -> None:
        """Return once payloads published on ``channels`` from now on will reach ``sub``
        (for Redis: once the server confirmed the SUBSCRIBE)."""
        ...


class Subscription:
    """Payloads of some channels, in a bounded buffer; see the module docstring.

    Use as ``async with bus.subscribe("user:42") as sub: async for payload in sub: ...``.
    """

    # One per logged-in connection: no per-instance dict.
    __slots__ = ("_hub", "_channels", "_max_buffer", "_buffer", "_receiver", "_state", "_overflowed",
                 "_overflow_event", "dropped", "on_payload")

    def __init__(self, hub: Hub, channels: Iterable[str], max_buffer: int):
        if max_buffer < 1:
            raise ValueError(f"max_buffer must be at least 1, got {max_buffer}")
        self._hub = hub
        # A tuple: most subscriptions have one channel (a user's own), and a set of one
        # is 216 bytes more for each idle connection. Channels change only by add/remove.
        self._channels: tuple[str, ...] = tuple(dict.fromkeys(_checked_channel(channel) for channel in channels))
        self._max_buffer = max_buffer
        # Made when a payload waits, dropped when drained: an empty deque holds a 64-slot
        # block, and most subscriptions (an idle connection's) have nothing waiting.
        self._buffer: deque[tuple[str, bytes]] | None = None
        self._receiver: trio.lowlevel.Task | None = None  # the task parked in receive()
        self._state = _NEW
        self._overflowed = False
        self._overflow_event: trio.Event | None = None  # made when someone waits for it
        self.dropped = 0  # payloads dropped from this subscription's buffer so far (for metrics)
        # Called after a payload was buffered (see the module docstring); must not raise.
        self.on_payload: Callable[[], None] | None = None

    def __repr__(self) -> str:
        channels = ",".join(sorted(self._channels))
        flag = " overflowed" if self._overflowed else ""
        return f"<Subscription {self._state} [{channels}] {self.buffered}/{self._max_buffer}{flag}>"

    # -- what the owner reads -----------------------------------------------------------

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(self._channels)

    @property
    def max_buffer(self) -> int:
        return self._max_buffer

    @property
    def buffered(self) -> int:
        """Payloads waiting to be received."""
        return len(self._buffer) if self._buffer else 0

    @property
    def overflowed(self) -> bool:
        """True when payloads may have been lost since the flag was last cleared."""
        return self._overflowed

    @property
    def closed(self) -> bool:
        """True once the subscription was left or its bus closed."""
        return self._state in (_ENDED, _CLOSED)

    def clear_overflowed(self) -> bool:
        """Clear the flag and say whether it was set. Clear it *before* catching up."""
        was = self._overflowed
        self._overflowed = False
        if self._overflow_event is not None and self._overflow_event.is_set():
            self._overflow_event = None
        return was

    async def wait_overflowed(self) -> None:
        """Wait until the flag is set (returns at once if it is). For owners that must
        react to a loss even when no further payload arrives (e.g. the Redis connection
        dropped). Raises BusClosed when the subscription closes."""
        while True:
            if self.closed:
                raise BusClosed("subscription closed")
            if self._overflowed:
                return
            if self._overflow_event is None:
                self._overflow_event = trio.Event()
            await self._overflow_event.wait()

    # -- changing channels while live ---------------------------------------------------

    async def add(self, channel: str) -> None:
        """Also receive ``channel``: what is published after this returns is delivered."""
        channel = _checked_channel(channel)
        self._check_open()
        if channel in self._channels:
            await trio.lowlevel.checkpoint()
            return
        self._channels += (channel,)
        self._hub.attach(self, channel)
        await self._hub.ready(self, (channel,))

    async def remove(self, channel: str) -> None:
        """Stop receiving ``channel``. Its payloads still in the buffer are discarded too
        (a connection that switches users must not see the previous user's events)."""
        self._check_open()
        if channel in self._channels:
            self._channels = tuple(c for c in self._channels if c != channel)
            self._hub.detach(self, channel)
            self._discard_buffered(channel)
        await trio.lowlevel.checkpoint()

    # -- receiving ----------------------------------------------------------------------

    async def receive(self) -> bytes:
        """The next payload. Raises BusClosed when the subscription was left, or when
        its bus closed and the buffer is empty."""
        if self._state == _NEW:
            raise RuntimeError("enter the subscription (async with) before receiving")
        if self._receiver is not None:
            raise trio.BusyResourceError("another task is receiving from this subscription")
        await trio.lowlevel.checkpoint_if_cancelled()
        if self._buffer:
            _channel, payload = self._buffer.popleft()
            if not self._buffer:
                self._buffer = None
            await trio.lowlevel.cancel_shielded_checkpoint()
            return payload
        while True:
            if self._state != _OPEN:
                raise BusClosed("subscription closed")
            self._receiver = trio.lowlevel.current_task()

            def abort(_raise_cancel) -> trio.lowlevel.Abort:
                self._receiver = None
                return trio.lowlevel.Abort.SUCCEEDED

            # The bus hands a pair straight to the parked task (so leaving the
            # subscription cannot lose it), or None to say the state changed.
            item = await trio.lowlevel.wait_task_rescheduled(abort)
            if item is not None:
                return item[1]

    def take(self) -> bytes | None:
        """The next buffered payload without waiting; None when none is buffered."""
        if not self._buffer:
            return None
        _channel, payload = self._buffer.popleft()
        if not self._buffer:
            self._buffer = None
        return payload

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.receive()
        except BusClosed:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Subscription:
        await self.open()
        return self

    async def open(self) -> None:
        """Start receiving (what ``async with`` does on entry); ``close()`` ends it."""
        if self._state != _NEW:
            raise RuntimeError("a subscription can be entered only once")
        self._hub.join(self)
        self._state = _OPEN
        try:
            await self._hub.ready(self, self._channels)
        except BaseException:
            self._close()
            raise

    def close(self) -> None:
        """Leave (what ``async with`` does on exit); idempotent, and never waits."""
        self._close()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # No checkpoint: leaving must also work, and not add an exception, when cancelled.
        self._close()

    # -- for the bus ----------------------------------------------------------------------

    def _deliver(self, channel: str, payload: bytes) -> None:
        if self._state != _OPEN:
            return
        if self._receiver is not None:
            trio.lowlevel.reschedule(self._receiver, outcome.Value((channel, payload)))
            self._receiver = None
            return
        if self._buffer is None:
            self._buffer = deque()
        elif len(self._buffer) >= self._max_buffer:
            # Full: the oldest payload goes, so the newest (most relevant) stay.
            self._buffer.popleft()
            self.dropped += 1
            metrics.BUS_DROPPED.inc()
            self._mark_overflowed()
        self._buffer.append((channel, payload))
        if self.on_payload is not None:
            self.on_payload()

    def _mark_overflowed(self) -> None:
        self._overflowed = True
        if self._overflow_event is not None:
            self._overflow_event.set()

    def _wake_waiters(self) -> None:
        if self._receiver is not None:
            trio.lowlevel.reschedule(self._receiver, outcome.Value(None))
            self._receiver = None
        if self._overflow_event is not None:
            self._overflow_event.set()

    def _end(self) -> None:
        """The bus closed: the owner may still drain the buffer, then iteration ends."""
        if self._state == _OPEN:
            self._state = _ENDED
            self._wake_waiters()

    # -- internals ------------------------------------------------------------------------

    def _close(self) -> None:
        if self._state == _CLOSED:
            return
        if self._state == _OPEN:
            self._hub.leave(self)
        self._state = _CLOSED
        self._buffer = None
        self._wake_waiters()

    def _check_open(self) -> None:
        if self._state == _NEW:
            raise RuntimeError("enter the subscription (async with) before changing channels")
        if self._state != _OPEN:
            raise BusClosed("subscription closed")

    def _discard_buffered(self, channel: str) -> None:
        if self._buffer:
            self._buffer = deque(item for item in self._buffer if item[0] != channel) or None


def _checked_channel(channel: str) -> str:
    if not isinstance(channel, str) or not channel:
        raise ValueError(f"a channel is a non-empty str, got {channel!r}")
    return channel
