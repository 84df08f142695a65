"""messages.setTyping: "Alice is typing…", pushed live to the other party only (in a
basic group: to its other members; in a supergroup: to its members through the channel's
topic, once, whatever their number, as updateChannelUserTyping with the forum topic).

Not stored and not logged (no pts): a typing notice that arrives late or never is
harmless, so it goes straight to the bus (rpc/updates/render.py renders it as
updateUserTyping). Telegram sends it to the peer, not to the typist's other devices.
"""

from __future__ import annotations

import time

from storage.peer import Peer, PeerKind
from tl import functions as F, types as T

from ..channels.access import open_channel
from ..channels.send_rules import check_can_post
from ..context import RequestContext
from ..router import Access, handler
from ..services.chat_access import require_member
from ..services.peers import resolve_input_peer
from ..updates.events import Typing
from ..updates.publish import publish, publish_to_channel


@handler(F.messages.SetTyping, access=Access.USER)
async def set_typing(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    if isinstance(request.peer, T.InputPeerChannel):
        await _channel_typing(ctx, request)
        return True
    peer = await resolve_input_peer(storage, user_id, request.peer)
    # Saved Messages has nobody to tell; a peer who blocked the typist is not told either
    # (and the typist is not told they are blocked).
    action = request.action.to_dict()
    await require_member(storage, user_id, peer)
    match peer.kind:
        case PeerKind.CHAT:
            members = [p.user_id for p in await storage.chats.participants(peer.id)]
            await publish(ctx.services, Typing(user_id=user_id, action=action, chat=peer),
                          [m for m in members if m != user_id])
        case PeerKind.USER:
            if peer.id != user_id and not await storage.blocked.is_blocked(peer.id, user_id):
                await publish(ctx.services, Typing(user_id=user_id, action=action), [peer.id])
    return True


async def _channel_typing(ctx: RequestContext, request) -> None:
    """Only who may write there is shown typing, with sendMessage's refusals
    (CHAT_WRITE_FORBIDDEN, USER_BANNED_IN_CHANNEL...); nobody is shown typing in a
    broadcast channel (its posts are the channel's)."""
    access = await open_channel(ctx.services.storage, ctx.user_id, request.peer, member=True)
    if access.channel.broadcast:
        return
    check_can_post(access, int(time.time()))
    event = Typing(user_id=ctx.user_id, action=request.action.to_dict(), chat=Peer.channel(access.channel.id),
                   top_msg_id=getattr(request, "top_msg_id", None) or 0)
    await publish_to_channel(ctx.services, event, access.channel.id, by=ctx)
