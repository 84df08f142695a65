"""File references: where a client saw a photo or document, so the server can check that
it still may fetch it (https://core.telegram.org/api/file_reference).

Every Photo and Document the server renders carries a file_reference naming its origin
as the reader saw it: a message in the reader's own message box, a user's profile
photo, or "uploaded by the reader" (messages.uploadMedia's answer). Downloading and
re-sending by id (InputPhotoFileLocation, InputMediaPhoto ...) must bring the reference
back, and the origin must still hold the object for this user: the message must still
be in their box, the photo still that user's profile photo. Otherwise the answer is
FILE_REFERENCE_EXPIRED and the client fetches the origin again for a fresh reference
(or learns it is gone). References are issued at render time, never stored.

The reference is not a secret: it only says where to look, and the check is made
against the reader's own data, so a forged one reaches nothing its holder cannot
already see.
"""

from __future__ import annotations

import struct
import time

from storage.peer import Peer

from ..errors import E, RpcError

VERSION = 1
MESSAGE = 1  # origin: a message id in the reader's box
PROFILE = 2  # origin: the user whose profile photo it is
UPLOADER = 3  # origin: the reader uploaded it
CHAT = 4  # origin: the basic group (chat id) whose photo it is
CHANNEL_MESSAGE = 5  # origin: a channel message, channel_message_origin(channel id, message id)
CHANNEL = 6  # origin: the supergroup or channel (channel id) whose photo it is
_FORMAT = "<BBqI"
# A reference older than this is expired: the client refreshes it from its origin.
LIFETIME = 7 * 24 * 3600


def make(kind: int, origin: int, now: int | None = None) -> bytes:
    return struct.pack(_FORMAT, VERSION, kind, origin, int(time.time() if now is None else now) & 0xFFFFFFFF)


def channel_message_origin(channel_id: int, message_id: int) -> int:
    """One int64 naming a channel message (channel ids stay below 2^31)."""
    return channel_id << 32 | message_id


def parse(reference: bytes, now: int | None = None) -> tuple[int, int]:
    """(kind, origin); FILE_REFERENCE_EMPTY / _INVALID / _EXPIRED."""
    if not reference:
        raise RpcError(400, E.FILE_REFERENCE_EMPTY)
    if len(reference) != struct.calcsize(_FORMAT):
        raise RpcError(400, E.FILE_REFERENCE_INVALID)
    version, kind, origin, issued = struct.unpack(_FORMAT, reference)
    if version != VERSION or kind not in (MESSAGE, PROFILE, UPLOADER, CHAT, CHANNEL_MESSAGE, CHANNEL):
        raise RpcError(400, E.FILE_REFERENCE_INVALID)
    now = int(time.time() if now is None else now)
    if not issued - 300 <= now <= issued + LIFETIME:
        raise RpcError(400, E.FILE_REFERENCE_EXPIRED)
    return kind, origin


def media_holds(media: dict | None, kind: str, object_id: int) -> bool:
    """Whether a stored message media dict holds that photo / document."""
    if not media:
        return False
    held = media.get(kind)
    return media.get("_") == kind and isinstance(held, dict) and held.get("id") == object_id


async def check(storage, user_id: int, reference: bytes, kind: str, object_id: int, owner_id: int) -> None:
    """Raises unless `user_id` may use the photo / document `object_id` (kind "photo" or
    "document"; owner_id: who uploaded it) through the origin `reference` names."""
    origin_kind, origin = parse(reference)
    if origin_kind == MESSAGE:
        found = await storage.messages.get(user_id, [origin])
        if found and media_holds(found[0].media, kind, object_id):
            return
    elif origin_kind == PROFILE:
        if kind == "photo" and await storage.users.get(origin) is not None \
                and await storage.media.is_profile_photo(Peer.user(origin), object_id):
            return
    elif origin_kind == CHAT:
        # A group's photo is shown to anyone who can see the group (invite previews
        # too); it must still be that group's photo.
        if kind == "photo" and await storage.media.is_profile_photo(Peer.chat(origin), object_id):
            return
    elif origin_kind == CHANNEL:
        # As a group's: shown with the channel (invite previews too), still its photo.
        if kind == "photo" and await storage.media.is_profile_photo(Peer.channel(origin), object_id):
            return
    elif origin_kind == CHANNEL_MESSAGE:
        # The one copy of a channel message: the reader must still be able to read it, by
        # the rules every channel read follows (rpc/channels/reader.py), and it be there.
        from ..channels.reader import readable, visible_messages  # rpc.channels imports this module
        from ..channels.access import ChannelAccess
        from ..channels.view import visible

        channel_id, message_id = origin >> 32, origin & 0xFFFFFFFF
        channel = await storage.channels.get(channel_id)
        if channel is not None and not channel.deactivated:
            access = ChannelAccess(channel, await storage.channel_participants.get(channel_id, user_id))
            if visible(channel, access.me) and readable(access):
                found = visible_messages(access, await storage.channel_messages.get(channel_id, [message_id]))
                if found and media_holds(found[0].media, kind, object_id):
                    return
    elif origin_kind == UPLOADER:
        if origin == user_id == owner_id:
            return
        raise RpcError(400, E.FILE_REFERENCE_INVALID)
    raise RpcError(400, E.FILE_REFERENCE_EXPIRED)
