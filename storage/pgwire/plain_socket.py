"""A connection's socket without trio's stream around it (a plain TCP or Unix socket, not
TLS): the calls the driver makes (``send_all``, ``receive_some``, ``aclose``), in fewer
system calls and scheduler passes.

trio's SocketStream makes every call a checkpoint: a send that went out at once still
passes through the scheduler, and so does a receive that found its bytes. A request to
PostgreSQL is one send and then an answer that cannot be there at once (the server has
to run the statement). Here a send that goes out at once returns at once; the first
receive after it lets the other tasks run for one scheduler pass, then reads, and waits
for readiness only if the answer is still not there. Per round trip that is one send,
one recv (an EAGAIN and a readiness wait, one epoll_ctl, only when the pass was too
short) and one scheduler pass where trio's stream took two or three. (Waiting for
readiness right after the send, without the pass, cost an epoll_ctl every round trip:
two system calls more per delivered message than trio's stream, bench/README.md.)
Every request stays a checkpoint (the pass), and errors come out as trio's stream
errors, so the connection handles both kinds alike.
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
        if self._answer_due:  # nothing can be there yet: let the other tasks run first
            self._answer_due = False
            await trio.lowlevel.checkpoint()
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
