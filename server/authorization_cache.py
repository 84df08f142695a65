"""Which user each auth key is logged in as, remembered by the process (issue 13).

Every RPC asks (rpc/services/login.py `identify`: storage.authorizations.signed_in), and
the answer changes only at a login, a logout or a revocation, so the process keeps it.
`install` puts `CachedAuthorizations` in front of the storage's authorizations:
`signed_in` is answered from memory (the user and whether a 2FA password is still
due, not the whole row: an entry per connection, idle ones included), and every change
made through it (add, delete, delete_others) empties this process's cache and is
published on the bus topic "authz" before the writer's answer leaves, so every other
server process empties its cache too (`follow`): a device revoked on one process is
refused on its next request on any other.

The machinery (the bus topic, emptying on a lost message, the TTL, reads that raced a
change) is server/invalidating_cache.py's. The `mtserver admin` commands that end
sessions announce the change on the bus too (when MTSERVER_REDIS is set); any other
writer outside the server processes reaches them through `TTL`: an entry is trusted
for 10 s at the most.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from . import invalidating_cache
from .invalidating_cache import InvalidatingCache

TOPIC = "authz"
TTL = 10.0  # seconds an entry is trusted without a message from the bus
MAX_ENTRIES = 100_000


class CachedAuthorizations:
    """storage.interface.Authorizations, with `signed_in` remembered; see the module docstring."""

    def __init__(self, inner, bus=None):
        self._inner = inner
        self._bus = bus
        # Any change empties it all: a revocation names keys, not who cached what.
        self.cache = InvalidatingCache(TOPIC, ttl=TTL, max_entries=MAX_ENTRIES, owner_of=lambda key: key)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)  # what is not cached (get, lists, by_hash, touch)

    async def signed_in(self, auth_key_id: int):
        return (await self.cache.read_through([auth_key_id], self._load))[auth_key_id]

    async def _load(self, keys: list[int]) -> dict:
        return {keys[0]: await self._inner.signed_in(keys[0])}

    async def new_key(self, auth_key_id: int, store: Callable[[], Awaitable[object]]) -> None:
        """`await store()` stores a new permanent auth key (AlreadyExists: the id is taken,
        nothing is remembered). A key that did not exist a moment ago is logged in as nobody,
        so the cache learns that without a SELECT and the key's first call
        (rpc/services/login.identify) is answered from memory. A login on the key (only its
        own client can make one) empties the cache as any change does, also while the
        INSERT is in flight (InvalidatingCache.load_through)."""

        async def insert(keys: list[int]) -> dict:
            await store()
            return {auth_key_id: None}

        await self.cache.load_through([auth_key_id], insert)

    async def add(self, record) -> None:
        await self._inner.add(record)
        await self.cache.changed(self._bus, None)

    async def delete(self, auth_key_id: int) -> bool:
        try:
            return await self._inner.delete(auth_key_id)
        finally:
            await self.cache.changed(self._bus, None)

    async def delete_others(self, user_id: int, keep_auth_key_id: int) -> list[int]:
        try:
            return await self._inner.delete_others(user_id, keep_auth_key_id)
        finally:
            await self.cache.changed(self._bus, None)

    def clear(self) -> None:
        self.cache.clear()


async def announce_change(bus) -> None:
    """Tells every server process on the bus that authorizations changed (also what the
    `mtserver admin` commands that end sessions call)."""
    await invalidating_cache.announce(bus, TOPIC, None)


def install(storage, bus) -> CachedAuthorizations:
    """Puts the cache in front of `storage.authorizations` (once)."""
    current = storage.authorizations
    if not isinstance(current, CachedAuthorizations):
        storage.authorizations = current = CachedAuthorizations(current, bus)
    return current


async def follow(storage, bus) -> None:
    """Empties this process's cache whenever another process changed an authorization,
    or a message about it may have been lost, and drops expired entries (a task of the
    server's nursery)."""
    cache = storage.authorizations
    if isinstance(cache, CachedAuthorizations):
        await invalidating_cache.follow(cache.cache, bus)
