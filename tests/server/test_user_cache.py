"""server/user_cache.py and server/invalidating_cache.py: what every user view reads,
kept by the process and dropped at once, here and in every other process on the bus,
when any writer changes it (issue 13)."""

from __future__ import annotations

import time

import trio
import trio.testing

from rpc.services.users import UserView
from server import invalidating_cache, user_cache
from server.invalidating_cache import MISSING, InvalidatingCache
from storage.bus.memory import MemoryBus
from storage.models import ContactRecord, PhotoRecord
from storage.peer import Peer
from tests.statement_count import statements_run
from tl import types as T


# -- the generic cache ----------------------------------------------------------------------

def keyed() -> InvalidatingCache:
    return InvalidatingCache("t", ttl=10, max_entries=3, owner_of=lambda key: key[0])


async def load_from(source: dict):
    async def load(keys):
        await trio.lowlevel.checkpoint()
        return {k: source[k] for k in keys}
    return load


async def test_entries_are_read_once_and_dropped_by_owner():
    cache, source, reads = keyed(), {(1, "a"): "A", (1, "b"): "B", (2, "a"): "C"}, []

    async def load(keys):
        reads.append(keys)
        return {k: source[k] for k in keys}

    assert await cache.read_through(list(source), load) == source
    assert await cache.read_through(list(source), load) == source
    assert len(reads) == 1
    cache.invalidate([1])
    assert cache.get((1, "a")) is MISSING and cache.get((2, "a")) == "C"


async def test_least_recently_used_entries_go_beyond_max_entries():
    cache = keyed()
    load = await load_from({(i, "x"): i for i in range(5)})
    for i in range(4):
        await cache.read_through([(i, "x")], load)
    assert len(cache) == 3 and cache.get((0, "x")) is MISSING
    cache.get((1, "x"))  # used: (2, "x") is the oldest now
    await cache.read_through([(4, "x")], load)
    assert cache.get((1, "x")) == 1 and cache.get((2, "x")) is MISSING


async def test_a_read_that_raced_an_invalidation_is_not_kept():
    cache, started, release = keyed(), trio.Event(), trio.Event()

    async def slow(keys):
        started.set()
        await release.wait()
        return {k: "old" for k in keys}

    async with trio.open_nursery() as nursery:
        nursery.start_soon(cache.read_through, [(1, "a"), (2, "a")], slow)
        await started.wait()
        cache.invalidate([1])  # a write to owner 1 while its row was being read
        release.set()
    assert cache.get((1, "a")) is MISSING and cache.get((2, "a")) == "old"


async def test_an_entry_is_trusted_for_ttl_seconds_at_most(autojump_clock):
    cache = keyed()
    await cache.read_through([(1, "a")], await load_from({(1, "a"): "A"}))
    await trio.sleep(4.9)
    assert cache.get((1, "a")) == "A"  # half the TTL at least
    await trio.sleep(5.2)
    assert cache.get((1, "a")) is MISSING


async def test_entries_loaded_together_do_not_all_expire_together(autojump_clock):
    cache = InvalidatingCache("t", ttl=10, max_entries=1000, owner_of=lambda key: key)
    await cache.read_through(range(200), await load_from({n: n for n in range(200)}))

    def left() -> int:
        return sum(cache.get(n) is not MISSING for n in range(200))

    await trio.sleep(4.9)
    assert left() == 200
    counts = []
    for _ in range(4):
        await trio.sleep(1)
        counts.append(left())
    # Spread over the TTL's second half: some expire in each of its seconds.
    assert 200 > counts[0] > counts[1] > counts[2] > counts[3] > 0
    await trio.sleep(1.2)
    assert left() == 0


async def test_expired_entries_nobody_reads_are_swept(autojump_clock):
    cache = InvalidatingCache("t", ttl=10, max_entries=100_000, owner_of=lambda key: key % 7)
    await cache.read_through(range(5000), await load_from({n: n for n in range(5000)}))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(invalidating_cache.follow, cache, None)  # no bus: it sweeps all the same
        await trio.sleep(4.9)
        assert len(cache) == 5000  # nothing has expired yet
        await cache.read_through([10_000], await load_from({10_000: "new"}))
        await trio.sleep(6)  # a sweep since every old entry expired: SWEEP_BATCH of them at most
        assert 1 < len(cache) <= 5001 - invalidating_cache.SWEEP_BATCH
        await trio.sleep(10)
        assert len(cache) == 0  # the new one too, once expired
        assert not cache._by_owner  # owners go with their last entry
        nursery.cancel_scope.cancel()


async def test_another_process_drops_the_owners_announced_and_everything_on_loss():
    bus = MemoryBus(max_buffer=1)
    here, there = keyed(), keyed()
    load = await load_from({(1, "a"): "A", (2, "a"): "B"})
    async with trio.open_nursery() as nursery:
        nursery.start_soon(invalidating_cache.follow, there, bus)
        await trio.testing.wait_all_tasks_blocked()
        await there.read_through([(1, "a"), (2, "a")], load)
        here.process = "here"
        await here.changed(bus, [1])
        # Applied as the bus delivered it, before any other task ran.
        assert there.get((1, "a")) is MISSING and there.get((2, "a")) == "B"
        await there.changed(bus, [5])  # its own message: nothing more to drop
        assert there.get((2, "a")) == "B"
        await bus.publish("t", b"not json")  # a newer process's message: everything goes
        assert there.get((2, "a")) is MISSING
        await there.read_through([(2, "a")], load)
        for sub in bus._fanout:  # the Redis bus says so when its connection is replaced
            sub._mark_overflowed()
        assert there.get((2, "a")) is MISSING
        nursery.cancel_scope.cancel()


