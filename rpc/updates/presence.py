"""Online and offline: a user's status, stored and told to everyone who has them in
their contacts (as updateUserStatus, rendered per viewer's privacy).

The connection says when (a logged-in session arrived, the user's last connection
closed); account.updateStatus says so too.
"""

from __future__ import annotations

import time

from .events import UserStatus
from .publish import publish

ONLINE_PERIOD = 300  # seconds a user stays online after connecting or account.updateStatus


async def announce_status(services, user_id: int) -> None:
    """updateUserStatus for everyone who has `user_id` in their contacts."""
    owners = await services.storage.contacts.owners_of(user_id)
    await publish(services, UserStatus(user_id=user_id), owners)


async def mark_online(services, user_id: int) -> None:
    """Online from now (a session of theirs connected), if they were not; contacts are told."""
    record = await services.storage.users.get(user_id)
    now = int(time.time())
    if record is None or record.online_until > now:
        return
    await services.storage.users.set_status(user_id, last_seen=now, online_until=now + ONLINE_PERIOD)
    await announce_status(services, user_id)


async def mark_offline(services, user_id: int) -> None:
    """Offline since now, if the user was online; contacts are told."""
    record = await services.storage.users.get(user_id)
    now = int(time.time())
    if record is None or record.online_until <= now:
        return
    await services.storage.users.set_status(user_id, last_seen=now, online_until=0)
    await announce_status(services, user_id)
