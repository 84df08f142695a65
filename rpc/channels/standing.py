"""Telling users that their standing in a channel changed: created, joined, left,
kicked, promoted, restricted, or the channel itself changed for them.

Telegram's clients learn it as updateChannel (they refetch the channel), live and, for a
device that was away, from updates.getDifference. updateChannel carries no pts, so it
is not in the box's update log (a live device would then see a pts gap after it):
storage keeps the latest change per user and channel by date
(Messages.note_channel_changed), and getDifference returns updateChannel for those
since the client's state date (rpc/updates/difference.py). Every live session gets a
ChannelChanged event, which also makes each of the user's streams start or stop
following the channel's topic (rpc/updates/stream.py). The acting session is pushed it
too, as Telegram pushes updateChannel to every session: a client can wait for it to
know its connection now follows the channel.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ..updates.events import ChannelChanged
from ..updates.publish import publish


async def channel_changed_for(ctx, channel_id: int, user_ids: Iterable[int]) -> None:
    """Keeps the change for each user's away devices and tells their live sessions."""
    users = list(dict.fromkeys(user_ids))
    await ctx.services.storage.messages.note_channel_changed(users, channel_id, date=int(time.time()))
    await publish(ctx.services, ChannelChanged(channel_id=channel_id), users)
