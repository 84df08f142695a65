"""A supergroup's or channel's own settings: title, photo, description, default banned
rights, the toggles (history hidden from new members, signatures, slow mode, join
requests, join to send) and deleting it.

Title and photo changes are service messages in the channel (members see them live
and the actor in the answer); the other settings change the channel object, which
every member's sessions are told of (announce.settings_changed) and the actor gets in
the answer. Rights, as Telegram's apps ask them: change_info for the title, photo,
description, hidden history and signatures; ban_users for default rights, slow mode
and join rules; the creator alone deletes.
"""

from __future__ import annotations

import time

from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, NOT_IMPLEMENTED, RpcError
from ..router import Access, handler
from ..services.media_files import channel_photo_reference, chat_photo_from_input
from ..services.media_view import chat_photo_object, photo_object
from . import admin_log
from .access import open_channel
from .admin_rules import ABOUT_MAX, SLOWMODE_SECONDS, TITLE_MAX, can_change_info
from .announce import settings_changed, standing_changed
from .discussion import unlink_before_deleting
from .posting import post, sent_updates
from .refusals import stored
from .rights import banned_bit, banned_flags, has_admin_right
from .service_messages import channel_updates


async def _admin_channel(ctx: RequestContext, input_channel, right: str, *, megagroup: bool | None = None):
    """The channel and the actor's row, if the actor holds `right` (CHAT_ADMIN_REQUIRED);
    megagroup True / False: a setting of supergroups / broadcast channels only
    (CHANNEL_INVALID for the other kind)."""
    channel, me = await open_channel(ctx.services.storage, ctx.user_id, input_channel, member=True)
    if megagroup is not None and channel.megagroup != megagroup:
        raise RpcError(400, E.CHANNEL_INVALID)
    if not has_admin_right(me, channel, right):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return channel, me


async def _set(ctx: RequestContext, channel, me, **changes):
    """Stores the change, tells the members, answers updateChannel (CHAT_NOT_MODIFIED for
    no change)."""
    after = await stored(ctx.services.storage.channels.edit(channel.id, **changes))
    await settings_changed(ctx, channel.id)
    return channel_updates(after, me)


async def _info_channel(ctx: RequestContext, input_channel):
    """The channel, if the actor may change its title, photo or description."""
    channel, me = await open_channel(ctx.services.storage, ctx.user_id, input_channel, member=True)
    if not can_change_info(me, channel, int(time.time())):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return channel, me


def _channel_peer(peer):
    """A messages.* method's InputPeer that must name a channel: basic groups keep none of
    these settings on this server (METHOD_NOT_IMPLEMENTED says so), users have none."""
    if isinstance(peer, T.InputPeerChannel):
        return peer
    if isinstance(peer, T.InputPeerChat):
        raise RpcError(400, NOT_IMPLEMENTED)
    raise RpcError(400, E.PEER_ID_INVALID)


@handler(F.channels.EditTitle, access=Access.USER)
async def edit_title(request, ctx: RequestContext):
    channel, me = await _info_channel(ctx, request.channel)
    title = (request.title or "").strip()[:TITLE_MAX]
    if not title:
        raise RpcError(400, E.CHAT_TITLE_EMPTY)
    after = await stored(ctx.services.storage.channels.edit(channel.id, title=title))
    await admin_log.record(ctx, channel.id, admin_log.ChangeTitle(prev=channel.title, new=title))
    sent = await post(ctx, after, action={"_": "messageActionChatEditTitle", "title": title})
    return await sent_updates(ctx, after, me, [sent])


