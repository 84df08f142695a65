"""messages.forwardMessages: copies of messages from one dialog sent to another, with a
forward header naming the original author (storage/forwards.py).

The answer is Updates with, per forwarded message, updateMessageID (the client's
random_id → the new id) and updateNewMessage; the forwarder's other devices and the
recipient get their own log rows live, as for sendMessage.
"""

from __future__ import annotations

import time

from storage.interface import ChatNotFound, NotMember
from tl import functions as F, types as T

from .context import RequestContext
from .dispatch import handler
from .errors import RpcError
from .services.chat_view import ChatView
from .services.live import publish_rows
from .services.login import require_user
from .services.messages_view import chats_of, message, users_of
from .services.peers import resolve_input_peer
from .services.users import UserView

FORWARD_MAX = 100  # ids per call, as Telegram


@handler(F.messages.ForwardMessages)
async def forward_messages(request, ctx: RequestContext):
    user_id = require_user(ctx)
    storage = ctx.services.storage
    ids, random_ids = list(request.id or ()), list(request.random_id or ())
    if not ids:
        raise RpcError(400, "MESSAGE_IDS_EMPTY")
    if len(ids) > FORWARD_MAX:
        raise RpcError(400, "MESSAGE_ID_INVALID")
    if len(random_ids) != len(ids) or 0 in random_ids:
        raise RpcError(400, "RANDOM_ID_INVALID")
    if len(set(random_ids)) != len(random_ids):
        raise RpcError(400, "RANDOM_ID_DUPLICATE")
    from_peer = await resolve_input_peer(storage, user_id, request.from_peer)
    to_peer = await resolve_input_peer(storage, user_id, request.to_peer)
    if 0 < to_peer != user_id and await storage.blocked.is_blocked(user_id, to_peer):
        raise RpcError(400, "YOU_BLOCKED_USER")
    try:
        sent = await storage.forwards.forward(
            user_id, from_peer, ids, to_peer, random_ids=random_ids, date=int(time.time()),
            drop_author=bool(request.drop_author), drop_media_captions=bool(request.drop_media_captions),
            silent=bool(request.silent))
    except NotMember:
        raise RpcError(403, "CHAT_WRITE_FORBIDDEN") from None
    except ChatNotFound:
        raise RpcError(400, "CHAT_ID_INVALID") from None
    if not sent:
        raise RpcError(400, "MESSAGE_ID_INVALID")
    updates, records = [], []
    for _, copy in sent:
        mine = copy.sender_copy
        updates += [T.UpdateMessageID(id=mine.id, random_id=mine.random_id),
                    T.UpdateNewMessage(message=message(mine), pts=copy.sender_pts, pts_count=1)]
        records.append(mine)
        if not copy.duplicate:
            await publish_rows(ctx, [(user_id, copy.sender_pts), *copy.deliveries])
    users = await UserView(storage, user_id).users(users_of(records))
    chats = await ChatView(storage, user_id).chats(chats_of(records))
    return T.Updates(updates=updates, users=users, chats=chats, date=int(time.time()), seq=0)
