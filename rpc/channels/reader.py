"""Who may read a channel's messages, and from which message on.

A member reads the channel, and so does anyone while it is public (it has a username),
as long as they were not kicked; a former member of a private channel reads nothing
(CHANNEL_PRIVATE, as Telegram answers them). With the history hidden from new members
(pre_history_hidden), a member sees only what was sent after they came: their row's
available_min_id (storage/channel_participants.py).
"""

from __future__ import annotations

from storage.models import ChannelMessageRecord

from ..errors import E, RpcError
from .access import ChannelAccess, open_channel


def readable(access: ChannelAccess) -> bool:
    return access.member or access.channel.username is not None


async def open_readable(storage, viewer_id: int, input_channel) -> ChannelAccess:
    """The channel and the viewer's row, if the viewer may read its messages:
    CHANNEL_INVALID / CHANNEL_PRIVATE otherwise."""
    access = await open_channel(storage, viewer_id, input_channel)
    if not readable(access):
        raise RpcError(400, E.CHANNEL_PRIVATE)
    return access


def first_visible_id(access: ChannelAccess) -> int:
    """Messages with an id above this are the viewer's to see (0: all of them)."""
    return access.me.available_min_id if access.member else 0


def visible_messages(access: ChannelAccess, records: list[ChannelMessageRecord]) -> list[ChannelMessageRecord]:
    floor = first_visible_id(access)
    return [r for r in records if r.id > floor] if floor else records


async def access_of(storage, viewer_id: int, channel_id: int) -> ChannelAccess:
    """The channel a resolved peer names (rpc/services/peers.py checked its hash and
    that the viewer may see it) and the viewer's row, read again for the handler."""
    channel = await storage.channels.get(channel_id)
    if channel is None or channel.deactivated:
        raise RpcError(400, E.CHANNEL_INVALID)
    return ChannelAccess(channel, await storage.channel_participants.get(channel_id, viewer_id))


async def readable_peer(storage, viewer_id: int, channel_id: int) -> ChannelAccess:
    """access_of, for reading its messages: CHANNEL_PRIVATE unless `readable`."""
    access = await access_of(storage, viewer_id, channel_id)
    if not readable(access):
        raise RpcError(400, E.CHANNEL_PRIVATE)
    return access
