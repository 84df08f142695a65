"""A connection's socket without trio's stream around it (a plain TCP or Unix socket, not
TLS): the calls the driver makes (``send_all``, ``receive_some``, ``aclose``), in fewer
system calls and scheduler passes.

trio's SocketStream makes every call a checkpoint: a send that went out at once still
passes through the scheduler, and so does a receive that found its bytes, and a receive
first tries recv() and only then waits for readiness. A request to PostgreSQL is one
send and then a wait for an answer that cannot be there yet (the server has to run the
statement), so that first recv() is an EAGAIN every time. Here a send that goes out at
once returns at once, and the first receive after a send waits for readiness first, then
reads: per round trip one send, one readiness wait (one epoll_ctl) and one recv, and one
scheduler pass, the wait's, where trio's stream made two system calls and three passes
more. The wait keeps every request a checkpoint (cancellable, and other tasks run), and
errors come out as trio's stream errors, so the connection handles both kinds alike.
"""

from __future__ import annotations

import errno
import socket

import trio


class PlainSocket:
    __slots__ = ("_sock", "_answer_due")

    def __init__(self, sock: socket.socket):
        sock.setblocking(False)
        self._sock = sock
        self._answer_due = False

    @classmethod
    def adopt(cls, stream: trio.SocketStream) -> PlainSocket:
        """Takes over a trio SocketStream's socket (its options, TCP_NODELAY, stay)."""
        return cls(socket.socket(fileno=stream.socket.detach()))

    async def send_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                sent = self._sock.send(view)
            except BlockingIOError:
                await self._wait(trio.lowlevel.wait_writable)
                continue
            except OSError as exc:
                raise _translated(exc) from exc
            view = view[sent:]
        self._answer_due = True

    async def receive_some(self, max_bytes: int) -> bytes:
        if self._answer_due:  # nothing can be there yet: wait before reading
            self._answer_due = False
            await self._wait(trio.lowlevel.wait_readable)
        while True:
            try:
                return self._sock.recv(max_bytes)
            except BlockingIOError:
                await self._wait(trio.lowlevel.wait_readable)
            except OSError as exc:
                raise _translated(exc) from exc

    def close_now(self) -> None:
        if self._sock.fileno() != -1:
            trio.lowlevel.notify_closing(self._sock)
            self._sock.close()

    async def aclose(self) -> None:
        self.close_now()
        await trio.lowlevel.checkpoint()

    async def _wait(self, wait) -> None:
        if self._sock.fileno() == -1:
            raise trio.ClosedResourceError("the socket is closed")
        await wait(self._sock)


def _translated(exc: OSError) -> trio.ClosedResourceError | trio.BrokenResourceError:
    if exc.errno == errno.EBADF:
        return trio.ClosedResourceError("the socket is closed")
    return trio.BrokenResourceError(f"socket error: {exc}")
