"""channels.getChannels and channels.getFullChannel: channels as the viewer may see
them (rpc/channels/view.py), and the full info of one (channelFull).

channelFull carries the viewer's own part (read marks, unread count, notification
settings, the slow-mode wait) beside the channel's (counts, about, pinned message, pts,
linked chat); the counts of kicked and restricted users and the invite link only for
admins who manage them, as Telegram shows them. Reactions are not offered here:
available_reactions is chatReactionsNone.
"""

from __future__ import annotations

import time

from storage.peer import Peer
from tl import functions as F, types as T

from ..chats.groups import invite_object
from ..context import RequestContext
from ..router import Access, handler
from ..services.chat_view import full_photo
from ..services.chats_named import chats_named
from ..services.notify_view import settings_object
from .access import ChannelAccess, find, open_channel
from .rights import has_admin_right, is_admin
from .view import channel_object

CHANNELS_MAX = 200  # ids per channels.getChannels


@handler(F.channels.GetChannels, access=Access.USER)
async def get_channels(request, ctx: RequestContext):
    """Each channel asked (its access hash checked: CHANNEL_INVALID), as `channel` or,
    for one the viewer may not see, `channelForbidden`."""
    storage = ctx.services.storage
    channels = [await find(storage, input_channel) for input_channel in list(request.id or ())[:CHANNELS_MAX]]
    if not channels:
        return T.messages.Chats(chats=[])
    mine = await storage.channel_participants.standings(ctx.user_id, [c.id for c in channels])
    return T.messages.Chats(chats=[channel_object(c, mine.get(c.id)) for c in channels])


async def _invite(storage, access: ChannelAccess):
    """The admin's own primary invite link, if they manage links and have one."""
    if not has_admin_right(access.me, access.channel, "invite_users") or not access.member:
        return None
    links = await storage.channel_invites.list(access.channel.id, admin_id=access.me.user_id)
    primary = next((link for link in links if link.permanent and not link.revoked), None)
    return None if primary is None else invite_object(primary)


async def _slowmode_next(storage, access: ChannelAccess, now: int) -> int | None:
    channel = access.channel
    if not channel.slowmode_seconds or not access.member or is_admin(access.me):
        return None
    last = await storage.channel_messages.last_sent_date(channel.id, access.me.user_id)
    return last + channel.slowmode_seconds if last is not None and last + channel.slowmode_seconds > now else None


async def _migrated_from_max_id(storage, user_id: int, channel) -> int:
    """The last message of the basic group this supergroup was upgraded from, in the
    viewer's own box (ids are per box there): where their old history ends. Someone
    without the group's history gets the creator's."""
    dialog = await storage.messages.dialog(user_id, Peer.chat(channel.migrated_from_chat_id))
    return dialog.top_message if dialog is not None and dialog.top_message else channel.migrated_from_max_id or 0


@handler(F.channels.GetFullChannel, access=Access.USER)
async def get_full_channel(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    access = await open_channel(storage, user_id, request.channel)
    channel, me = access
    dialog = await storage.channel_dialogs.dialog(user_id, channel.id) if access.member else None
    pinned = await storage.channel_messages.pinned_ids(channel.id)
    notify = await storage.notify_settings.get(user_id, "peer", Peer.channel(channel.id))
    creator = access.member and me.role == "creator"
    sees_bans = access.member and has_admin_right(me, channel, "ban_users")
    migrated = channel.migrated_from_chat_id is not None
    migrated_max = await _migrated_from_max_id(storage, user_id, channel) if migrated else None
    full = T.ChannelFull(
        can_view_participants=channel.megagroup or is_admin(me), can_set_username=creator,
        hidden_prehistory=channel.pre_history_hidden, can_delete_channel=creator, id=channel.id,
        about=channel.about, participants_count=channel.participants_count, admins_count=channel.admins_count,
        kicked_count=channel.kicked_count if sees_bans else None,
        banned_count=channel.banned_count if sees_bans else None,
        read_inbox_max_id=dialog.read_inbox_max_id if dialog else 0,
        read_outbox_max_id=dialog.read_outbox_max_id if dialog else channel.read_outbox_max_id,
        unread_count=dialog.unread_count if dialog else 0,
        chat_photo=full_photo(channel.photo) or T.PhotoEmpty(id=0), notify_settings=settings_object(notify),
        exported_invite=await _invite(storage, access), bot_info=[],
        migrated_from_chat_id=channel.migrated_from_chat_id if migrated else None,
        migrated_from_max_id=migrated_max,
        pinned_msg_id=pinned[0] if pinned else None,
        available_min_id=me.available_min_id if access.member and me.available_min_id else None,
        linked_chat_id=channel.linked_chat_id, slowmode_seconds=channel.slowmode_seconds or None,
        slowmode_next_send_date=await _slowmode_next(storage, access, int(time.time())), pts=channel.pts,
        available_reactions=T.ChatReactionsNone())
    linked = [Peer.channel(channel.linked_chat_id)] if channel.linked_chat_id else []
    chats = [channel_object(channel, me)] + await chats_named(storage, user_id, linked)
    return T.messages.ChatFull(full_chat=full, chats=chats, users=[])
