"""Telling users that a channel changed for them: the one place the membership and
administration handlers call, so how it is told can change here alone (to a function
that also logs the change in each user's box, for devices that were away).

- `standing_changed`: these users' standing changed (joined, left, added, kicked,
  banned, unbanned, promoted, demoted, made creator, the channel deleted): their
  sessions get updateChannel and start or stop following the channel's topic, and
  their boxes log it for devices that were away (standing.py channel_changed_for).
- `settings_changed`: something every member sees in the channel object changed
  (username, default rights, slow mode, toggles): one publish on the channel's topic,
  whatever the number of members; the acting session has it in its answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..updates.events import ChannelChanged
from ..updates.publish import publish_to_channel
from .standing import channel_changed_for


async def standing_changed(ctx, channel_id: int, user_ids: Iterable[int]) -> None:
    user_ids = list(dict.fromkeys(user_ids))
    if user_ids:
        await channel_changed_for(ctx, channel_id, user_ids)


async def settings_changed(ctx, channel_id: int, *, tell_actor: bool = False) -> None:
    """tell_actor: the acting session is told too (its answer was only a Bool)."""
    await publish_to_channel(ctx.services, ChannelChanged(channel_id=channel_id), channel_id,
                             by=None if tell_actor else ctx)
