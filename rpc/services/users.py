"""Users as one viewer may see them: TL `user` objects built from stored records.

Everything a client receives about another user goes through `UserView`, so privacy,
contact names, mutual-contact flags, rounded last-seen times and access hashes are
decided in one place. One view serves one request and caches what it looked up.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from storage.models import UserRecord
from tl import types as T

from . import file_references
from .media_view import photo_object, profile_photo_object
from .privacy import allows, rules_or_default
from .service_account import SERVICE_USER_ID
from .user_rows import rows_of

RECENTLY = 3 * 86400
LAST_WEEK = 7 * 86400
LAST_MONTH = 30 * 86400


def status_of(record: UserRecord, now: int, exact: bool):
    """userStatus*: exact for viewers the status_timestamp rules allow, rounded otherwise."""
    if record.online_until > now:
        return T.UserStatusOnline(expires=record.online_until) if exact else T.UserStatusRecently()
    if not record.last_seen:
        return T.UserStatusEmpty()
    if exact:
        return T.UserStatusOffline(was_online=record.last_seen)
    age = now - record.last_seen
    if age <= RECENTLY:
        return T.UserStatusRecently()
    if age <= LAST_WEEK:
        return T.UserStatusLastWeek()
    if age <= LAST_MONTH:
        return T.UserStatusLastMonth()
    return T.UserStatusEmpty()


class UserRows(NamedTuple):
    """What the user objects of some users need that is the same for every viewer: their
    rows, current profile photos and privacy rules (`UserView.shareable`)."""

    records: dict
    photos: dict
    photo_records: dict
    rules: dict


class UserView:
    def __init__(self, storage, viewer_id: int, rows: UserRows | None = None):
        """`rows`: read already for another viewer of the same users (a channel post
        pushed to its members); what depends on the viewer is still read."""
        self.storage = storage
        self.viewer_id = viewer_id
        # Rows every viewer sees alike, remembered by the process (server/user_cache.py).
        self._rows = rows_of(storage)
        self._records: dict[int, UserRecord | None] = {}
        self._my_contacts: dict | None = None  # the viewer's whole list, once asked for
        self._contact_rows: dict[int, object] = {}  # user -> the viewer's contact row for them, or None
        self._their_contact_of_me: dict[int, bool] = {}
        self._rules: dict[int, dict[str, list[dict]]] = {}  # owner -> key -> stored rules
        self._photos: dict[int, object] = {}
        self._photo_records: dict[int, object] = {}
        if rows is not None:
            self._records.update(rows.records)
            self._photos.update(rows.photos)
            self._photo_records.update(rows.photo_records)
            self._rules.update(rows.rules)

    async def shareable(self, user_ids) -> UserRows:
        """Reads what is the same for every viewer of these users, for other views to
        start from (`UserView(storage, viewer, rows)`)."""
        ids = list(dict.fromkeys(user_ids))
        await self._load_records(ids)
        await self._load_photos(ids)
        await self._load_rules(ids)
        return UserRows({u: self._records[u] for u in ids}, {u: self._photos[u] for u in ids},
                        {u: self._photo_records[u] for u in ids}, {u: self._rules[u] for u in ids})

    async def record(self, user_id: int) -> UserRecord | None:
        await self._load_records([user_id])
        return self._records[user_id]

    async def my_contacts(self) -> dict:
        if self._my_contacts is None:
            self._my_contacts = {c.user_id: c for c in await self.storage.contacts.list(self.viewer_id)}
        return self._my_contacts

    async def contact_row(self, user_id: int):
        """The viewer's contact row for `user_id`, or None."""
        if self._my_contacts is not None:
            return self._my_contacts.get(user_id)
        await self._load_contacts([user_id])
        return self._contact_rows[user_id]

    async def is_contact_of(self, owner_id: int) -> bool:
        """Whether the viewer is in `owner_id`'s contacts (what their privacy rules ask)."""
        await self._load_contacts([owner_id])
        return self._their_contact_of_me[owner_id]

    async def _load_contacts(self, user_ids) -> None:
        """Both directions of the contact relation between the viewer and the users not
        looked up yet, in one query (not the viewer's whole list: a push reads this)."""
        wanted = [u for u in dict.fromkeys(user_ids) if u not in self._their_contact_of_me]
        if wanted:
            mine, theirs = await self._rows.between(self.viewer_id, wanted)
            for u in wanted:
                self._contact_rows[u] = mine.get(u)
                self._their_contact_of_me[u] = u in theirs

    async def rules(self, owner_id: int, key: str) -> list[dict]:
        await self._load_rules([owner_id])
        return rules_or_default(key, self._rules[owner_id].get(key))

    async def _load_rules(self, owner_ids) -> None:
        """All the rules of the owners not looked up yet, in one query (a user object
        asks for three keys, an answer names many users)."""
        wanted = [u for u in dict.fromkeys(owner_ids) if u not in self._rules]
        if wanted:
            self._rules.update(await self._rows.rules(wanted))

    async def can_see(self, owner_id: int, key: str) -> bool:
        if owner_id == self.viewer_id:
            return True
        return allows(await self.rules(owner_id, key), owner_id, self.viewer_id, await self.is_contact_of(owner_id))

    async def _load_records(self, user_ids) -> None:
        """The rows of the users not looked up yet, in one query (None for those that do
        not exist)."""
        missing = [u for u in dict.fromkeys(user_ids) if u not in self._records]
        if missing:
            self._records.update(await self._rows.records(missing))

    async def _load_photos(self, user_ids) -> None:
        """Current profile photos of the users not looked up yet, in one query."""
        wanted = [u for u in dict.fromkeys(user_ids) if u not in self._photos]
        if wanted:
            current = await self._rows.photos(wanted)
            for u in wanted:
                record = current[u]
                self._photo_records[u] = record
                self._photos[u] = None if record is None else profile_photo_object(record)

    async def photo(self, user_id: int):
        """The user's current profile photo as UserProfilePhoto, if the viewer may see it."""
        await self._load_photos([user_id])
        if self._photos[user_id] is None or not await self.can_see(user_id, "profile_photo"):
            return None
        return self._photos[user_id]

    async def full_photo(self, user_id: int):
        """userFull.profile_photo: the current profile photo as a Photo (sizes and a file
        reference for the profile origin), under the same privacy rule as user.photo."""
        if await self.photo(user_id) is None:
            return None
        return photo_object(self._photo_records[user_id], file_references.make(file_references.PROFILE, user_id))

    async def users(self, user_ids) -> list:
        user_ids = list(user_ids)
        # What the loads below would read kind by kind, in one round trip where the
        # process has not kept it (a push from a user not shown lately).
        await self._rows.prefetch(self.viewer_id, [u for u in user_ids if u not in self._records])
        await self._load_records(user_ids)
        await self._load_photos(user_ids)
        # What every other user's object asks, for all of them at once.
        others = [u for u in user_ids if u != self.viewer_id and self._records.get(u) is not None
                  and not self._records[u].deleted]
        await self._load_contacts(others)
        await self._load_rules(others)
        seen: set[int] = set()
        out = []
        for user_id in user_ids:
            if user_id in seen:
                continue
            seen.add(user_id)
            user = await self.user(user_id)
            if user is not None:
                out.append(user)
        return out

    async def user(self, user_id: int, record: UserRecord | None = None):
        record = record or await self.record(user_id)
        if record is None:
            return None
        self._records[record.id] = record
        if record.deleted:
            return T.User(id=record.id, access_hash=record.access_hash, deleted=True)
        now = int(time.time())
        if record.id == self.viewer_id:
            return T.User(id=record.id, self_=True, access_hash=record.access_hash, first_name=record.first_name,
                          last_name=record.last_name or None, username=record.username, phone=record.phone,
                          status=status_of(record, now, exact=True), contact=False,
                          photo=await self.photo(record.id))
        mine = await self.contact_row(record.id)
        theirs = await self.is_contact_of(record.id)
        first, last = record.first_name, record.last_name
        if mine is not None and (mine.first_name or mine.last_name):
            first, last = mine.first_name, mine.last_name
        # A number saved in the viewer's contacts is already known to the viewer.
        phone = record.phone if mine is not None or await self.can_see(record.id, "phone_number") else None
        exact = await self.can_see(record.id, "status_timestamp")
        return T.User(id=record.id, access_hash=record.access_hash, first_name=first, last_name=last or None,
                      username=record.username, phone=phone, status=status_of(record, now, exact),
                      contact=mine is not None, mutual_contact=mine is not None and theirs,
                      verified=record.id == SERVICE_USER_ID, photo=await self.photo(record.id))
