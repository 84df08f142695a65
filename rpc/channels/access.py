"""Input channels → the channel and the viewer's standing in it, with Telegram's errors.

CHANNEL_INVALID: no such channel, a wrong access hash, or one deleted; CHANNEL_PRIVATE:
a channel the viewer may not see (private and never joined, or kicked from it). Then
each action checks rights (rpc/channels/rights.py): CHAT_ADMIN_REQUIRED,
CHAT_WRITE_FORBIDDEN, USER_BANNED_IN_CHANNEL, ...
"""

from __future__ import annotations

from typing import NamedTuple

from storage.models import ChannelParticipantRecord, ChannelRecord
from tl import types as T

from ..errors import E, RpcError
from .view import visible


class ChannelAccess(NamedTuple):
    channel: ChannelRecord
    me: ChannelParticipantRecord | None  # the viewer's row: any role, or None (never joined)

    @property
    def member(self) -> bool:
        return self.me is not None and self.me.is_member


def channel_id_of(input_channel) -> int:
    """The id an InputChannel / InputPeerChannel names (its hash is checked by `find`)."""
    if isinstance(input_channel, (T.InputChannel, T.InputPeerChannel)):
        return input_channel.channel_id
    raise RpcError(400, E.CHANNEL_INVALID)


async def find(storage, input_channel) -> ChannelRecord:
    """The channel, its access hash checked: CHANNEL_INVALID otherwise."""
    channel = await storage.channels.get(channel_id_of(input_channel))
    if channel is None or channel.deactivated or channel.access_hash != input_channel.access_hash:
        raise RpcError(400, E.CHANNEL_INVALID)
    return channel


async def open_channel(storage, viewer_id: int, input_channel, *, member: bool = False) -> ChannelAccess:
    """The channel and the viewer's row, if the viewer may see it (CHANNEL_PRIVATE
    otherwise); with member=True only for a current member."""
    channel = await find(storage, input_channel)
    me = await storage.channel_participants.get(channel.id, viewer_id)
    access = ChannelAccess(channel, me)
    if not visible(channel, me) or (member and not access.member):
        raise RpcError(400, E.CHANNEL_PRIVATE)
    return access
