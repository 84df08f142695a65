"""Telling users that their standing in a channel changed: created, joined, left,
kicked, promoted, restricted, or the channel itself changed for them.

Telegram's clients learn it as updateChannel (they refetch the channel), live and, for a
device that was away, from the common box in updates.getDifference. So each user's box
logs it ("channel", storage/update_log.py: pts_count 1, the log being read by pts) and
every live session gets a ChannelChanged event, which also makes each of the user's
streams start or stop following the channel's topic (rpc/updates/stream.py). The acting
session is pushed it too, as Telegram pushes updateChannel to every session: a client
can wait for it to know its connection now follows the channel.

A device that was online gets updateChannel without the pts step: the next update of
its box shows a gap, and the client fills it with getDifference (which returns this row
again; updateChannel twice only refetches the channel twice).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ..updates.events import ChannelChanged
from ..updates.publish import publish


async def channel_changed_for(ctx, channel_id: int, user_ids: Iterable[int]) -> dict[int, int]:
    """Logs the change in each user's box and tells their live sessions; {user_id: pts}."""
    users = list(dict.fromkeys(user_ids))
    logged = await ctx.services.storage.messages.log_channel_changed(users, channel_id, date=int(time.time()))
    await publish(ctx.services, ChannelChanged(channel_id=channel_id), users)
    return logged
