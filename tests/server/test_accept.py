"""server/accept.py: a connection's stream is its handler's: closed by it (or by the
connection it parked, server/idle_connections.py), by the accept loop only when the
handler fails; running out of descriptors pauses accepting."""

import errno
from functools import partial

import pytest
import trio
import trio.testing

from server import accept


async def test_a_stream_is_closed_for_its_handler_only_when_the_handler_fails(monkeypatch):
    forced = []
    real = trio.aclose_forcefully

    async def spy(stream):
        forced.append(stream)
        await real(stream)

    monkeypatch.setattr(accept.trio, "aclose_forcefully", spy)
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    seen = []

    async def handler(stream):
        seen.append(stream)
        if len(seen) == 1:
            await stream.aclose()  # as server/front.py does
        elif len(seen) == 3:
            raise RuntimeError("a handler that fails")
        # the second returns with its stream open: handed on, as a parked connection's

    with pytest.raises(BaseException) as raised:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(partial(accept.serve_listeners, handler, listeners, handler_nursery=nursery))
            for _ in range(3):
                client = await trio.open_tcp_stream("127.0.0.1", port)
                await trio.testing.wait_all_tasks_blocked()
                await client.aclose()
            await trio.testing.wait_all_tasks_blocked()
            nursery.cancel_scope.cancel()
    assert "a handler that fails" in repr(raised.value)
    assert len(seen) == 3
    assert seen[0].socket.fileno() == -1 and seen[2].socket.fileno() == -1
    assert forced == [seen[2]]
    assert seen[1].socket.fileno() != -1
    await seen[1].aclose()


class FlakyListener(trio.abc.Listener):
    def __init__(self):
        self.calls = 0

    async def accept(self):
        self.calls += 1
        if self.calls == 1:
            raise OSError(errno.EMFILE, "Too many open files")
        if self.calls == 2:
            raise OSError(errno.EBADF, "Bad file descriptor")
        await trio.sleep_forever()

    async def aclose(self):
        pass


async def test_out_of_descriptors_pauses_and_any_other_accept_error_ends_serving(autojump_clock):
    listener = FlakyListener()
    started = trio.current_time()

    async def handler(stream):
        raise AssertionError("no connection was accepted")

    with pytest.raises(BaseException) as raised:
        async with trio.open_nursery() as nursery:
            await accept.serve_listeners(handler, [listener], handler_nursery=nursery)
    assert listener.calls == 2 and trio.current_time() - started >= accept.SLEEP_TIME
    assert "Bad file descriptor" in repr(raised.value)
