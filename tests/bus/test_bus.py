"""The bus: one suite for the in-process bus and the Redis bus (a real Redis).

Redis comes from MTTEST_REDIS (default redis://127.0.0.1:6379); the Redis cases are
skipped when it cannot be reached. Every test uses its own random channel prefix, so runs
sharing a Redis do not hear each other.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import redis as sync_redis
import trio

from storage.bus import (
    Bus,
    BusClosed,
    BusUnavailable,
    MemoryBus,
    RedisBus,
    Subscription,
    open_bus,
)
from storage.bus.listener import Listener

REDIS_URL = os.environ.get("MTTEST_REDIS", "redis://127.0.0.1:6379")

OpenBus = Callable[..., AbstractAsyncContextManager[Any]]


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def redis_admin() -> Any:
    """A plain (synchronous) client for looking at and poking the server."""
    client = sync_redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        client.ping()
    except sync_redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield client
    client.close()


@pytest.fixture(params=["memory", "redis"])
def open_test_bus(request: pytest.FixtureRequest) -> OpenBus:
    """``async with open_test_bus(**options) as bus``: buses of one test share a prefix
    (for Redis: they are like processes of one deployment)."""
    if request.param == "memory":
        return lambda **options: open_bus(None, **options)
    request.getfixturevalue("redis_admin")
    return _redis_opener()


@pytest.fixture
def open_redis_test_bus(redis_admin: Any) -> OpenBus:
    return _redis_opener()


def _redis_opener() -> OpenBus:
    prefix = f"test-{secrets.token_hex(6)}:"

    def open_redis(**options: Any) -> AbstractAsyncContextManager[Any]:
        # Reconnect quickly: the tests that cut connections wait for it.
        return open_bus(REDIS_URL, **{"prefix": prefix, "backoff_min": 0.02, **options})

    return open_redis


@pytest.fixture
async def bus(open_test_bus: OpenBus) -> AsyncIterator[Bus]:
    async with open_test_bus() as bus:
        yield bus


# -- helpers ----------------------------------------------------------------------------


async def receive_all(sub: Subscription, count: int, timeout: float = 2.0) -> list[bytes]:
    with trio.fail_after(timeout):
        return [await sub.receive() for _ in range(count)]


async def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    with trio.fail_after(timeout):
        while not condition():
            await trio.sleep(0.005)


# -- both buses -------------------------------------------------------------------------


async def test_published_payload_reaches_subscriber(bus: Bus) -> None:
    assert bus.connected
    async with bus.subscribe("user:42") as sub:
        await bus.publish("user:42", b"hello")
        assert await receive_all(sub, 1) == [b"hello"]
        assert not sub.overflowed


async def test_every_subscriber_of_a_channel_receives(bus: Bus) -> None:
    async with contextlib.AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(bus.subscribe("user:1")) for _ in range(3)]
        await bus.publish("user:1", b"x")
        for sub in subs:
            assert await receive_all(sub, 1) == [b"x"]


async def test_subscriber_hears_nothing_of_other_channels(bus: Bus) -> None:
    async with bus.subscribe("user:1") as sub:
        await bus.publish("user:2", b"not for you")
        await bus.publish("user:10", b"nor this")
        await bus.publish("user:1", b"yours")
        # One publisher's payloads arrive in order: had the others come, they'd be first.
        assert await receive_all(sub, 1) == [b"yours"]
        assert sub.buffered == 0


async def test_one_subscription_receives_several_channels(bus: Bus) -> None:
    async with bus.subscribe("user:1", "channel:5") as sub:
        assert sub.channels == {"user:1", "channel:5"}
        await bus.publish("channel:5", b"c1")
        await bus.publish("user:1", b"u1")
        assert await receive_all(sub, 2) == [b"c1", b"u1"]


async def test_channels_are_added_and_removed_live(bus: Bus) -> None:
    async with bus.subscribe() as sub:
        await bus.publish("user:7", b"before login")
        await sub.add("user:7")
        await bus.publish("user:7", b"after login")
        assert await receive_all(sub, 1) == [b"after login"]

        await sub.remove("user:7")
        await bus.publish("user:7", b"after logout")
        await sub.add("user:8")
        await bus.publish("user:8", b"other user")
        assert await receive_all(sub, 1) == [b"other user"]
        assert sub.buffered == 0
        assert sub.channels == {"user:8"}


async def test_adding_a_channel_twice_or_removing_an_absent_one_is_harmless(bus: Bus) -> None:
    async with bus.subscribe("user:1") as sub:
        await sub.add("user:1")
        await sub.remove("user:2")
        await bus.publish("user:1", b"once")
        assert await receive_all(sub, 1) == [b"once"]
        assert sub.buffered == 0


async def test_removing_a_channel_discards_its_buffered_payloads(bus: Bus) -> None:
    async with bus.subscribe("user:1", "user:2") as sub:
        for payload in (b"1a", b"2a", b"1b", b"2b"):
            await bus.publish(f"user:{payload[:1].decode()}", payload)
        await wait_until(lambda: sub.buffered == 4)
        await sub.remove("user:1")
        assert await receive_all(sub, 2) == [b"2a", b"2b"]


async def test_payloads_of_a_channel_arrive_in_publish_order(bus: Bus) -> None:
    async with bus.subscribe("user:1", "user:2") as sub:
        for i in range(300):
            await bus.publish(f"user:{1 + i % 2}", i.to_bytes(2, "big"))
        received = [int.from_bytes(p, "big") for p in await receive_all(sub, 300)]
    assert [i for i in received if i % 2 == 0] == list(range(0, 300, 2))
    assert [i for i in received if i % 2 == 1] == list(range(1, 300, 2))


async def test_overflow_drops_oldest_marks_subscription_and_never_blocks_publisher(
    bus: Bus,
) -> None:
    async with bus.subscribe("user:1", max_buffer=10) as slow, bus.subscribe("user:1") as fast:
        assert slow.max_buffer == 10
        with trio.fail_after(2):  # nobody reads `slow`: publishing must not wait for it
            for i in range(100):
                await bus.publish("user:1", b"%d" % i)
        # `fast` hears everything; by then `slow` had each payload offered too.
        assert await receive_all(fast, 100) == [b"%d" % i for i in range(100)]
        assert not fast.overflowed
        assert slow.overflowed
        assert slow.dropped == 90
        assert await receive_all(slow, 10) == [b"%d" % i for i in range(90, 100)]
        assert slow.clear_overflowed() is True
        assert slow.clear_overflowed() is False
        await bus.publish("user:1", b"next")
        assert await receive_all(slow, 1) == [b"next"]
        assert not slow.overflowed


async def test_wait_overflowed_wakes_the_owner(bus: Bus) -> None:
    async with bus.subscribe("user:1", max_buffer=1) as sub:
        woke = trio.Event()

        async def watch() -> None:
            await sub.wait_overflowed()
            woke.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(watch)
            await bus.publish("user:1", b"a")
            await bus.publish("user:1", b"b")
            with trio.fail_after(2):
                await woke.wait()
        assert await receive_all(sub, 1) == [b"b"]


async def test_left_subscription_receives_nothing_and_says_closed(bus: Bus) -> None:
    async with bus.subscribe("user:1") as sub:
        pass
    assert sub.closed
    await bus.publish("user:1", b"nobody listens")
    with pytest.raises(BusClosed):
        await sub.receive()
    with pytest.raises(BusClosed):
        await sub.add("user:2")
    with pytest.raises(RuntimeError):
        async with sub:
            pass


async def test_subscription_must_be_entered_before_use(bus: Bus) -> None:
    sub = bus.subscribe("user:1")
    with pytest.raises(RuntimeError):
        await sub.receive()
    with pytest.raises(RuntimeError):
        await sub.add("user:2")


async def test_bad_arguments_are_refused(bus: Bus) -> None:
    with pytest.raises(ValueError):
        bus.subscribe("")
    with pytest.raises(ValueError):
        bus.subscribe("user:1", max_buffer=0)
    async with bus.subscribe() as sub:
        with pytest.raises(ValueError):
            await sub.add("")


async def test_close_ends_subscriptions_after_their_buffer_and_refuses_more(
    open_test_bus: OpenBus,
) -> None:
    async with open_test_bus() as bus:
        async with bus.subscribe("user:1") as sub:
            await bus.publish("user:1", b"last")
            await wait_until(lambda: sub.buffered == 1)

            async def watch() -> None:
                with pytest.raises(BusClosed):
                    await sub.wait_overflowed()

            with trio.fail_after(2):
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(watch)
                    await trio.sleep(0.01)
                    await bus.close()
                    assert [payload async for payload in sub] == [b"last"]
            assert sub.closed
            with pytest.raises(BusClosed):
                await sub.add("user:2")
        assert not bus.connected
        await bus.close()  # idempotent
        with pytest.raises(BusClosed):
            await bus.publish("user:1", b"late")
        with pytest.raises(BusClosed):
            async with bus.subscribe("user:1"):
                pass


async def test_leaving_is_clean_when_cancelled(bus: Bus) -> None:
    with trio.move_on_after(0.05):
        async with bus.subscribe("user:1") as sub:
            async for _ in sub:
                pass
    assert sub.closed
    with pytest.raises(BusClosed):
        await sub.receive()
    await bus.publish("user:1", b"after")
    async with bus.subscribe("user:2") as again:
        await bus.publish("user:2", b"fresh")
        assert await receive_all(again, 1) == [b"fresh"]


async def test_cancelled_publishers_do_not_break_publishing(bus: Bus) -> None:
    async with bus.subscribe("user:1") as sub:
        async with trio.open_nursery() as nursery:
            for i in range(50):
                nursery.start_soon(bus.publish, "user:1", b"%d" % i)
            await trio.sleep(0)
            nursery.cancel_scope.cancel()
        await bus.publish("user:1", b"after")
        with trio.fail_after(2):
            while await sub.receive() != b"after":
                pass


# -- selection --------------------------------------------------------------------------


async def test_a_listener_handles_a_payload_before_anything_published_after_it(bus: Bus) -> None:
    """What a cache's invalidations need (storage/bus/listener.py): by the time a task
    receives a payload published after the invalidation, the invalidation was handled."""
    handled: list[bytes] = []
    async with Listener(bus, ["users"], handled.append, lambda: handled.append(b"lost")):
        async with bus.subscribe("user:7") as sub:
            for i in range(20):
                await bus.publish("users", b"changed %d" % i)
                await bus.publish("user:7", b"update %d" % i)
            for i in range(20):
                assert await receive_all(sub, 1) == [b"update %d" % i]
                assert b"changed %d" % i in handled
    await bus.publish("users", b"after")  # left: nothing more is handled
    await trio.sleep(0.05)
    assert handled == [b"changed %d" % i for i in range(20)]


async def test_a_listener_hears_of_a_lost_connection(open_redis_test_bus: OpenBus, redis_admin: Any) -> None:
    lost = trio.Event()
    async with open_redis_test_bus() as bus:
        async with Listener(bus, ["users"], lambda payload: None, lost.set):
            redis_admin.client_kill_filter(_id=_client_id(redis_admin, bus.client_names[1]))
            with trio.fail_after(2):
                await lost.wait()


async def test_open_bus_picks_the_implementation() -> None:
    async with open_bus(None) as bus:
        assert isinstance(bus, MemoryBus)
    with pytest.raises(ValueError, match="scheme 'http'"):
        async with open_bus("http://user:secret@example.com"):
            pass


async def test_redis_bus_needs_no_asyncio_loop(redis_admin: Any) -> None:
    import asyncio

    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    async with open_bus(REDIS_URL, prefix=f"test-{secrets.token_hex(6)}:") as bus:
        async with bus.subscribe("user:1") as sub:
            await bus.publish("user:1", b"hi")
            assert await receive_all(sub, 1) == [b"hi"]


async def test_open_bus_fails_fast_when_redis_is_unreachable() -> None:
    with trio.fail_after(3):
        with pytest.raises(BusUnavailable, match="cannot connect"):
            async with open_bus("redis://127.0.0.1:1", socket_timeout=1.0):
                pass


# -- Redis: several processes -----------------------------------------------------------


async def test_two_processes_deliver_to_each_other(open_redis_test_bus: OpenBus) -> None:
    async with open_redis_test_bus() as a, open_redis_test_bus() as b:
        assert isinstance(a, RedisBus) and isinstance(b, RedisBus)
        async with a.subscribe("user:1") as on_a, b.subscribe("user:2") as on_b:
            await b.publish("user:1", b"from b")
            await a.publish("user:2", b"from a")
            assert await receive_all(on_a, 1, timeout=1.0) == [b"from b"]
            assert await receive_all(on_b, 1, timeout=1.0) == [b"from a"]
            for i in range(200):
                await b.publish("user:1", b"%d" % i)
            assert await receive_all(on_a, 200) == [b"%d" % i for i in range(200)]


async def test_one_pubsub_connection_per_process_whatever_the_subscriptions(
    open_redis_test_bus: OpenBus, redis_admin: Any
) -> None:
    async with open_redis_test_bus() as bus:
        channels = [f"user:{i}" for i in range(40)]
        async with trio.open_nursery() as nursery:
            ready = 0
            done = trio.Event()

            async def hold(channel: str) -> None:
                nonlocal ready
                async with bus.subscribe(channel, "shared"):
                    ready += 1
                    await done.wait()

            for channel in channels:
                nursery.start_soon(hold, channel)
            await wait_until(lambda: ready == len(channels))
            mine = [c for c in redis_admin.client_list() if c["name"] in bus.client_names]
            pubsub = [c for c in mine if c["name"] == bus.client_names[1]]
            assert len(pubsub) == 1
            assert int(pubsub[0]["sub"]) == len(channels) + 1
            assert len(mine) == 2  # and one for publishing
            done.set()
        # The last local subscriber gone, Redis is told too.
        names = [bus.prefix + c for c in channels]
        await wait_until(lambda: all(n == 0 for _, n in redis_admin.pubsub_numsub(*names)))


async def test_lost_pubsub_connection_marks_subscriptions_and_recovers(
    open_redis_test_bus: OpenBus, redis_admin: Any
) -> None:
    async with open_redis_test_bus() as bus:
        async with bus.subscribe("user:1") as sub:
            redis_admin.client_kill_filter(_id=_client_id(redis_admin, bus.client_names[1]))
            with trio.fail_after(2):
                await sub.wait_overflowed()
            # Once resubscribed, delivery resumes (and the flag is raised again for it).
            with trio.fail_after(3):
                while True:
                    sub.clear_overflowed()
                    await bus.publish("user:1", b"are you back")
                    with trio.move_on_after(0.05):
                        assert await sub.receive() == b"are you back"
                        break
            assert bus.connected
            assert _client_id(redis_admin, bus.client_names[1]) is not None


async def test_subscription_added_while_disconnected_is_marked_and_served_later(
    open_redis_test_bus: OpenBus, redis_admin: Any
) -> None:
    async with open_redis_test_bus(backoff_min=0.3) as bus:
        redis_admin.client_kill_filter(_id=_client_id(redis_admin, bus.client_names[1]))
        await wait_until(lambda: not bus.connected)
        entering = trio.current_time()
        async with bus.subscribe("user:5") as sub:
            assert trio.current_time() - entering < 0.2  # did not wait for Redis
            assert sub.overflowed
            await wait_until(lambda: bus.connected)
            await wait_until(lambda: redis_admin.pubsub_numsub(bus.prefix + "user:5")[0][1] == 1)
            await bus.publish("user:5", b"served")
            assert await receive_all(sub, 1) == [b"served"]


async def test_publisher_survives_its_connection_being_killed(
    open_redis_test_bus: OpenBus, redis_admin: Any
) -> None:
    async with open_redis_test_bus() as bus:
        async with bus.subscribe("user:1") as sub:
            await bus.publish("user:1", b"one")
            redis_admin.client_kill_filter(_id=_client_id(redis_admin, bus.client_names[0]))
            # (Once the loop has seen the close: a publish racing the kill itself fails,
            # and is not retried, since a retry could deliver it twice.)
            await trio.sleep(0.05)
            await bus.publish("user:1", b"two")
            assert await receive_all(sub, 2) == [b"one", b"two"]


async def test_a_payload_too_big_for_subscribers_is_refused_at_publish(
    open_redis_test_bus: OpenBus,
) -> None:
    from storage.bus.redis import MAX_PAYLOAD

    async with open_redis_test_bus() as bus, bus.subscribe("user:1") as sub:
        with pytest.raises(ValueError):
            await bus.publish("user:1", bytes(MAX_PAYLOAD))
        await bus.publish("user:1", b"small")
        assert await receive_all(sub, 1) == [b"small"]
        assert not sub.overflowed


async def test_silent_connection_is_declared_dead_and_replaced(
    redis_admin: Any, nursery: trio.Nursery
) -> None:
    proxy = await nursery.start(_run_proxy)
    prefix = f"test-{secrets.token_hex(6)}:"
    options = dict(
        prefix=prefix, ping_interval=0.1, dead_after=0.3, backoff_min=0.02, socket_timeout=0.5
    )
    async with open_bus(f"redis://127.0.0.1:{proxy.port}", **options) as bus:
        async with bus.subscribe("user:1") as sub:
            proxy.stall()  # Redis stops answering; TCP stays up
            with trio.fail_after(2):
                await sub.wait_overflowed()
            assert not bus.connected
            sub.clear_overflowed()  # (as an owner catching up would)
            proxy.resume()
            with trio.fail_after(3):
                while True:
                    await bus.publish("user:1", b"alive")
                    with trio.move_on_after(0.05):
                        assert await sub.receive() == b"alive"
                        break
            assert bus.connected
            # Marked again once resubscribed: what was published in between is gone.
            assert sub.overflowed


class _Proxy:
    """A TCP pass-through to Redis that can stop forwarding without closing anything."""

    def __init__(self, port: int):
        self.port = port
        self._flowing = trio.Event()
        self._flowing.set()

    def stall(self) -> None:
        self._flowing = trio.Event()

    def resume(self) -> None:
        self._flowing.set()

    async def pump(self, source: trio.SocketStream, sink: trio.SocketStream) -> None:
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            while data := await source.receive_some(65536):
                await self._flowing.wait()
                await sink.send_all(data)
        with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
            await sink.send_eof()

    async def serve(self, client: trio.SocketStream) -> None:
        host, port = _redis_address()
        async with client, await trio.open_tcp_stream(host, port) as server:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self.pump, client, server)
                nursery.start_soon(self.pump, server, client)


async def _run_proxy(task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    proxy = _Proxy(listeners[0].socket.getsockname()[1])
    async with trio.open_nursery() as nursery:
        task_status.started(proxy)
        await trio.serve_listeners(proxy.serve, listeners, handler_nursery=nursery)


def _redis_address() -> tuple[str, int]:
    kwargs = sync_redis.connection.parse_url(REDIS_URL)
    return kwargs.get("host", "127.0.0.1"), int(kwargs.get("port", 6379))


def _client_id(admin: Any, name: str) -> str | None:
    for client in admin.client_list():
        if client["name"] == name:
            return client["id"]
    return None
