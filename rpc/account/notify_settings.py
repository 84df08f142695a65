"""account.updateNotifySettings / getNotifySettings / resetNotifySettings /
getNotifyExceptions: how loudly each chat (or all private chats, groups, channels) may
notify, kept per user (storage/notify_settings.py, rpc/services/notify_view.py).

Settings follow the user across devices: every change is pushed to their other sessions
as updateNotifySettings (a bus event, rendered from storage by
rpc/updates/render.py); dialogs carry their chat's settings (dialogs_view.py).
"""

from __future__ import annotations

import time

from storage.peer import Peer, PeerKind
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..services.chat_view import ChatView
from ..updates.events import NotifySettings
from ..updates.publish import tell_other_devices
from ..services.notify_view import (
    GLOBAL_SCOPES,
    SCOPE_KINDS,
    is_exception,
    notify_peer_object,
    record_from_input,
    resolve_scope,
    settings_object,
)
from ..services.peers import ids_of
from ..services.users import UserView


def _event(scope: str, peer: Peer | None) -> NotifySettings:
    return NotifySettings(scope=scope, peer=peer if scope == "peer" else None)


@handler(F.account.UpdateNotifySettings, access=Access.USER)
async def update_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    scope, peer = await resolve_scope(storage, user_id, request.peer)
    # The settings sent replace the scope's settings whole (what a client leaves out is
    # unset again), as the apps send every field they show.
    record = record_from_input(user_id, scope, peer, request.settings)
    if await storage.notify_settings.get(user_id, scope, peer) != (None if record.is_empty() else record):
        await storage.notify_settings.set(record)
        await tell_other_devices(ctx, _event(scope, peer))
    return True


@handler(F.account.GetNotifySettings, access=Access.USER)
async def get_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    scope, peer = await resolve_scope(storage, user_id, request.peer)
    return settings_object(await storage.notify_settings.get(user_id, scope, peer))


@handler(F.account.ResetNotifySettings, access=Access.USER)
async def reset_notify_settings(request, ctx: RequestContext):
    user_id = ctx.user_id
    for record in await ctx.services.storage.notify_settings.reset(user_id):
        await tell_other_devices(ctx, _event(record.scope, record.peer))
    return True


def _in_category(notify_peer, peer: Peer) -> bool:
    """Whether a chat is of the kind a global InputNotifyPeer covers (all of them without one)."""
    if notify_peer is None:
        return True
    scope = GLOBAL_SCOPES.get(type(notify_peer))
    return scope is not None and peer.kind is SCOPE_KINDS[scope]


@handler(F.account.GetNotifyExceptions, access=Access.USER)
async def get_notify_exceptions(request, ctx: RequestContext):
    """Updates with one updateNotifySettings per chat that has settings of its own."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    only = None
    if request.peer is not None:
        scope, peer = await resolve_scope(storage, user_id, request.peer)
        if scope == "peer":
            only = peer
    records = [r for r in await storage.notify_settings.list(user_id)
               if is_exception(r, compare_sound=bool(request.compare_sound),
                               compare_stories=bool(request.compare_stories))
               and (r.peer == only if only is not None else _in_category(request.peer, r.peer))]
    updates = [T.UpdateNotifySettings(peer=notify_peer_object(r.scope, r.peer), notify_settings=settings_object(r))
               for r in records]
    peers = [r.peer for r in records]
    return T.Updates(updates=updates, users=await UserView(storage, user_id).users(ids_of(peers, PeerKind.USER)),
                     chats=await ChatView(storage, user_id).chats(ids_of(peers, PeerKind.CHAT)),
                     date=int(time.time()), seq=0)


