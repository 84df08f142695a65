"""A bounded pool of connections, lent to one task at a time in arrival order.

``max_size`` connections at most; a task that finds none free waits in a FIFO
(trio.Semaphore hands a released slot straight to the longest waiter). Connections
open on demand up to the bound, ``min_size`` at start. A connection that comes back
broken, or outside a transaction-idle state, is closed instead of reused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from .connection import IDLE, Connection


class Pool:
    def __init__(self, open_connection: Callable[[], Awaitable[Connection]], *, min_size: int, max_size: int):
        self._open_connection = open_connection
        self.min_size = min_size
        self.max_size = max_size
        self._slots = trio.Semaphore(max_size)
        self._idle: list[Connection] = []
        self._size = 0
        self._closed = False

    async def open(self) -> None:
        for _ in range(self.min_size):
            self._idle.append(await self._open())

    async def acquire(self) -> Connection:
        await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if not connection.broken:
                    return connection
                self._discard(connection)
            return await self._open()
        except BaseException:
            self._slots.release()
            raise

    def release(self, connection: Connection) -> None:
        if connection.broken or self._closed or connection.transaction_status != IDLE:
            self._discard(connection)
        else:
            self._idle.append(connection)
        self._slots.release()

    def usage(self) -> tuple[int, int, int]:
        """(connections open, of them idle, the most there may be)."""
        return self._size, len(self._idle), self.max_size

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._size -= 1
            await connection.aclose()

    async def _open(self) -> Connection:
        if self._closed:
            raise RuntimeError("the pool is closed")
        connection = await self._open_connection()
        self._size += 1
        return connection

    def _discard(self, connection: Connection) -> None:
        self._size -= 1
        connection.abort()
