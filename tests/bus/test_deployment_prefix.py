"""Issue 12.13: two deployments on one Redis do not hear each other.

Redis pub/sub channels ignore the database number, so two deployments (different
databases) on one Redis used the same channel names, and user 1000001 of one got the
live updates of user 1000001 of the other. Each deployment's channels now carry its own
prefix: MTSERVER_REDIS_PREFIX, or one made from a random id kept in its database (so
the processes of one deployment, sharing a database, share it too).
"""

import os

import pytest
import redis as sync_redis
import trio

from mtproto.crypto import ServerRsaKey
from server.app import serve
from server.config import Config, ConfigError, load_config

REDIS_URL = os.environ.get("MTTEST_REDIS", "redis://127.0.0.1:6379")
KEY = ServerRsaKey.generate()
CHANNEL = "user:1000001"


@pytest.fixture(autouse=True)
def _need_redis():
    client = sync_redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except sync_redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    finally:
        client.close()


async def start(nursery, data_dir, **settings):
    config = Config(host="127.0.0.1", port=0, data_dir=str(data_dir), redis=REDIS_URL, **settings)
    return await nursery.start(lambda task_status: serve(config, KEY, task_status=task_status, handle_signals=False))


async def hears(listener, speaker) -> bool:
    async with listener.bus.subscribe(CHANNEL) as sub:
        await speaker.bus.publish(CHANNEL, b"hello")
        with trio.move_on_after(1):
            async for payload in sub:
                if payload == b"hello":
                    return True
    return False


async def test_two_deployments_on_one_redis_do_not_hear_each_other(nursery, tmp_path):
    first = await start(nursery, tmp_path / "first")
    second = await start(nursery, tmp_path / "second")
    assert first.bus.prefix != second.bus.prefix
    assert not await hears(first, second)
    assert not await hears(second, first)
    nursery.cancel_scope.cancel()


async def test_processes_of_one_deployment_share_the_prefix(nursery, tmp_path):
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    one = await start(nursery, tmp_path / "one", database=database)
    two = await start(nursery, tmp_path / "two", database=database)
    assert one.bus.prefix == two.bus.prefix
    assert await hears(one, two)
    nursery.cancel_scope.cancel()


async def test_the_operator_sets_the_prefix(nursery, tmp_path):
    a = await start(nursery, tmp_path / "a", redis_prefix="tenant-a:")
    b = await start(nursery, tmp_path / "b", redis_prefix="tenant-a:")
    assert a.bus.prefix == b.bus.prefix == "tenant-a:"
    assert await hears(a, b)
    nursery.cancel_scope.cancel()


def test_redis_prefix_setting_is_checked():
    assert load_config(env={"MTSERVER_REDIS_PREFIX": " blue: "}).redis_prefix == "blue:"
    assert load_config(env={"MTSERVER_REDIS_PREFIX": ""}).redis_prefix is None
    with pytest.raises(ConfigError):
        load_config(env={"MTSERVER_REDIS_PREFIX": "has space"})
    with pytest.raises(ConfigError):
        load_config(env={"MTSERVER_REDIS_PREFIX": "x" * 200})
