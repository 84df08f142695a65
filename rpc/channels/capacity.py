"""How many channels one user may be in (admin_rules.CHANNELS_PER_USER): checked before
anything makes them a member."""

from __future__ import annotations

from ..errors import E, RpcError
from .admin_rules import CHANNELS_PER_USER


async def channels_full(storage, user_id: int) -> bool:
    return len(await storage.channel_participants.channel_ids(user_id)) >= CHANNELS_PER_USER


async def room_for_one_more(storage, user_id: int, error: str = E.CHANNELS_TOO_MUCH) -> None:
    """CHANNELS_TOO_MUCH for oneself; USER_CHANNELS_TOO_MUCH when adding someone else."""
    if await channels_full(storage, user_id):
        raise RpcError(400, error)
