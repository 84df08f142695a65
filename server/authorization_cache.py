"""Which user each auth key is logged in as, remembered by the process (issue 13).

Every RPC asks (rpc/services/login.py `identify`: storage.authorizations.get), and the
answer changes only at a login, a logout or a revocation, so the process keeps it.
`install` puts `CachedAuthorizations` in front of the storage's authorizations: `get`
is answered from memory, and every change made through it (add, delete, delete_others)
empties this process's cache and is published on the bus topic "authz" before the
writer's answer leaves, so every other server process empties its cache too (`follow`):
a device revoked on one process is refused on its next request on any other.

A lost message must not leave a revoked key working: when the subscription drops
payloads or the Redis connection is replaced (the subscription says "overflowed"), the
cache is emptied as well. The `mtserver admin` commands that end sessions announce the
change on the bus too (when MTSERVER_REDIS is set); any other writer outside the server
processes reaches them through `TTL`: an entry is trusted for 10 s at the most. A read
that raced a change is not kept (`_generation`).
"""

from __future__ import annotations

import msgspec
import structlog
import trio

from storage.bus import BusError

from .runtime_settings import PROCESS_ID

log = structlog.get_logger("mtserver.authz")

TOPIC = "authz"
TTL = 10.0  # seconds an entry is trusted without a message from the bus
MAX_ENTRIES = 100_000


class _Changed(msgspec.Struct):
    process: str


_decoder = msgspec.json.Decoder(_Changed)


class CachedAuthorizations:
    """storage.interface.Authorizations, with `get` remembered; see the module docstring."""

    def __init__(self, inner, bus=None):
        self._inner = inner
        self._bus = bus
        self._entries: dict[int, tuple[object, float]] = {}  # auth_key_id -> (record or None, expires)
        self._generation = 0  # moves at every emptying

    def __getattr__(self, name: str):
        return getattr(self._inner, name)  # what is not cached (lists, by_hash, touch)

    async def get(self, auth_key_id: int):
        now = trio.current_time()
        hit = self._entries.get(auth_key_id)
        if hit is not None and hit[1] > now:
            return hit[0]
        generation = self._generation
        record = await self._inner.get(auth_key_id)
        if generation == self._generation:  # no change was made meanwhile
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[auth_key_id] = (record, now + TTL)
        return record

    async def add(self, record) -> None:
        await self._inner.add(record)
        await self._changed()

    async def delete(self, auth_key_id: int) -> bool:
        try:
            return await self._inner.delete(auth_key_id)
        finally:
            await self._changed()

    async def delete_others(self, user_id: int, keep_auth_key_id: int) -> list[int]:
        try:
            return await self._inner.delete_others(user_id, keep_auth_key_id)
        finally:
            await self._changed()

    def clear(self) -> None:
        self._entries.clear()
        self._generation += 1

    async def _changed(self) -> None:
        """Empties this process's cache and tells the others to empty theirs."""
        self.clear()
        if self._bus is not None:
            await announce_change(self._bus)


async def announce_change(bus) -> None:
    """Tells every server process on the bus that authorizations changed (also what the
    `mtserver admin` commands that end sessions call)."""
    try:
        await bus.publish(TOPIC, msgspec.json.encode(_Changed(process=PROCESS_ID)))
    except BusError as exc:
        log.warning("authorization_change_not_published", error=str(exc),
                    fix=f"other server processes see the change within {TTL:g} s")


def install(storage, bus) -> CachedAuthorizations:
    """Puts the cache in front of `storage.authorizations` (once)."""
    current = storage.authorizations
    if not isinstance(current, CachedAuthorizations):
        storage.authorizations = current = CachedAuthorizations(current, bus)
    return current


async def follow(storage, bus) -> None:
    """Empties this process's cache whenever another process changed an authorization,
    or a message about it may have been lost (a task of the server's nursery)."""
    cache = storage.authorizations
    if bus is None or not isinstance(cache, CachedAuthorizations):
        return
    async with bus.subscribe(TOPIC) as sub:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_on_loss, sub, cache)
            async for payload in sub:
                try:
                    if _decoder.decode(payload).process == PROCESS_ID:
                        continue
                except (msgspec.DecodeError, msgspec.ValidationError):
                    pass  # a newer process's message: empty the cache all the same
                cache.clear()
            nursery.cancel_scope.cancel()


async def _on_loss(sub, cache: CachedAuthorizations) -> None:
    while True:
        await sub.wait_overflowed()
        sub.clear_overflowed()
        cache.clear()
