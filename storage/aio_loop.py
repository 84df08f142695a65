"""The trio-asyncio loop that `mtserver migrate-db` runs asyncpg's COPY on (tools/migrate_db.py):
made to run every ready asyncio callback in one trio scheduler pass. (The server ran asyncpg
and redis on it until both got clients of their own on trio, storage/pgwire/ and
storage/bus/resp.py.)

trio-asyncio's loop is a trio task that takes asyncio callbacks from a queue one at a time,
and each take is a trio checkpoint: one callback per pass of the trio scheduler, which each
time also polls epoll and runs whatever trio tasks are ready. One asyncpg statement took
several callbacks (task steps, the socket's read readiness, future callbacks), so under load
the passes, not the queries, were most of a statement's cost: bench/bench_storage_call.py
and bench/bench_delivery.py (bench/README.md, "Message delivery") measured 2-3x the CPU per
delivered message.

:func:`run_ready_callbacks_together` keeps the loop's own step (its timers, its trio-task
handles, its shutdown) and after each one runs the callbacks already queued, up to
``BATCH`` of them, through the same step with ``no_wait=True`` -- the path trio-asyncio's
own shutdown uses to drain the queue. asyncio's order is unchanged (FIFO, timers when due);
trio tasks still run at least every ``BATCH`` callbacks.
"""

from __future__ import annotations

import trio

BATCH = 64
_MARK = "_mtserver_batched"


def run_ready_callbacks_together(loop) -> None:
    """Applies to this loop from its next step on; idempotent. A loop without the step this
    relies on (another trio-asyncio version) is left as it is."""
    step = getattr(loop, "_main_loop_one", None)
    if step is None or getattr(loop, _MARK, False):
        return

    async def main_loop_one(no_wait: bool = False) -> None:
        await step(no_wait)
        for _ in range(BATCH - 1):
            try:
                await step(no_wait=True)  # WouldBlock once the queue is empty
            except trio.WouldBlock:
                return

    loop._main_loop_one = main_loop_one
    setattr(loop, _MARK, True)


__all__ = ["BATCH", "run_ready_callbacks_together"]
