"""messages.updatePinnedMessage / unpinAllMessages in private chats (storage/pinned_messages.py).

A pin is on both copies unless pm_oneside; a two-sided pin leaves a service message
(messageActionPinMessage) in both boxes, which `silent` only keeps from notifying.
Every changed box gets updatePinnedMessages (and the service message) live. In a channel:
rpc/channels/edit.py.
"""

from __future__ import annotations

import time

from storage.interface import ChatNotFound, MessageNotFound, NotMember
from storage.peer import PeerKind
from tl import functions as F, types as T

from ..channels import edit as channel_edit
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.chats_named import chats_named
from ..updates.publish import publish_rows
from ..updates.log_render import log_updates
from ..services.peers import resolve_input_peer
from ..services.users import UserView
from ..updates.state import current_pts


async def _tell(ctx: RequestContext, logged: dict[int, list[int]]) -> None:
    await publish_rows(ctx, [(owner, pts) for owner, pts_values in logged.items() for pts in pts_values])


@handler(F.messages.UpdatePinnedMessage, access=Access.USER)
async def update_pinned_message(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_edit.update_pinned(ctx, peer, message_id=request.id, unpin=bool(request.unpin),
                                                silent=bool(request.silent))
    try:
        logged = await storage.pinned_messages.pin(user_id, peer, request.id, unpin=bool(request.unpin),
                                                   one_side=bool(request.pm_oneside), silent=bool(request.silent),
                                                   now=int(time.time()))
    except MessageNotFound:
        raise RpcError(400, E.MESSAGE_ID_INVALID) from None
    except (NotMember, ChatNotFound):
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    await _tell(ctx, logged)
    updates, user_ids, chat_peers = await log_updates(storage, user_id, logged.get(user_id, []))
    users = await UserView(storage, user_id).users(user_ids)
    chats = await chats_named(storage, user_id, chat_peers)
    return T.Updates(updates=updates, users=users, chats=chats, date=int(time.time()), seq=0)


@handler(F.messages.UnpinAllMessages, access=Access.USER)
async def unpin_all_messages(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_edit.unpin_all(ctx, peer)
    try:
        logged = await storage.pinned_messages.unpin_all(user_id, peer, now=int(time.time()))
    except (NotMember, ChatNotFound):
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    await _tell(ctx, logged)
    if user_id in logged:
        row = (await storage.messages.update_log(user_id, logged[user_id][0] - 1, 1))[0]
        return T.messages.AffectedHistory(pts=row.pts, pts_count=row.pts_count, offset=0)
    return T.messages.AffectedHistory(pts=await current_pts(storage, user_id), pts_count=0, offset=0)
