"""storage/aio_loop.py: the trio-asyncio loop runs every ready asyncio callback in one trio
scheduler pass, and asyncio code on it behaves as before."""

import asyncio

import pytest
import trio
import trio_asyncio

from storage.aio_loop import BATCH, run_ready_callbacks_together


async def _passes_while(loop, chain_length: int) -> int:
    """How many times a trio task got to run while a chain of asyncio callbacks (each
    scheduling the next with call_soon) ran to its end."""
    done = trio.Event()
    passes = 0

    def link(n: int) -> None:
        if n == 0:
            loop.call_soon_threadsafe(done.set)  # any thread-safe way back into trio
            return
        loop.call_soon(link, n - 1)

    async def counter() -> None:
        nonlocal passes
        while not done.is_set():
            passes += 1
            await trio.lowlevel.checkpoint()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(counter)
        await trio.lowlevel.checkpoint()
        loop.call_soon(link, chain_length)
        await done.wait()
    return passes


async def test_ready_callbacks_run_in_one_pass_not_one_each():
    async with trio_asyncio.open_loop() as loop:
        shipped = await _passes_while(loop, 200)
        run_ready_callbacks_together(loop)
        batched = await _passes_while(loop, 200)
    assert shipped >= 150  # one callback per pass, as trio-asyncio ships
    assert batched <= 200 // BATCH + 5


async def test_asyncio_code_behaves_as_before():
    async with trio_asyncio.open_loop() as loop:
        run_ready_callbacks_together(loop)
        run_ready_callbacks_together(loop)  # idempotent

        order = []
        for i in range(3 * BATCH):
            loop.call_soon(order.append, i)

        async def aio_work(x):
            await asyncio.sleep(0.01)  # a timer
            fired = loop.create_future()
            loop.call_later(0.01, fired.set_result, x * 2)
            return await fired

        assert await trio_asyncio.aio_as_trio(aio_work)(21) == 42
        assert order == list(range(3 * BATCH))

        async def trio_side():  # trio code called from asyncio (an AsyncHandle)
            await trio.sleep(0.01)
            return "trio"

        async def aio_calls_trio():
            return await trio_asyncio.trio_as_aio(trio_side)()

        assert await trio_asyncio.aio_as_trio(aio_calls_trio)() == "trio"

        async def aio_fails():
            await asyncio.sleep(0)
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            await trio_asyncio.aio_as_trio(aio_fails)()

        with trio.move_on_after(0.05) as scope:  # a trio cancellation reaches the asyncio side
            await trio_asyncio.aio_as_trio(asyncio.sleep)(10)
        assert scope.cancelled_caught
