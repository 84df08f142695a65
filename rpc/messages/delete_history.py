"""messages.deleteHistory: clear a private chat for oneself, or for both sides (revoke).

storage/chat_history.py deletes a batch per call; affectedHistory.offset > 0 tells the
client that more is left and to call again. Every box that lost messages got an
updateDeleteMessages log row, pushed live like deleteMessages.
"""

from __future__ import annotations

import time

from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..updates.publish import publish_rows
from ..services.peers import resolve_input_peer
from ..updates.state import current_pts


@handler(F.messages.DeleteHistory, access=Access.USER)
async def delete_history(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    changed, left = await storage.chat_history.delete(
        user_id, peer, max_id=max(0, request.max_id or 0), min_date=request.min_date or 0,
        max_date=request.max_date or 0, revoke=bool(request.revoke), just_clear=bool(request.just_clear),
        now=int(time.time()))
    await publish_rows(ctx, [(owner, pts, count) for owner, (pts, count, _ids) in changed.items()])
    if user_id in changed:
        pts, count, _ = changed[user_id]
    else:
        pts, count = await current_pts(storage, user_id), 0
    return T.messages.AffectedHistory(pts=pts, pts_count=count, offset=left)
