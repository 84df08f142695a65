"""server/authorization_cache.py: the auth key → user answer every RPC needs, kept by the
process and emptied at once, in this process and in every other one on the bus, when an
authorization changes (issue 13)."""

from __future__ import annotations

import time

import pytest
import trio
import trio.testing

from server import authorization_cache as cache_module
from server.authorization_cache import CachedAuthorizations, follow, install
from server.invalidating_cache import MISSING
from storage import AlreadyExists
from storage.bus.memory import MemoryBus
from storage.models import AuthorizationRecord
from tests.statement_count import statements_run


def authorization(key_id: int, user_id: int) -> AuthorizationRecord:
    now = int(time.time())
    return AuthorizationRecord(auth_key_id=key_id, user_id=user_id, hash=key_id, created_at=now, active_at=now)


async def test_a_key_is_read_once_and_a_change_here_is_seen_at_once(storage):
    user = await storage.users.create("15550000001", "Ann", now=int(time.time()))
    cached = install(storage, None)
    assert install(storage, None) is cached  # once
    await cached.add(authorization(11, user.id))
    assert (await cached.signed_in(11))[0] == user.id
    before = statements_run()
    for _ in range(5):
        assert (await cached.signed_in(11))[0] == user.id
    assert statements_run() == before  # from memory
    await cached.delete(11)
    assert await cached.signed_in(11) is None  # logged out: refused on the next request


async def test_a_new_key_is_logged_in_as_nobody_without_a_read(storage):
    """The first call on a new key (rpc/services/login.identify) costs no SELECT: storing
    the key tells the cache. A login that races the INSERT still wins; a taken id
    (AlreadyExists, dh_gen_retry) is not remembered."""
    user = await storage.users.create("15550000001", "Ann", now=int(time.time()))
    cached = install(storage, None)

    async def stored():
        pass

    await cached.new_key(31, stored)
    before = statements_run()
    assert await cached.signed_in(31) is None
    assert statements_run() == before

    async def login_meanwhile():
        await cached.add(authorization(32, user.id))

    await cached.new_key(32, login_meanwhile)
    assert (await cached.signed_in(32))[0] == user.id

    async def taken():
        raise AlreadyExists("auth key 33")

    with pytest.raises(AlreadyExists):
        await cached.new_key(33, taken)
    assert cached.cache.get(33) is MISSING


async def test_a_revocation_in_another_process_is_seen_on_the_next_request(storage):
    """Two processes on one database and one bus: each its own cache."""
    user = await storage.users.create("15550000001", "Ann", now=int(time.time()))
    bus = MemoryBus()
    here = CachedAuthorizations(storage.authorizations, bus)
    there = CachedAuthorizations(storage.authorizations, bus)

    class Process:
        def __init__(self, cache):
            self.authorizations = cache

    async with trio.open_nursery() as nursery:
        nursery.start_soon(follow, Process(here), bus)
        nursery.start_soon(follow, Process(there), bus)
        await trio.testing.wait_all_tasks_blocked()
        await here.add(authorization(21, user.id))
        await here.add(authorization(22, user.id))
        assert (await there.signed_in(21))[0] == user.id  # cached over there now
        # The user ends their other sessions from the process "there"; the process
        # "here" is told before the answer leaves (as the bus delivers it).
        there.cache.process = "there"
        assert await there.delete_others(user.id, 22) == [21]
        await trio.testing.wait_all_tasks_blocked()
        assert await here.signed_in(21) is None and (await here.signed_in(22))[0] == user.id
        nursery.cancel_scope.cancel()


async def test_a_lost_bus_message_empties_the_cache(storage):
    user = await storage.users.create("15550000001", "Ann", now=int(time.time()))
    bus = MemoryBus(max_buffer=1)
    cached = CachedAuthorizations(storage.authorizations, bus)

    class Process:
        authorizations = cached

    await storage.authorizations.add(authorization(31, user.id))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(follow, Process(), bus)
        await trio.testing.wait_all_tasks_blocked()
        assert (await cached.signed_in(31))[0] == user.id
        await storage.authorizations.delete(31)  # behind the cache's back (another writer)
        for _ in range(3):  # more than the subscription holds, before it is read: it overflows
            await bus.publish("authz", b'{"process": "elsewhere"}')
        await trio.testing.wait_all_tasks_blocked()
        assert await cached.signed_in(31) is None
        nursery.cancel_scope.cancel()


async def test_an_entry_is_trusted_for_ttl_seconds_at_most(storage, autojump_clock):
    user = await storage.users.create("15550000001", "Ann", now=int(time.time()))
    cached = CachedAuthorizations(storage.authorizations)
    await storage.authorizations.add(authorization(41, user.id))
    assert (await cached.signed_in(41))[0] == user.id
    await storage.authorizations.delete(41)  # a writer outside the servers (the admin CLI)
    assert await cached.signed_in(41) is not None
    await trio.sleep(cache_module.TTL + 1)
    assert await cached.signed_in(41) is None
