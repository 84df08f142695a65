"""rpc/updates/shared_reads.py: a channel event's common reads made once per process."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from rpc.updates.shared_reads import SharedReads, for_storage


async def test_concurrent_askers_share_one_read():
    shared, release = SharedReads(), trio.Event()
    got = []

    async def load():
        await release.wait()
        return "row"

    async def ask():
        got.append(await shared.once(("channel_log", 1, 5), load))

    async with trio.open_nursery() as nursery:
        for _ in range(50):
            nursery.start_soon(ask)
        await trio.testing.wait_all_tasks_blocked()
        release.set()
    assert got == ["row"] * 50 and shared.loads == 1


async def test_entries_expire_and_keys_are_apart(autojump_clock):
    shared = SharedReads(ttl=5)
    reads = []

    async def load():
        reads.append(1)
        return len(reads)

    assert await shared.once(("a",), load) == 1
    assert await shared.once(("a",), load) == 1
    assert await shared.once(("b",), load) == 2
    await trio.sleep(6)
    assert await shared.once(("a",), load) == 3


async def test_a_failed_read_is_not_shared():
    shared = SharedReads()

    async def broken():
        raise RuntimeError("database gone")

    async def fine():
        return "ok"

    with pytest.raises(RuntimeError):
        await shared.once(("k",), broken)
    assert await shared.once(("k",), fine) == "ok"


async def test_bounded():
    shared = SharedReads(max_entries=10)

    async def load():
        return 1

    for n in range(100):
        await shared.once((n,), load)
    assert len(shared._entries) <= 10


def test_one_per_storage():
    class Storage:
        pass

    a, b = Storage(), Storage()
    assert for_storage(a) is for_storage(a) and for_storage(a) is not for_storage(b)
