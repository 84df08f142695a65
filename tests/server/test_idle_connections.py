"""server/idle_connections.py: parked sockets resume when readable, at their deadline or
when woken, from one watcher task; the deadline heap stays bounded."""

import socket

import trio

from server.idle_connections import IdleConnections


class Parked:
    def __init__(self):
        self.resumed = trio.Event()
        self.parked_until = None
        self.abandoned = False

    async def resume(self):
        self.resumed.set()

    def abandon(self):
        self.abandoned = True


def park(idle, fd, deadline):
    conn = Parked()
    idle.park(conn, fd, deadline)
    return conn


async def test_readable_deadline_and_wake_resume_once_each():
    a, b = socket.socketpair()
    c, d = socket.socketpair()
    e, f = socket.socketpair()
    with a, b, c, d, e, f:
        async with trio.open_nursery() as nursery:
            idle = IdleConnections(nursery)
            nursery.start_soon(idle.run)
            now = trio.current_time()
            readable = park(idle, a.fileno(), now + 60)
            timed = park(idle, c.fileno(), now + 0.2)
            woken = park(idle, e.fileno(), now + 60)
            assert len(idle) == 3 and timed.parked_until == now + 0.2  # the watcher sets it...
            b.send(b"x")
            with trio.fail_after(2):
                await readable.resumed.wait()
            idle.wake(e.fileno())
            with trio.fail_after(2):
                await woken.resumed.wait()
                await timed.resumed.wait()
            assert trio.current_time() - now >= 0.2
            assert len(idle) == 0
            assert readable.parked_until is woken.parked_until is timed.parked_until is None  # ...and clears it
            nursery.cancel_scope.cancel()


async def test_stale_deadlines_do_not_pile_up():
    a, b = socket.socketpair()
    with a, b:
        async with trio.open_nursery() as nursery:
            idle = IdleConnections(nursery)
            nursery.start_soon(idle.run)
            for n in range(1000):  # a chatty connection: parks, is woken, parks again
                park(idle, a.fileno(), trio.current_time() + 60 + n)
                idle.wake(a.fileno())
                await trio.sleep(0)
            assert len(idle._deadlines) < 200
            nursery.cancel_scope.cancel()


async def test_what_is_parked_is_abandoned_when_the_watcher_stops():
    a, b = socket.socketpair()
    with a, b:
        async with trio.open_nursery() as nursery:
            idle = IdleConnections(nursery)
            nursery.start_soon(idle.run)
            conn = park(idle, a.fileno(), trio.current_time() + 60)
            await trio.sleep(0.05)
            nursery.cancel_scope.cancel()
        assert conn.abandoned and conn.parked_until is None