@handler(F.channels.EditPhoto, access=Access.USER)
async def edit_photo(request, ctx: RequestContext):
    """As messages.editChatPhoto for basic groups: the photo is kept as the channel's
    profile photo too, so InputPeerPhotoFileLocation reaches it."""
    storage = ctx.services.storage
    channel, me = await _info_channel(ctx, request.channel)
    photo = await chat_photo_from_input(ctx.services, ctx.user_id, request.photo)
    if photo is None:
        after = await stored(storage.channels.edit(channel.id, photo=None))
        action = {"_": "messageActionChatDeletePhoto"}
    else:
        shown = photo_object(photo, channel_photo_reference(channel.id)).to_dict()
        after = await stored(storage.channels.edit(
            channel.id, photo={"chat_photo": chat_photo_object(photo).to_dict(), "photo": shown}))
        await storage.media.add_profile_photo(Peer.channel(channel.id), photo.id, time.time_ns() // 1000)
        action = {"_": "messageActionChatEditPhoto", "photo": shown}
    old_photo = (channel.photo or {}).get("photo")
    await admin_log.record(ctx, channel.id, admin_log.ChangePhoto(prev=old_photo, new=(after.photo or {}).get("photo")))
    if old_photo and (photo is None or old_photo.get("id") != photo.id):
        await storage.media.delete_profile_photos(Peer.channel(channel.id), [old_photo["id"]])
    sent = await post(ctx, after, action=action)
    return await sent_updates(ctx, after, me, [sent])


@handler(F.messages.EditChatAbout, access=Access.USER)
async def edit_chat_about(request, ctx: RequestContext):
    channel, _ = await _info_channel(ctx, _channel_peer(request.peer))
    about = request.about or ""
    if len(about) > ABOUT_MAX:
        raise RpcError(400, E.CHAT_ABOUT_TOO_LONG)
    if about == channel.about:
        raise RpcError(400, E.CHAT_ABOUT_NOT_MODIFIED)
    await stored(ctx.services.storage.channels.edit(channel.id, about=about))
    await admin_log.record(ctx, channel.id, admin_log.ChangeAbout(prev=channel.about, new=about))
    return True


@handler(F.messages.EditChatDefaultBannedRights, access=Access.USER)
async def edit_chat_default_banned_rights(request, ctx: RequestContext):
    """What members of a supergroup may not do unless an admin. view_messages is no
    default (it would shut everyone out) and is ignored, as is until_date."""
    channel, me = await _admin_channel(ctx, _channel_peer(request.peer), "ban_users", megagroup=True)
    flags = banned_flags(request.banned_rights) & ~banned_bit("view_messages")
    answer = await _set(ctx, channel, me, default_banned_rights=flags)
    await admin_log.record(ctx, channel.id,
                           admin_log.DefaultBannedRights(prev=channel.default_banned_rights, new=flags))
    return answer


@handler(F.channels.TogglePreHistoryHidden, access=Access.USER)
async def toggle_pre_history_hidden(request, ctx: RequestContext):
    channel, me = await _admin_channel(ctx, request.channel, "change_info", megagroup=True)
    if request.enabled and (channel.username is not None or channel.linked_chat_id is not None):
        raise RpcError(400, E.CHAT_LINK_EXISTS)  # a public or discussion group's history is public
    answer = await _set(ctx, channel, me, pre_history_hidden=bool(request.enabled))
    await admin_log.record(ctx, channel.id, admin_log.TogglePreHistoryHidden(new=bool(request.enabled)))
    return answer


@handler(F.channels.ToggleSignatures, access=Access.USER)
async def toggle_signatures(request, ctx: RequestContext):
    channel, me = await _admin_channel(ctx, request.channel, "change_info", megagroup=False)
    answer = await _set(ctx, channel, me, signatures=bool(request.signatures_enabled))
    await admin_log.record(ctx, channel.id, admin_log.ToggleSignatures(new=bool(request.signatures_enabled)))
    return answer


@handler(F.channels.ToggleSlowMode, access=Access.USER)
async def toggle_slow_mode(request, ctx: RequestContext):
    if request.seconds not in SLOWMODE_SECONDS:
        raise RpcError(400, E.SECONDS_INVALID)
    channel, me = await _admin_channel(ctx, request.channel, "ban_users", megagroup=True)
    answer = await _set(ctx, channel, me, slowmode_seconds=request.seconds)
    await admin_log.record(ctx, channel.id,
                           admin_log.ToggleSlowMode(prev=channel.slowmode_seconds, new=request.seconds))
    return answer


@handler(F.channels.ToggleJoinRequest, access=Access.USER)
async def toggle_join_request(request, ctx: RequestContext):
    channel, me = await _admin_channel(ctx, request.channel, "ban_users", megagroup=True)
    return await _set(ctx, channel, me, join_request=bool(request.enabled))


@handler(F.channels.ToggleJoinToSend, access=Access.USER)
async def toggle_join_to_send(request, ctx: RequestContext):
    channel, me = await _admin_channel(ctx, request.channel, "ban_users", megagroup=True)
    return await _set(ctx, channel, me, join_to_send=bool(request.enabled))


@handler(F.channels.DeleteChannel, access=Access.USER)
async def delete_channel(request, ctx: RequestContext):
    """The creator's alone; every member is told, and sees it forbidden from then on."""
    storage = ctx.services.storage
    channel, me = await open_channel(storage, ctx.user_id, request.channel, member=True)
    if me.role != "creator":
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    await unlink_before_deleting(ctx, channel)
    after, members = await stored(storage.channels.delete(channel.id))
    await standing_changed(ctx, channel.id, members)
    return channel_updates(after, me)
