"""A user's message box state as clients see it (updates.state), for the handlers whose
answers carry a pts."""

from __future__ import annotations

import time

from tl import types as T


def state_object(state, *, pts: int | None = None, date: int | None = None):
    """updates.state for a stored box state (or an intermediate pts/date of it)."""
    # pts starts at 1: some clients read pts 0 as "no state" (PROTOCOL.md rule 27).
    return T.updates.State(pts=max(1, state.pts if pts is None else pts), qts=state.qts,
                           date=int(time.time()) if date is None else date, seq=state.seq, unread_count=0)


async def current_pts(storage, user_id: int) -> int:
    """The box's pts now: what an answer that changed nothing (pts_count 0) carries."""
    return (await storage.updates.get(user_id)).pts
