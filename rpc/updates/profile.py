"""A user's profile (name, username, photo) changed: who hears of it."""

from __future__ import annotations

from .events import UserChanged
from .publish import publish, tell_other_devices


async def announce_profile(ctx, user_id: int) -> None:
    """The user's other devices and everyone who has them in their contacts get
    updateUser, with the user as each of them may see them."""
    event = UserChanged(user_id=user_id)
    await tell_other_devices(ctx, event)
    owners = [o for o in await ctx.services.storage.contacts.owners_of(user_id) if o != user_id]
    await publish(ctx.services, event, owners)
