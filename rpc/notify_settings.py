"""account.updateNotifySettings / getNotifySettings / resetNotifySettings /
getNotifyExceptions: how loudly each chat (or all private chats, groups, channels) may
notify, kept per user (storage/notify_settings.py, rpc/services/notify_view.py).

Settings follow the user across devices: every change is pushed to their other sessions
as updateNotifySettings (a bus event, rendered from storage by
rpc/updates/render.py); dialogs carry their chat's settings (dialogs_view.py).
"""

from __future__ import annotations

import time

from storage.peer import Peer
from tl import functions as F, types as T

from .context import RequestContext
from .router import Access, handler
from .services.chat_view import ChatView
from .updates.events import NotifySettings
from .updates.publish import tell_other_devices
from .services.notify_view import (
    GLOBAL_SCOPES,
    is_exception,
    notify_peer_object,
    record_from_input,
    resolve_scope,
    settings_object,
)
from .services.users import UserView


def _event(scope: str, peer_id: int) -> NotifySettings:
    return NotifySettings(scope=scope, peer=Peer.from_key(peer_id) if scope == "peer" else None)


@handler(F.account.UpdateNotifySettings, access=Access.USER)
async def update_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    scope, peer_id = await resolve_scope(storage, user_id, request.peer)
    # The settings sent replace the scope's settings whole (what a client leaves out is
    # unset again), as the apps send every field they show.
    record = record_from_input(user_id, scope, peer_id, request.settings)
    if await storage.notify_settings.get(user_id, scope, peer_id) != (None if record.is_empty() else record):
        await storage.notify_settings.set(record)
        await tell_other_devices(ctx, _event(scope, peer_id))
    return True


@handler(F.account.GetNotifySettings, access=Access.USER)
async def get_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    scope, peer_id = await resolve_scope(storage, user_id, request.peer)
    return settings_object(await storage.notify_settings.get(user_id, scope, peer_id))


@handler(F.account.ResetNotifySettings, access=Access.USER)
async def reset_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    for record in await ctx.services.storage.notify_settings.reset(user_id):
        await tell_other_devices(ctx, _event(record.scope, record.peer_id))
    return True


def _in_category(notify_peer, peer_id: int) -> bool:
    if notify_peer is None:
        return True
    scope = GLOBAL_SCOPES.get(type(notify_peer))
    if scope == "users":
        return peer_id > 0
    if scope == "chats":
        return peer_id < 0
    return False  # broadcasts: no channels here


@handler(F.account.GetNotifyExceptions, access=Access.USER)
async def get_notify_exceptions(request, ctx: RequestContext):
    """Updates with one updateNotifySettings per chat that has settings of its own."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    only = None
    if request.peer is not None:
        scope, peer_id = await resolve_scope(storage, user_id, request.peer)
        if scope == "peer":
            only = peer_id
    records = [r for r in await storage.notify_settings.list(user_id)
               if is_exception(r, compare_sound=bool(request.compare_sound),
                               compare_stories=bool(request.compare_stories))
               and (r.peer_id == only if only is not None else _in_category(request.peer, r.peer_id))]
    updates = [T.UpdateNotifySettings(peer=notify_peer_object(r.scope, r.peer_id), notify_settings=settings_object(r))
               for r in records]
    peers = [r.peer_id for r in records]
    return T.Updates(updates=updates, users=await UserView(storage, user_id).users([p for p in peers if p > 0]),
                     chats=await ChatView(storage, user_id).chats([-p for p in peers if p < 0]),
                     date=int(time.time()), seq=0)


