"""messages.forwardMessages: copies of messages from one dialog sent to another, with a
forward header naming the original author (storage/forwards.py).

The answer is Updates with, per forwarded message, updateMessageID (the client's
random_id → the new id) and updateNewMessage; the forwarder's other devices and the
recipient get their own log rows live, as for sendMessage. Into a channel, and the
checks on forwarding out of one: rpc/channels/post.py.
"""

from __future__ import annotations

import time

from storage.interface import ChatNotFound, NotMember
from storage.peer import PeerKind
from tl import functions as F

from ..channels import post as channel_post
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.peers import resolve_input_peer
from ..services.sending import check_can_send, publish_sent, sent_updates

FORWARD_MAX = 100  # ids per call, as Telegram


@handler(F.messages.ForwardMessages, access=Access.USER)
async def forward_messages(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    ids, random_ids = list(request.id or ()), list(request.random_id or ())
    if not ids:
        raise RpcError(400, E.MESSAGE_IDS_EMPTY)
    if len(ids) > FORWARD_MAX:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    if len(random_ids) != len(ids) or 0 in random_ids:
        raise RpcError(400, E.RANDOM_ID_INVALID)
    if len(set(random_ids)) != len(random_ids):
        raise RpcError(400, E.RANDOM_ID_DUPLICATE)
    from_peer = await resolve_input_peer(storage, user_id, request.from_peer)
    to_peer = await resolve_input_peer(storage, user_id, request.to_peer)
    if to_peer.kind is PeerKind.CHANNEL:
        return await channel_post.forward_into(ctx, from_peer, to_peer, ids, random_ids,
                                               drop_author=bool(request.drop_author),
                                               drop_media_captions=bool(request.drop_media_captions),
                                               silent=bool(request.silent), top_msg_id=request.top_msg_id)
    if from_peer.kind is PeerKind.CHANNEL:
        await channel_post.check_can_forward_from(storage, user_id, from_peer.id)
    await check_can_send(storage, user_id, to_peer)
    try:
        sent = await storage.forwards.forward(
            user_id, from_peer, ids, to_peer, random_ids=random_ids, date=int(time.time()),
            drop_author=bool(request.drop_author), drop_media_captions=bool(request.drop_media_captions),
            silent=bool(request.silent))
    except NotMember:
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    except ChatNotFound:
        raise RpcError(400, E.CHAT_ID_INVALID) from None
    if not sent:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    for _, copy in sent:
        await publish_sent(ctx, copy)
    return await sent_updates(ctx, [(copy.sender_copy, copy.sender_pts) for _, copy in sent])
