"""Channel storage's refusals by Telegram's names: `await stored(call)` runs a storage
call and turns what storage raises into the RpcError a client expects. A handler whose
method names a refusal otherwise passes `names={Refusal: E.NAME}`."""

from __future__ import annotations

from storage.interface import (AlreadyParticipant, ChannelNotFound, ChatNotModified, ChatTooBig, InviteExpired,
                               InviteInvalid, NotParticipant, ParticipantIsCreator, StorageError, UsernameTaken,
                               UserKicked)

from ..errors import E, RpcError

NAMES = {
    ChannelNotFound: E.CHANNEL_INVALID,
    NotParticipant: E.USER_NOT_PARTICIPANT,
    AlreadyParticipant: E.USER_ALREADY_PARTICIPANT,
    UserKicked: E.USER_KICKED,
    ChatTooBig: E.USERS_TOO_MUCH,
    ParticipantIsCreator: E.USER_ADMIN_INVALID,
    ChatNotModified: E.CHAT_NOT_MODIFIED,
    InviteInvalid: E.INVITE_HASH_INVALID,
    InviteExpired: E.INVITE_HASH_EXPIRED,
    UsernameTaken: E.USERNAME_OCCUPIED,
}


async def stored(call, names: dict[type, str] | None = None):
    try:
        return await call
    except StorageError as exc:
        name = (names or {}).get(type(exc)) or NAMES.get(type(exc))
        if name is None:
            raise
        raise RpcError(400, name) from None