# -- what user views read -------------------------------------------------------------------

async def two_users(storage):
    now = int(time.time())
    ann = await storage.users.create("15550000001", "Ann", now=now)
    ben = await storage.users.create("15550000002", "Ben", now=now)
    return ann, ben


async def view_of(storage, viewer_id: int, user_id: int):
    return (await UserView(storage, viewer_id).users([user_id]))[0]


async def test_a_second_view_reads_nothing_and_every_writer_is_seen_at_once(storage):
    user_cache.install(storage, None)
    ann, ben = await two_users(storage)
    now = int(time.time())
    first = await view_of(storage, ben.id, ann.id)
    assert first.first_name == "Ann" and not first.contact and first.photo is None
    before = statements_run()
    assert await view_of(storage, ben.id, ann.id) == first
    assert statements_run() == before  # from memory

    await storage.users.update_profile(ann.id, first_name="Anna")
    assert (await view_of(storage, ben.id, ann.id)).first_name == "Anna"
    await storage.users.set_username(ann.id, "anna")
    assert (await view_of(storage, ben.id, ann.id)).username == "anna"
    await storage.users.set_status(ann.id, last_seen=now, online_until=now + 300)
    assert isinstance((await view_of(storage, ben.id, ann.id)).status, T.UserStatusOnline)

    await storage.privacy.set(ann.id, "status_timestamp", [{"_": "privacyValueDisallowAll"}])
    assert isinstance((await view_of(storage, ben.id, ann.id)).status, T.UserStatusRecently)

    await storage.contacts.upsert(ContactRecord(owner_id=ben.id, user_id=ann.id, first_name="Annie",
                                                last_name="", added_at=now))
    got = await view_of(storage, ben.id, ann.id)
    assert got.contact and got.first_name == "Annie" and not got.mutual_contact
    await storage.contacts.upsert(ContactRecord(owner_id=ann.id, user_id=ben.id, first_name="", last_name="",
                                                added_at=now))
    assert (await view_of(storage, ben.id, ann.id)).mutual_contact
    await storage.contacts.delete(ben.id, [ann.id])
    assert not (await view_of(storage, ben.id, ann.id)).contact

    photo = PhotoRecord(id=77, access_hash=1, owner_id=ann.id, date=now, sizes=[], file_id=0, dc_id=1)
    await storage.media.add_photo(photo)
    await storage.media.add_profile_photo(Peer.user(ann.id), 77, now)
    assert (await view_of(storage, ben.id, ann.id)).photo.photo_id == 77
    await storage.media.delete_profile_photos(Peer.user(ann.id), [77])
    assert (await view_of(storage, ben.id, ann.id)).photo is None

    await storage.contacts.upsert(ContactRecord(owner_id=ben.id, user_id=ann.id, first_name="", last_name="",
                                                added_at=now))
    assert (await view_of(storage, ben.id, ann.id)).contact
    await storage.contacts.delete_everywhere(ann.id)  # account deletion: Ben's row for her goes
    await storage.users.mark_deleted(ann.id)
    got = await view_of(storage, ben.id, ann.id)
    assert got.deleted and not got.contact


async def test_privacy_is_decided_per_viewer_from_the_same_rows(storage):
    user_cache.install(storage, None)
    ann, ben = await two_users(storage)
    cid = (await storage.users.create("15550000003", "Cid", now=int(time.time()))).id
    await storage.privacy.set(ann.id, "phone_number", [{"_": "privacyValueAllowUsers", "users": [cid]}])
    assert (await view_of(storage, cid, ann.id)).phone == ann.phone
    assert (await view_of(storage, ben.id, ann.id)).phone is None  # the same cached rules, another viewer


async def test_a_change_through_another_process_is_seen_by_the_next_view(storage):
    """Two processes on one database and one bus, each its own cache (the storage parts
    wrapped twice stand for the two processes' storages)."""
    ann, ben = await two_users(storage)
    bus = MemoryBus()

    class Process:
        def __init__(self):
            for part in ("users", "media", "privacy", "contacts", "authorizations"):
                setattr(self, part, getattr(storage, part))
            user_cache.install(self, bus)

    here, there = Process(), Process()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(user_cache.follow, here, bus)
        nursery.start_soon(user_cache.follow, there, bus)
        await trio.testing.wait_all_tasks_blocked()
        assert (await view_of(there, ben.id, ann.id)).first_name == "Ann"  # remembered over there
        here.user_rows.cache.process = "here"
        await here.users.update_profile(ann.id, first_name="Anna")
        await here.privacy.set(ann.id, "status_timestamp", [{"_": "privacyValueDisallowAll"}])
        got = await view_of(there, ben.id, ann.id)
        assert got.first_name == "Anna" and isinstance(got.status, (T.UserStatusRecently, T.UserStatusEmpty))
        nursery.cancel_scope.cancel()
