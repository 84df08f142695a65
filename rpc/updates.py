"""updates.*: the user's message box state (the updates engine comes with messaging)."""

from __future__ import annotations

import time

from tl import functions as F, types as T

from .context import RequestContext
from .dispatch import handler
from .services.login import require_user


@handler(F.updates.GetState)
async def get_state(request, ctx: RequestContext):
    user_id = require_user(ctx)
    state = await ctx.services.storage.updates.get(user_id)
    # pts starts at 1: some clients read pts 0 as "no state" (PROTOCOL.md rule 27).
    return T.updates.State(pts=max(1, state.pts), qts=state.qts, date=int(time.time()), seq=state.seq, unread_count=0)


@handler(F.updates.GetDifference)
async def get_difference(request, ctx: RequestContext):
    user_id = require_user(ctx)
    state = await ctx.services.storage.updates.get(user_id)
    now = int(time.time())
    if request.pts >= state.pts:
        return T.updates.DifferenceEmpty(date=now, seq=state.seq)
    # No update log is kept before messaging lands: a client behind us starts over.
    return T.updates.DifferenceTooLong(pts=max(1, state.pts))
