"""What a user view reads of each user that is the same for every viewer: rows, not views.

`UserView` (users.py) asks here for users' rows, current profile photos and privacy
rules, and for the contact relation between its viewer and them both ways. With a
cache (server/user_cache.py installs one per server process) these come from memory;
what depends on the viewer (which privacy rule applies, the contact's name, the rounded
last-seen time, the status against the clock) is still decided by the view, per viewer,
from these raw rows.
"""

from __future__ import annotations

from storage.db import CHUNK_SIZE
from storage.peer import Peer
from storage.query import run_all

# Keys: (kind, owner, ...). "u": the user's row (or None), "p": their current profile
# photo (or None), "r": their privacy rules {key: rules}, "c": the owner's contact row
# for the other user (or None), "k": whether the owner has the other user as a contact.
_ROW, _PHOTO, _RULES, _CONTACT, _HAS = "u", "p", "r", "c", "k"


def owner_of(key) -> int:
    return key[1]


# A prefetch reads at most this many users at once (one chunk of each read); a bigger
# answer reads them kind by kind, as without one.
PREFETCH_MAX = CHUNK_SIZE


class UserRows:
    """What UserView reads, from memory where it can: `cache` an InvalidatingCache
    (server/invalidating_cache.py), None to read storage every time."""

    def __init__(self, storage, cache=None):
        self._users = storage.users
        self._media = storage.media
        self._privacy = storage.privacy
        self._contacts = storage.contacts
        self._db = getattr(storage, "db", None)
        self.cache = cache

    async def _through(self, keys: list, load) -> dict:
        if self.cache is None:
            return await load(keys)
        return await self.cache.read_through(keys, load)

    async def records(self, user_ids) -> dict:
        """{user id: UserRecord, or None if there is no such user}."""
        async def load(keys):
            ids = [k[1] for k in keys]
            return _records_loaded(ids, {r.id: r for r in await self._users.get_many(ids)})
        got = await self._through([(_ROW, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def photos(self, user_ids) -> dict:
        """{user id: their current profile photo's PhotoRecord, or None}."""
        async def load(keys):
            ids = [k[1] for k in keys]
            return _photos_loaded(ids, await self._media.current_profile_photos([Peer.user(u) for u in ids]))
        got = await self._through([(_PHOTO, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def rules(self, user_ids) -> dict:
        """{user id: {privacy key: stored rules}} (keys never set are absent)."""
        async def load(keys):
            ids = [k[1] for k in keys]
            return _rules_loaded(ids, await self._privacy.get_all_of(ids))
        got = await self._through([(_RULES, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def between(self, viewer_id: int, user_ids) -> tuple[dict, set]:
        """storage.contacts.between: (the viewer's contact rows for these users, those of
        them who have the viewer as a contact)."""
        wanted = list(dict.fromkeys(user_ids))

        async def load(keys):
            others = list(dict.fromkeys(k[2] if k[0] == _CONTACT else k[1] for k in keys))
            return _between_loaded(viewer_id, others, await self._contacts.between(viewer_id, others))

        got = await self._through(_between_keys(viewer_id, wanted), load)
        mine = {u: got[(_CONTACT, viewer_id, u)] for u in wanted if got[(_CONTACT, viewer_id, u)] is not None}
        return mine, {u for u in wanted if got[(_HAS, u, viewer_id)]}

    async def prefetch(self, viewer_id: int, user_ids) -> None:
        """Puts into the cache what `UserView.users` reads of these users (their rows,
        photos and privacy rules, their contact relation with the viewer) in one round
        trip, when two or more of those reads would each go to storage: the first push
        from a user this process has not shown lately reads four things, not four times
        (storage/query.py). Without a cache there is nowhere to keep them: nothing."""
        cache = self.cache
        ids = list(dict.fromkeys(user_ids))
        if cache is None or self._db is None or not ids or len(ids) > PREFETCH_MAX:
            return
        others = [u for u in ids if u != viewer_id]

        def lacking(users, keys_of):
            return [u for u in users if not all(cache.holds(key) for key in keys_of(u))]

        reads = [(users, query, loaded) for users, query, loaded in (
            (lacking(ids, lambda u: [(_ROW, u)]), self._users.get_many_query, _records_loaded),
            (lacking(ids, lambda u: [(_PHOTO, u)]),
             lambda users: self._media.current_profile_photos_query([Peer.user(u) for u in users]), _photos_loaded),
            (lacking(others, lambda u: [(_RULES, u)]), self._privacy.get_all_of_query, _rules_loaded),
            (lacking(others, lambda u: _between_keys(viewer_id, [u])),
             lambda users: self._contacts.between_query(viewer_id, users),
             lambda users, found: _between_loaded(viewer_id, users, found)),
        ) if users]
        if len(reads) < 2:
            return  # one read or none: the ordinary one, when it is asked for

        async def load(_keys):
            found = await run_all(self._db, [query(users) for users, query, _ in reads])
            loaded = {}
            for (users, _, meaning), result in zip(reads, found):
                loaded.update(meaning(users, result))
            return loaded

        await cache.load_through([], load)


# What each read means as cache entries: every user asked for gets one (None or empty
# where storage has nothing), so a user without a photo is not asked about again.

def _records_loaded(ids, found: dict) -> dict:
    return {(_ROW, u): found.get(u) for u in ids}


def _photos_loaded(ids, current: dict) -> dict:
    return {(_PHOTO, u): current.get(Peer.user(u)) for u in ids}


def _rules_loaded(ids, found: dict) -> dict:
    return {(_RULES, u): found.get(u, {}) for u in ids}


def _between_keys(viewer_id: int, user_ids) -> list:
    return [key for u in user_ids for key in ((_CONTACT, viewer_id, u), (_HAS, u, viewer_id))]


def _between_loaded(viewer_id: int, others, found) -> dict:
    mine, theirs = found
    loaded = {}
    for u in others:  # both directions of each pair: one read answers both
        loaded[(_CONTACT, viewer_id, u)] = mine.get(u)
        loaded[(_HAS, u, viewer_id)] = u in theirs
    return loaded


def rows_of(storage) -> UserRows:
    """The storage's cached rows (`install`), or uncached ones for a storage without."""
    rows = getattr(storage, "user_rows", None)
    return rows if rows is not None else UserRows(storage)
