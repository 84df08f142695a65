"""Accepting connections: trio.serve_listeners, less one close per connection.

trio's version closes every stream again when its handler returns, with
``aclose_forcefully`` (a cancelled scope and the Cancelled it raises: ~30 µs of CPU per
connection, ~0.4% of a new auth key's). Our handlers (server/front.py) close their
streams themselves, so here a stream is closed only when its handler left it open.
Accept errors that mean the system is out of descriptors or memory are logged and
retried after a pause, as trio does; any other ends the serving.
"""

from __future__ import annotations

import errno
from collections.abc import Awaitable, Callable

import structlog
import trio

log = structlog.get_logger("mtserver.accept")

_OUT_OF_CAPACITY = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}
RETRY_AFTER = 0.1  # seconds

Handler = Callable[[trio.SocketStream], Awaitable[None]]


async def serve_listeners(handler: Handler, listeners: list, *, handler_nursery: trio.Nursery) -> None:
    """Runs ``handler(stream)`` in ``handler_nursery`` for each connection, until cancelled."""
    async with trio.open_nursery() as nursery:
        for listener in listeners:
            nursery.start_soon(_accept_forever, listener, handler, handler_nursery)


async def _accept_forever(listener, handler: Handler, handler_nursery: trio.Nursery) -> None:
    async with listener:
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:
                if exc.errno not in _OUT_OF_CAPACITY:
                    raise
                log.error("accept_failed", error=errno.errorcode[exc.errno], retry_in=RETRY_AFTER)
                await trio.sleep(RETRY_AFTER)
            else:
                handler_nursery.start_soon(_handle, handler, stream)


async def _handle(handler: Handler, stream: trio.SocketStream) -> None:
    try:
        await handler(stream)
    finally:
        if stream.socket.fileno() != -1:  # left open (a crash before front.py's close)
            await trio.aclose_forcefully(stream)
