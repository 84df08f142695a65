"""A connection's live updates (its user's, or before login its auth key's), pushed
without a task of their own while nothing arrives.

Most logged-in connections sit idle, and a task parked on each one's subscription (its
coroutine frames, cancel scope and stream: about 2 KB each) was a large part of what
an idle connection cost. Instead the subscription calls `_arrived` when the bus buffers
a payload for it, in the publisher's task and without waiting, and the feed starts one
task in the connection's nursery (resuming a parked connection,
server/idle_connections.py) that renders and pushes what is buffered, in order,
and ends when the buffer is empty. At most one such task runs per feed, so pushes keep
their order; while it writes to a slow reader, further payloads wait in the
subscription's bounded buffer (storage/bus/subscription.py: the oldest are dropped and
the client is told updatesTooLong), as they did for the task that used to wait.

While the stream holds a row back for a gap in its user's pts (rpc/updates/stream.py,
`due`), the task does not end with the buffer: it waits for the next payload until
`due`, then has the stream fill the gap from the update log. That wait is bounded
(pts_order.HOLD_SECONDS); an idle connection has no gap and no task.

`stop()` (the connection closes, the user logs out, a write failed) leaves the
subscription and cancels the task if one runs; nothing arrives after it.
When the stream finds the key logged out, the feed stops itself and calls
its owner's `logged_out(feed)` (once, and never after `stop()`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import trio


class Owner(Protocol):
    """Whose pushes a feed sends: the connection. One object rather than a bound method
    per hook: a feed lives as long as its login, idle connections included."""

    def spawn(self, task: Callable[[], Awaitable]) -> None:
        """Start `task` in the connection's nursery (resuming a parked connection)."""

    async def push(self, session, session_id: int, updates) -> None:
        """Render and send one push."""

    def logged_out(self, feed: "PushFeed") -> None:
        """`feed` stopped itself: its stream found the key logged out."""


class PushFeed:
    __slots__ = ("_owner", "_stream", "_scope", "_draining", "_stopped", "_woken")

    def __init__(self, owner: Owner):
        self._owner = owner
        self._stream = None  # rpc/updates/stream.UpdateStream, once open
        self._scope: trio.CancelScope | None = None  # of the task opening or draining, while one runs
        self._draining = False
        self._stopped = False
        self._woken: trio.Event | None = None  # while the task waits for a gap's rows

    async def open(self, opener: Callable[[], Awaitable], task_status=trio.TASK_STATUS_IGNORED) -> None:
        """Subscribe (`opener()` returns the stream, its subscription entered), then
        return: pushes come from `_arrived`. task_status.started() once subscribed."""
        with trio.CancelScope() as scope:
            self._scope = scope
            if not self._stopped:
                try:
                    stream = await opener()
                finally:
                    self._scope = None
                if self._stopped:  # stopped while subscribing
                    stream.close()
                else:
                    self._stream = stream
                    stream.sub.on_payload = self._arrived
                    # Published while the subscription was set up, or logged meanwhile (a gap).
                    if stream.sub.buffered or stream.due is not None:
                        self._arrived()
        self._scope = None
        task_status.started()

    def stop(self) -> None:
        self._stopped = True
        if self._stream is not None:
            self._stream.close()
        if self._scope is not None:
            self._scope.cancel()

    def own_row(self, session_id: int, pts: int) -> None:
        """A call on this connection made row `pts` of the user's box (UpdateStream.own_row)."""
        if self._stream is not None:
            self._stream.own_row(session_id, pts)

    def _arrived(self) -> None:
        if self._woken is not None:
            self._woken.set()
        elif not self._draining and not self._stopped:
            self._draining = True
            self._owner.spawn(self._drain)

    async def _drain(self) -> None:
        stream = self._stream
        try:
            with trio.CancelScope() as scope:
                self._scope = scope
                # No checkpoint between finding the buffer empty (and no gap held open)
                # and clearing _draining: a payload buffered after it starts a new task.
                while not self._stopped:
                    payload = stream.sub.take()
                    if payload is None:
                        if stream.due is None:
                            break
                        if not await self._woken_before(stream.due):
                            await self._push_all(await stream.fill())
                        continue
                    await self._push_all(await stream.pushes(payload))
                    if stream.logged_out and not self._stopped:
                        self.stop()
                        self._owner.logged_out(self)
        finally:
            self._scope = None
            self._draining = False
            self._woken = None

    async def _woken_before(self, deadline: float) -> bool:
        """Wait for a payload until `deadline`; whether one came."""
        self._woken = woken = trio.Event()
        try:
            with trio.move_on_at(deadline):
                await woken.wait()
        finally:
            self._woken = None
        return woken.is_set()

    async def _push_all(self, pushes) -> None:
        for receiver, updates in pushes:
            await self._owner.push(*receiver, updates)
