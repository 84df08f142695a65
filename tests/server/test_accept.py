"""server/accept.py: a connection's stream is closed once, by its handler, or by the
accept loop when the handler left it open; running out of descriptors pauses accepting."""

import errno
from functools import partial

import pytest
import trio
import trio.testing

from server import accept


async def test_each_connection_runs_its_handler_and_ends_closed(monkeypatch):
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
            await stream.aclose()  # as server/front.py does; the second is left open

    async with trio.open_nursery() as nursery:
        nursery.start_soon(partial(accept.serve_listeners, handler, listeners, handler_nursery=nursery))
        for _ in range(2):
            client = await trio.open_tcp_stream("127.0.0.1", port)
            await trio.testing.wait_all_tasks_blocked()
            await client.aclose()
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert len(seen) == 2 and all(stream.socket.fileno() == -1 for stream in seen)
    assert forced == [seen[1]]


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
    assert listener.calls == 2 and trio.current_time() - started >= accept.RETRY_AFTER
    assert "Bad file descriptor" in repr(raised.value)
