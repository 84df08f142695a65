"""Accepting TCP connections: trio.serve_listeners, except that a handler that returns
normally has handed its stream on rather than finished with it.

trio's version closes the stream when the handler returns; a connection that parks
(server/idle_connections.py) outlives its handler's task, so here the handler owns the
stream (server/front.py closes it, or the connection does when it ends). Only a
handler that fails has its stream closed for it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Awaitable, Callable

import structlog
import trio

log = structlog.get_logger("mtserver.accept")

# Out of descriptors or memory: accepting again at once would spin.
ACCEPT_CAPACITY_ERRNOS = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS}
SLEEP_TIME = 0.1

Handler = Callable[[trio.SocketStream], Awaitable[None]]


async def serve_listeners(handler: Handler, listeners: list[trio.SocketListener], *,
                          handler_nursery: trio.Nursery) -> None:
    async with trio.open_nursery() as nursery:
        for listener in listeners:
            nursery.start_soon(_serve_one, listener, handler_nursery, handler)


async def _serve_one(listener: trio.SocketListener, handler_nursery: trio.Nursery, handler: Handler) -> None:
    async with listener:
        while True:
            try:
                stream = await listener.accept()
            except OSError as exc:
                if exc.errno not in ACCEPT_CAPACITY_ERRNOS:
                    raise
                log.error("accept_failed", error=errno.errorcode[exc.errno], reason=os.strerror(exc.errno),
                          retry_in=SLEEP_TIME)
                await trio.sleep(SLEEP_TIME)
            else:
                handler_nursery.start_soon(_run_handler, stream, handler)


async def _run_handler(stream: trio.SocketStream, handler: Handler) -> None:
    try:
        await handler(stream)
    except BaseException:
        await trio.aclose_forcefully(stream)
        raise


__all__ = ["serve_listeners"]
