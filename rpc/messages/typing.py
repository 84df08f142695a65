"""messages.setTyping: "Alice is typing…", pushed live to the other party only (in a
basic group: to its other members).

Not stored and not logged (no pts): a typing notice that arrives late or never is
harmless, so it goes straight to the bus (rpc/updates/render.py renders it as
updateUserTyping). Telegram sends it to the peer, not to the typist's other devices.
"""

from __future__ import annotations

from storage.peer import PeerKind
from tl import functions as F

from ..context import RequestContext
from ..router import Access, handler
from ..services.chat_access import require_member

from ..updates.events import Typing
from ..updates.publish import publish
from ..services.peers import resolve_input_peer


@handler(F.messages.SetTyping, access=Access.USER)
async def set_typing(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
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
