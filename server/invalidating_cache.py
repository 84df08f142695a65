"""A process's memory of rows every request re-reads, kept right across processes (issue 13).

`InvalidatingCache` holds entries by key, each belonging to an owner (a user id, an auth
key id): `invalidate(owners)` drops an owner's entries, `clear()` all of them. The
writer of a change calls `changed(...)`, which empties this process's entries first and
then publishes the owners on the cache's bus topic before the writer's answer leaves;
`follow` (a task of the server's nursery) drops them in every other process. It listens
with a `storage.bus.listener.Listener`: the invalidation is applied while the bus reads
it, so a payload read after it (the update that shows the change) is never rendered from
the stale entry.

What may go wrong, and the answer:
- a lost bus message (a full buffer, the Redis connection replaced): the cache is
  emptied (the listener's `on_loss`);
- a writer outside the server processes without Redis (the admin CLI): an entry is
  trusted for `ttl` seconds at the most (between half of it and all of it, at random, so
  that what was loaded at once does not expire at once);
- a read that raced a change (read before, stored after the invalidation): not stored
  (`_Read`: the owners invalidated since the read began are remembered while any read
  is in flight);
- unbounded growth: least recently used entries go beyond `max_entries`;
- entries nobody reads again (an idle connection's, say): `follow` also drops expired
  ones from the least recently used end (`sweep`), SWEEP_BATCH at a time, every half TTL.
"""

from __future__ import annotations

import itertools
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable

import msgspec
import structlog
import trio

from storage.bus import BusError
from storage.bus.listener import Listener
from storage.set_map import SetMap

from .runtime_settings import PROCESS_ID

log = structlog.get_logger("mtserver.cache")

MISSING = object()
MAX_OWNERS_PER_MESSAGE = 10_000  # a bigger change is announced as "everything changed"
_MAX_RACING = 10_000  # owners remembered for in-flight reads, before those reads are just not stored
SWEEP_BATCH = 4096  # entries looked at per sweep, from the least recently used end


class _Changed(msgspec.Struct, omit_defaults=True):
    process: str
    owners: list[int] | None = None  # None: everything


_decoder = msgspec.json.Decoder(_Changed)


