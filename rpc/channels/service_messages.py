"""Service messages of member changes in a channel, and the Updates a membership or
administration method answers the acting user with.

Telegram posts joins, additions, removals and departures in supergroups only: a
broadcast channel keeps its member list out of its message stream. Title and photo
changes are posted in both (settings.py posts them itself).
"""

from __future__ import annotations

import time
from typing import Any

from storage.models import ChannelParticipantRecord, ChannelRecord, ChannelSent
from tl import types as T

from .posting import post, sent_updates
from .view import channel_object


def added(user_ids: list[int]) -> dict[str, Any]:
    return {"_": "messageActionChatAddUser", "users": list(user_ids)}


def removed(user_id: int) -> dict[str, Any]:
    return {"_": "messageActionChatDeleteUser", "user_id": user_id}


def joined_by_link(inviter_id: int) -> dict[str, Any]:
    return {"_": "messageActionChatJoinedByLink", "inviter_id": inviter_id}


def joined_by_request() -> dict[str, Any]:
    return {"_": "messageActionChatJoinedByRequest"}


async def post_member_change(ctx, channel: ChannelRecord, action: dict[str, Any], *,
                             from_id: int | None = None) -> ChannelSent | None:
    """Posts the service message from the acting user (shown as from `from_id` when
    given) in a supergroup; nothing in a broadcast channel."""
    if not channel.megagroup:
        return None
    return await post(ctx, channel, action=action, from_id=from_id)


def channel_updates(channel: ChannelRecord, me: ChannelParticipantRecord | None):
    """updateChannel with the channel as the actor now sees it."""
    return T.Updates(updates=[T.UpdateChannel(channel_id=channel.id)], users=[], chats=[channel_object(channel, me)],
                     date=int(time.time()), seq=0)


async def answer(ctx, channel: ChannelRecord, me: ChannelParticipantRecord | None, sent: ChannelSent | None):
    """The acting user's Updates: the service message posted, or updateChannel."""
    if sent is None:
        return channel_updates(channel, me)
    return await sent_updates(ctx, channel, me, [sent])
