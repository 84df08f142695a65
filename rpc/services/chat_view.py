"""Basic groups as one viewer sees them: TL `chat` / `chatForbidden`, their participants
and photos, built from stored records.

Everything a client receives about a basic group goes through here, so membership
(a member sees `chat`, a former member `chatForbidden`), the creator and admin flags
and the photo are decided in one place. The stored photo is the TL dict form
``{"chat_photo": ChatPhoto, "photo": Photo}`` (None: no photo); `chat_photo` and
`full_photo` are the only readers of it.
"""

from __future__ import annotations

import tl
from storage.db import CHUNK_SIZE
from storage.models import ChatParticipantRecord, ChatRecord
from storage.query import run_all
from tl import types as T

# What the creator and admins of a basic group may do (Telegram's legacy-group admins).
ADMIN_RIGHTS = dict(change_info=True, delete_messages=True, ban_users=True, invite_users=True, pin_messages=True,
                    manage_call=True, other=True)
CREATOR_RIGHTS = dict(ADMIN_RIGHTS, add_admins=True)
# Nothing is banned for members by default; until_date "forever" as Telegram sends it.
FOREVER = 2**31 - 1


def chat_photo(photo: dict | None):
    """The ChatPhoto of a stored photo."""
    if photo is None or "chat_photo" not in photo:
        return T.ChatPhotoEmpty()
    return tl.from_dict(photo["chat_photo"])


def full_photo(photo: dict | None):
    """The Photo of a stored photo (chatFull.chat_photo), None without one."""
    if photo is None or "photo" not in photo:
        return None
    return tl.from_dict(photo["photo"])


def participants_object(chat: ChatRecord, participants: list[ChatParticipantRecord]):
    """chatParticipants: the creator, admins and members, with who invited them."""
    out = []
    for p in participants:
        if p.user_id == chat.creator_id:
            out.append(T.ChatParticipantCreator(user_id=p.user_id))
        elif p.is_admin:
            out.append(T.ChatParticipantAdmin(user_id=p.user_id, inviter_id=p.inviter_id, date=p.date))
        else:
            out.append(T.ChatParticipant(user_id=p.user_id, inviter_id=p.inviter_id, date=p.date))
    return T.ChatParticipants(chat_id=chat.id, participants=out, version=chat.version)


def is_admin(chat: ChatRecord, membership: ChatParticipantRecord | None) -> bool:
    return membership is not None and (membership.user_id == chat.creator_id or membership.is_admin)


def chat_object(chat: ChatRecord, count: int, membership: ChatParticipantRecord | None, migrated_to=None):
    """`chat` for a member, `chatForbidden` for anyone else. A group upgraded to a
    supergroup is `chat` with deactivated and migrated_to (the InputChannel its members
    follow it to), as Telegram sends it; no rights: nothing can change it any more."""
    if membership is None or (chat.deactivated and migrated_to is None):
        return T.ChatForbidden(id=chat.id, title=chat.title)
    creator = chat.creator_id == membership.user_id
    rights = None if chat.deactivated else CREATOR_RIGHTS if creator else ADMIN_RIGHTS if membership.is_admin else None
    return T.Chat(id=chat.id, title=chat.title, photo=chat_photo(chat.photo), participants_count=count,
                  date=chat.date, version=chat.version, creator=creator, deactivated=chat.deactivated,
                  migrated_to=migrated_to, admin_rights=T.ChatAdminRights(**rights) if rights else None,
                  default_banned_rights=T.ChatBannedRights(until_date=FOREVER))


async def migrated_to(storage, chats: list[ChatRecord]) -> dict[int, object]:
    """{chat id: InputChannel} of those of these groups that were upgraded to a supergroup."""
    targets = {c.id: c.migrated_to for c in chats if c.migrated_to is not None}
    if not targets:
        return {}
    channels = {c.id: c for c in await storage.channels.get_many(targets.values())}
    return {chat_id: T.InputChannel(channel_id=channel_id, access_hash=channels[channel_id].access_hash)
            for chat_id, channel_id in targets.items() if channel_id in channels}


# Chats a view reads in one round trip (one chunk of each read, storage/db.py chunks).
PIPELINED_CHATS = CHUNK_SIZE


class ChatView:
    """Chats as `viewer_id` sees them; one view serves one request."""

    def __init__(self, storage, viewer_id: int):
        self.storage = storage
        self.viewer_id = viewer_id

    async def chats(self, chat_ids) -> list:
        """TL chats for these ids (unknown ids are left out), in the order asked: the rows,
        their member counts and the viewer's memberships in one round trip (three reads)
        for up to PIPELINED_CHATS of them (a group message's push names one)."""
        wanted = list(dict.fromkeys(chat_ids))
        if not wanted:
            return []
        chats, db = self.storage.chats, getattr(self.storage, "db", None)
        if db is not None and len(wanted) <= PIPELINED_CHATS:
            found, counts, mine = await run_all(db, [chats.get_many_query(wanted), chats.counts_query(wanted),
                                                     chats.memberships_query(self.viewer_id, wanted)])
            records = [found[i] for i in wanted if i in found]
        else:
            records = await chats.get_many(wanted)
            ids = [c.id for c in records]
            counts = await chats.counts(ids)
            mine = await chats.memberships(self.viewer_id, ids)
        if not records:
            return []
        moved = await migrated_to(self.storage, records)
        return [chat_object(c, counts[c.id], mine.get(c.id), moved.get(c.id)) for c in records]

    async def chat(self, chat: ChatRecord, participants: list[ChatParticipantRecord]):
        """A chat whose members the caller already has."""
        mine = next((p for p in participants if p.user_id == self.viewer_id), None)
        moved = await migrated_to(self.storage, [chat])
        return chat_object(chat, len(participants), mine, moved.get(chat.id))
