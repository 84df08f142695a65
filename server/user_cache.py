"""What a user view reads of each user, remembered by the process (issue 13).

Every answer and every push that names a user renders their user object
(rpc/services/users.py `UserView`), which reads the user's row, current profile photo
and privacy rules, and the contact relation between the viewer and them both ways: four
statements per push of a private message. These change seldom, so `UserRows` keeps them
(rpc/services/user_rows.py) in an `InvalidatingCache` (server/invalidating_cache.py): raw rows only, never a
rendered user. What depends on the viewer (which privacy rule applies, the contact's
name, the rounded last-seen time) is still decided per view, from these rows, at render
time; the status is the row's `last_seen`/`online_until`, compared with the clock when
rendered, and every status change is a write that drops the row like any other.

Who changes what: `install` puts `_Announcing` wrappers in front of the storage's
users, privacy rules, contacts and media, so every write method that changes what is
kept here (see `_WRITES`) drops the users it touched, here and, on the bus topic
"users" before the writer's answer leaves, in every other server process. Writes
outside the server processes: the `mtserver admin` commands that change users announce
"everyone changed" when MTSERVER_REDIS is set; otherwise `TTL` bounds how long a process
shows the old rows.
"""

from __future__ import annotations

from rpc.services.user_rows import UserRows, owner_of
from storage.peer import Peer

from . import invalidating_cache
from .invalidating_cache import InvalidatingCache

TOPIC = "users"
TTL = 30.0  # seconds an entry is trusted without a message from the bus
MAX_ENTRIES = 200_000

# -- writers ----------------------------------------------------------------------------

def _first(result, user_id, *args, **kwargs):
    return [user_id]


def _peer(result, owner: Peer, *args, **kwargs):
    return [owner.id] if owner.is_user else []


# For each wrapped storage part: method -> (its result, its arguments) -> the users whose
# rows here it changed (None: cannot tell, so everyone).
_WRITES = {
    "users": {
        "create": lambda result, *a, **k: [] if result is None else [result.id],
        "ensure": _first, "update_profile": _first, "set_username": _first, "set_status": _first,
        "mark_deleted": _first, "set_banned": _first, "set_phone": _first,
    },
    "privacy": {"set": _first, "delete_all": _first},
    "contacts": {
        "upsert": lambda result, record, *a, **k: [record.owner_id],
        "delete": lambda result, owner_id, *a, **k: [owner_id],
        # The user's own contacts, and the user in everyone else's (who: the result).
        "delete_everywhere": lambda result, user_id, *a, **k: None if result is None else [user_id, *result],
    },
    "media": {"add_profile_photo": _peer, "delete_profile_photos": _peer, "delete_all_profile_photos": _peer},
}


class _Announcing:
    """A storage part whose writing methods (`writes`) drop the users they touched from
    the cache, here and in every other process, before they return (also when they fail:
    part of the change may be done)."""

    def __init__(self, inner, cache: InvalidatingCache, bus, writes: dict):
        self._inner = inner
        self._cache = cache
        self._bus = bus
        self._writes = writes

    def __getattr__(self, name: str):
        method = getattr(self._inner, name)
        touched = self._writes.get(name)
        if touched is None:
            setattr(self, name, method)  # looked up here once
            return method

        async def write(*args, **kwargs):
            result = None
            try:
                result = await method(*args, **kwargs)
                return result
            finally:
                await self._cache.changed(self._bus, touched(result, *args, **kwargs))

        setattr(self, name, write)  # made once per method
        return write


def install(storage, bus) -> UserRows:
    """Puts the cache in front of what UserView reads, and the announcing wrappers in
    front of its writers (once)."""
    rows = getattr(storage, "user_rows", None)
    if rows is not None:
        return rows
    cache = InvalidatingCache(TOPIC, ttl=TTL, max_entries=MAX_ENTRIES, owner_of=owner_of)
    storage.user_rows = rows = UserRows(storage, cache)  # reads the parts unwrapped
    for part, writes in _WRITES.items():
        setattr(storage, part, _Announcing(getattr(storage, part), cache, bus, writes))
    return rows


async def announce_everyone_changed(bus) -> None:
    """What `mtserver admin` commands that change users call."""
    await invalidating_cache.announce(bus, TOPIC, None)


async def follow(storage, bus) -> None:
    """Drops what other processes announce, and expired entries (a task of the server's nursery)."""
    rows = getattr(storage, "user_rows", None)
    await invalidating_cache.follow(None if rows is None else rows.cache, bus)
