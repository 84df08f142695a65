"""Idle TCP connections, held without a task of their own.

Most connections of logged-in apps say nothing for minutes. A trio task waiting in
`receive_some` for each (its coroutine frames down to trio's epoll wait, the task, its
nursery and cancel scope: about 8 KB) was most of what such a connection cost. Instead,
when a connection has nothing to do (no RPC in flight, no push being written, no partial
frame), its task ends and the connection parks here: its socket in an epoll set of our
own, its idle deadline in a heap. One task waits on that epoll set (trio watches its
descriptor) and, when a parked socket becomes readable, its deadline passes or the
connection is woken (a push arrived, the server stops), starts a task that carries on
with the connection (`Connection.resume`).

The heap keeps entries of connections that left it early (they become stale, skipped
when they come up); it is rebuilt once stale entries are the majority, so a chatty
connection that parks after every request does not grow it without bound.
"""

from __future__ import annotations

import heapq
import math
import select

import trio

# Ready sockets taken from the epoll set per wake-up: more wait for the next one.
MAX_EVENTS = 1024


def can_park(idle: "IdleConnections | None", stream) -> bool:
    """Only a plain TCP socket parks: the watcher's epoll set watches its descriptor, and
    a WebSocket or TLS stream may hold bytes read from it already."""
    return idle is not None and type(stream) is trio.SocketStream


class IdleConnections:
    __slots__ = ("_nursery", "_epoll", "_parked", "_deadlines", "_stale", "_wait")

    def __init__(self, nursery: trio.Nursery):
        self._nursery = nursery
        self._epoll = select.epoll()
        self._parked: dict[int, object] = {}  # socket fd → its Connection
        self._deadlines: list[tuple[float, int, object]] = []  # (deadline, fd, connection), a heap
        self._stale = 0
        self._wait: trio.CancelScope | None = None  # the watcher's wait, whose deadline is the heap's first

    def __len__(self) -> int:
        return len(self._parked)

    def park(self, conn, fd: int, deadline: float) -> None:
        """Hold `conn` until `fd` is readable or `deadline` (trio's clock) passes; then
        `conn.resume()` runs in a task of the server's nursery. `conn.parked_until` is
        the deadline while it is held here, None once it is let go (OSError: not held)."""
        self._epoll.register(fd, select.EPOLLIN)
        conn.parked_until = deadline
        self._parked[fd] = conn
        heapq.heappush(self._deadlines, (deadline, fd, conn))
        if self._wait is not None and deadline < self._wait.deadline:
            self._wait.deadline = deadline

    def wake(self, fd: int) -> None:
        """Resume the connection parked on `fd` now (a push for it, or the server stops)."""
        conn = self._unpark(fd)
        if conn is not None:
            self._stale += 1
            self._compact()
            self._nursery.start_soon(conn.resume)

    def _unpark(self, fd: int):
        conn = self._parked.pop(fd, None)
        if conn is not None:
            self._epoll.unregister(fd)
            conn.parked_until = None
        return conn

    def _compact(self) -> None:
        if self._stale > 64 and self._stale * 2 > len(self._deadlines):
            self._deadlines = [entry for entry in self._deadlines if self._parked.get(entry[1]) is entry[2]
                               and entry[2].parked_until == entry[0]]
            heapq.heapify(self._deadlines)
            self._stale = 0

    async def run(self) -> None:
        """The watcher: one task for every parked connection."""
        try:
            while True:
                with trio.CancelScope(deadline=self._deadlines[0][0] if self._deadlines else math.inf) as wait:
                    self._wait = wait
                    await trio.lowlevel.wait_readable(self._epoll.fileno())
                self._wait = None
                for fd, _ in self._epoll.poll(0, MAX_EVENTS):
                    conn = self._unpark(fd)
                    if conn is not None:
                        self._stale += 1
                        self._nursery.start_soon(conn.resume)
                now = trio.current_time()
                while self._deadlines and self._deadlines[0][0] <= now:
                    deadline, fd, conn = heapq.heappop(self._deadlines)
                    if self._parked.get(fd) is conn and conn.parked_until == deadline:
                        self._unpark(fd)
                        self._nursery.start_soon(conn.resume)  # it finds its deadline passed and closes
                    else:
                        self._stale -= 1
                self._compact()
        finally:
            # The server stops: what is parked closes with it (no task to cancel).
            for conn in self._parked.values():
                conn.parked_until = None
                conn.abandon()
            self._parked.clear()
            self._epoll.close()


__all__ = ["IdleConnections"]
