"""What a user view reads of each user that is the same for every viewer: rows, not views.

`UserView` (users.py) asks here for users' rows, current profile photos and privacy
rules, and for the contact relation between its viewer and them both ways. With a
cache (server/user_cache.py installs one per server process) these come from memory;
what depends on the viewer (which privacy rule applies, the contact's name, the rounded
last-seen time, the status against the clock) is still decided by the view, per viewer,
from these raw rows.
"""

from __future__ import annotations

from storage.peer import Peer

# Keys: (kind, owner, ...). "u": the user's row (or None), "p": their current profile
# photo (or None), "r": their privacy rules {key: rules}, "c": the owner's contact row
# for the other user (or None), "k": whether the owner has the other user as a contact.
_ROW, _PHOTO, _RULES, _CONTACT, _HAS = "u", "p", "r", "c", "k"


def owner_of(key) -> int:
    return key[1]


class UserRows:
    """What UserView reads, from memory where it can: `cache` an InvalidatingCache
    (server/invalidating_cache.py), None to read storage every time."""

    def __init__(self, storage, cache=None):
        self._users = storage.users
        self._media = storage.media
        self._privacy = storage.privacy
        self._contacts = storage.contacts
        self.cache = cache

    async def _through(self, keys: list, load) -> dict:
        if self.cache is None:
            return await load(keys)
        return await self.cache.read_through(keys, load)

    async def records(self, user_ids) -> dict:
        """{user id: UserRecord, or None if there is no such user}."""
        async def load(keys):
            found = {r.id: r for r in await self._users.get_many([k[1] for k in keys])}
            return {k: found.get(k[1]) for k in keys}
        got = await self._through([(_ROW, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def photos(self, user_ids) -> dict:
        """{user id: their current profile photo's PhotoRecord, or None}."""
        async def load(keys):
            current = await self._media.current_profile_photos([Peer.user(k[1]) for k in keys])
            return {k: current.get(Peer.user(k[1])) for k in keys}
        got = await self._through([(_PHOTO, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def rules(self, user_ids) -> dict:
        """{user id: {privacy key: stored rules}} (keys never set are absent)."""
        async def load(keys):
            found = await self._privacy.get_all_of([k[1] for k in keys])
            return {k: found.get(k[1], {}) for k in keys}
        got = await self._through([(_RULES, u) for u in dict.fromkeys(user_ids)], load)
        return {k[1]: v for k, v in got.items()}

    async def between(self, viewer_id: int, user_ids) -> tuple[dict, set]:
        """storage.contacts.between: (the viewer's contact rows for these users, those of
        them who have the viewer as a contact)."""
        wanted = list(dict.fromkeys(user_ids))

        async def load(keys):
            others = list(dict.fromkeys(k[2] if k[0] == _CONTACT else k[1] for k in keys))
            mine, theirs = await self._contacts.between(viewer_id, others)
            loaded = {}
            for u in others:  # both directions of each pair: one read answers both
                loaded[(_CONTACT, viewer_id, u)] = mine.get(u)
                loaded[(_HAS, u, viewer_id)] = u in theirs
            return loaded

        keys = [key for u in wanted for key in ((_CONTACT, viewer_id, u), (_HAS, u, viewer_id))]
        got = await self._through(keys, load)
        mine = {u: got[(_CONTACT, viewer_id, u)] for u in wanted if got[(_CONTACT, viewer_id, u)] is not None}
        return mine, {u for u in wanted if got[(_HAS, u, viewer_id)]}


def rows_of(storage) -> UserRows:
    """The storage's cached rows (`install`), or uncached ones for a storage without."""
    rows = getattr(storage, "user_rows", None)
    return rows if rows is not None else UserRows(storage)