class InvalidatingCache:
    """See the module docstring. `owner_of(key)`: the owner whose change drops the entry."""

    def __init__(self, topic: str, *, ttl: float, max_entries: int, owner_of: Callable[[Hashable], int]):
        self.topic = topic
        self.ttl = ttl
        self.max_entries = max_entries
        self._owner_of = owner_of
        self._entries: OrderedDict[Hashable, tuple[object, float]] = OrderedDict()  # key -> (value, expires)
        self._by_owner = SetMap()  # owner → its keys (most own one)
        self._generation = 0  # moves at every invalidation
        self._cleared_at = 0  # generation of the last clear()
        self._invalidated_at: dict[int, int] = {}  # owner -> generation, while reads are in flight
        self._reading = 0
        self.process = PROCESS_ID  # tells this process's own announcements apart on the bus

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key):
        """The value, or MISSING (never stored, dropped, or older than the TTL)."""
        hit = self._entries.get(key)
        if hit is None:
            return MISSING
        if hit[1] <= trio.current_time():
            self._remove(key)
            return MISSING
        self._entries.move_to_end(key)
        return hit[0]

    def sweep(self) -> int:
        """Drops expired entries among the SWEEP_BATCH least recently used (an expired
        entry is otherwise dropped only when read again); how many."""
        now = trio.current_time()
        expired = [key for key, (_, expires) in itertools.islice(self._entries.items(), SWEEP_BATCH)
                   if expires <= now]
        for key in expired:
            self._remove(key)
        return len(expired)

    def holds(self, key) -> bool:
        """Whether `get(key)` has a value (an expired entry is dropped, as get drops it)."""
        return self.get(key) is not MISSING

    async def read_through(self, keys: Iterable[Hashable], load: Callable[[list], Awaitable[dict]]) -> dict:
        """{key: value} for `keys`: from memory, the missing ones by `await load(missing)`,
        which answers {key: value} for each of them (and may add related keys, stored too)."""
        found, missing = {}, []
        for key in keys:
            value = self.get(key)
            if value is MISSING:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            found.update(await self.load_through(missing, load))
        return found

    async def load_through(self, keys: list, load: Callable[[list], Awaitable[dict]]) -> dict:
        """{key: value} from `await load(keys)`, never from memory, stored as a read is (not
        when a change raced it). Also for a write that knows the value it makes: the INSERT
        of a row whose dependants cannot exist yet (server/authorization_cache.py)."""
        since = self._begin_read()
        try:
            loaded = await load(keys)
        finally:
            self._reading -= 1
        self._store(since, loaded)
        self._end_read()
        return loaded

    def invalidate(self, owners: Iterable[int]) -> None:
        self._generation += 1
        for owner in owners:
            for key in self._by_owner.pop(owner):
                self._entries.pop(key, None)
            if self._reading:
                self._invalidated_at[owner] = self._generation
        if len(self._invalidated_at) > _MAX_RACING:
            self._invalidated_at.clear()
            self._cleared_at = self._generation

    def clear(self) -> None:
        self._entries.clear()
        self._by_owner.clear()
        self._invalidated_at.clear()
        self._generation += 1
        self._cleared_at = self._generation

    async def changed(self, bus, owners: Iterable[int] | None) -> None:
        """A writer changed these owners' rows (None: it cannot say whose): empties this
        process's entries, then tells every other process on the bus."""
        owners = None if owners is None else list(dict.fromkeys(owners))
        if owners is None:
            self.clear()
        else:
            self.invalidate(owners)
        if bus is not None:
            await announce(bus, self.topic, owners, process=self.process)

    def on_payload(self, payload: bytes) -> None:
        """What another process announced (Listener callback)."""
        try:
            change = _decoder.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self.clear()  # a newer process's message: empty the cache all the same
            return
        if change.process == self.process:
            return  # emptied before it was published
        if change.owners is None:
            self.clear()
        else:
            self.invalidate(change.owners)

    # -- internals ------------------------------------------------------------------------

    def _begin_read(self) -> int:
        self._reading += 1
        return self._generation

    def _end_read(self) -> None:
        if not self._reading:
            self._invalidated_at.clear()

    def _store(self, since: int, loaded: dict) -> None:
        if self._cleared_at > since:
            return
        now = trio.current_time()
        for key, value in loaded.items():
            owner = self._owner_of(key)
            if self._invalidated_at.get(owner, 0) > since:
                continue  # changed while it was read: maybe the old value
            if key in self._entries:
                self._entries.move_to_end(key)
            # Each entry lives between half the TTL and all of it: entries loaded together
            # (a thousand clients logging in at once) do not all expire, and load again,
            # in the same moment.
            self._entries[key] = (value, now + self.ttl * (1.0 - 0.5 * random.random()))
            self._by_owner.add(owner, key)
        while len(self._entries) > self.max_entries:
            self._remove(next(iter(self._entries)))

    def _remove(self, key) -> None:
        self._entries.pop(key, None)
        self._by_owner.discard(self._owner_of(key), key)


async def announce(bus, topic: str, owners: list[int] | None, *, process: str = PROCESS_ID) -> None:
    """Tells every server process on the bus that these owners' rows changed (None:
    anyone's). Also what the `mtserver admin` commands call."""
    if owners is not None and len(owners) > MAX_OWNERS_PER_MESSAGE:
        owners = None
    try:
        await bus.publish(topic, msgspec.json.encode(_Changed(process=process, owners=owners)))
    except BusError as exc:
        log.warning("cache_change_not_published", topic=topic, error=str(exc),
                    fix="other server processes see the change when their entries expire")


async def follow(cache: InvalidatingCache | None, bus) -> None:
    """Drops what other processes announce, at once, and empties the cache when a bus
    message may have been lost; drops expired entries every half TTL (a task of the
    server's nursery)."""
    if cache is None:
        return
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_sweep_forever, cache)
        if bus is not None:
            async with Listener(bus, [cache.topic], cache.on_payload, cache.clear):
                await trio.sleep_forever()


async def _sweep_forever(cache: InvalidatingCache) -> None:
    while True:
        await trio.sleep(cache.ttl / 2)
        cache.sweep()
