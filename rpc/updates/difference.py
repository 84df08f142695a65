"""updates.getState and updates.getDifference: the user's message box state, and what a
client missed, read from the update log and rendered by rpc/updates/render.py's table."""

from __future__ import annotations

import time

from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..services.chats_named import chats_named
from .log_render import render_log
from ..services.users import UserView
from .state import state_object


@handler(F.updates.GetState, access=Access.USER)
async def get_state(request, ctx: RequestContext):
    user_id = ctx.user_id
    return state_object(await ctx.services.storage.updates.get(user_id))


DIFFERENCE_LIMIT = 100  # log rows per answer; more comes as differenceSlice


@handler(F.updates.GetDifference, access=Access.USER)
async def get_difference(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    state = await storage.updates.get(user_id)
    now = int(time.time())
    # Standing changes in channels have no pts: those since the client's state date.
    changed = await storage.messages.channels_changed_since(user_id, request.date or 0)
    if request.pts >= state.pts:
        if not changed:
            return T.updates.DifferenceEmpty(date=now, seq=state.seq)
        return await _difference(storage, user_id, [], state_object(state, date=now), changed)
    oldest = await storage.messages.oldest_logged_pts(user_id)
    if oldest is None or request.pts < oldest:
        # Older than the retained log: the client starts over from the current state.
        return T.updates.DifferenceTooLong(pts=state.pts)
    limit = DIFFERENCE_LIMIT
    if request.pts_total_limit:
        limit = max(1, min(limit, request.pts_total_limit))
    rows = await storage.messages.update_log(user_id, request.pts, limit)
    last = rows[-1].pts if rows else state.pts
    if last < state.pts:  # a slice: the channel changes come with the last one
        return await _difference(storage, user_id, rows, state_object(state, pts=last, date=rows[-1].date), [],
                                 final=False)
    return await _difference(storage, user_id, rows, state_object(state, date=now), changed)


async def _difference(storage, user_id: int, rows, state, changed_channels: list[int], *, final: bool = True):
    """updates.difference of these log rows and updateChannel for each channel in
    `changed_channels`; not final: updates.differenceSlice up to `state`."""
    new_messages, others, user_ids, chat_peers = await render_log(storage, user_id, rows)
    others = [*others, *(T.UpdateChannel(channel_id=channel_id) for channel_id in changed_channels)]
    chat_peers = [*chat_peers, *(Peer.channel(channel_id) for channel_id in changed_channels)]
    users = await UserView(storage, user_id).users(user_ids)
    chats = await chats_named(storage, user_id, list(dict.fromkeys(chat_peers)))
    fields = dict(new_messages=new_messages, new_encrypted_messages=[], other_updates=others, chats=chats, users=users)
    if not final:
        return T.updates.DifferenceSlice(intermediate_state=state, **fields)
    return T.updates.Difference(state=state, **fields)
