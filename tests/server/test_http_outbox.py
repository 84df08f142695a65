"""The HTTP transport's outbox (server/http_outbox.py): http_wait's max_wait, wait_after
and max_delay, and the bound on what waits for a request."""

import trio
import trio.testing

from mtproto.http_session import Unsealed
from server.http_outbox import Outbox, TransportFailure


def batch(session_id: int, n: int, size: int = 10) -> Unsealed:
    return Unsealed(session_id, ((n * 4 + 1, 1, b"x" * size),))


async def test_max_wait_runs_out_with_nothing(autojump_clock):
    outbox = Outbox()
    start = trio.current_time()
    assert await outbox.wait_for(1, max_wait=25, wait_after=0, max_delay=0) == []
    assert trio.current_time() - start == 25


async def test_wait_after_gathers_batches_that_follow_closely_up_to_max_delay(autojump_clock):
    outbox = Outbox()

    async def producer():
        for n in range(10):
            await trio.sleep(0.1)
            await outbox.send_all(batch(7, n))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer)
        start = trio.current_time()
        got = await outbox.wait_for(7, max_wait=5, wait_after=0.15, max_delay=0.45)
        elapsed = trio.current_time() - start
    # The first batch at 0.1 s; then more every 0.1 s until max_delay ends it at 0.55 s.
    assert abs(elapsed - 0.55) < 1e-6
    assert [b.messages[0][0] for b in got] == [1, 5, 9, 13, 17]
    assert [b.messages[0][0] for b in outbox.take(7)] == [21, 25, 29, 33, 37]


async def test_other_sessions_do_not_wake_a_request(autojump_clock):
    outbox = Outbox()
    await outbox.send_all(batch(2, 0))
    assert await outbox.wait_for(1, max_wait=3, wait_after=0, max_delay=0) == []
    assert len(outbox.take(2)) == 1


async def test_the_queue_is_bounded_oldest_first_and_unsent_answers_go_back_first():
    outbox = Outbox(max_bytes=100)
    for n in range(10):
        await outbox.send_all(batch(1, n, size=30))
    assert outbox.size <= 100
    kept = outbox.take(1)
    assert [b.messages[0][0] for b in kept] == [33, 37]
    await outbox.send_all(batch(1, 50))
    outbox.put_back(1, kept)
    assert [b.messages[0][0] for b in outbox.take(1)][-1] == 201


async def test_failures_and_plain_answers_are_kept_apart():
    outbox = Outbox()
    await outbox.send_all(TransportFailure(404))
    await outbox.send_all(b"plain answer")
    assert outbox.take_failure() == TransportFailure(404) and outbox.take_failure() is None
    assert outbox.plain == [b"plain answer"]
