"""users.*: user objects and full profiles, as the caller may see them."""

from __future__ import annotations

from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.notify_view import settings_object
from ..services.peers import resolve_user
from ..services.users import UserView


@handler(F.users.GetUsers, access=Access.USER)
async def get_users(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    ids = []
    for input_user in request.id:
        try:
            ids.append(await resolve_user(storage, user_id, input_user))
        except RpcError:
            continue  # Telegram leaves out what it cannot resolve
    if request.id and not ids:
        raise RpcError(400, E.USER_ID_INVALID)
    return await UserView(storage, user_id).users(ids)


@handler(F.users.GetFullUser, access=Access.USER)
async def get_full_user(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.id)
    view = UserView(storage, user_id)
    user = await view.user(target)
    record = await view.record(target)
    about = record.about or None
    if about and not await view.can_see(target, "about"):
        about = None
    common = await storage.chats.common(user_id, target, limit=1000) if target != user_id else []
    notify = await storage.notify_settings.get(user_id, "peer", Peer.user(target))
    full = T.UserFull(
        id=target, about=about, settings=T.PeerSettings(), notify_settings=settings_object(notify),
        common_chats_count=len(common), blocked=await storage.blocked.is_blocked(user_id, target),
        phone_calls_available=False, can_pin_message=True, profile_photo=await view.full_photo(target),
    )
    return T.users.UserFull(full_user=full, chats=[], users=[user])
