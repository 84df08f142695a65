"""Invite links of supergroups and channels: the messages.* invite methods with a channel
peer or a channel's link (storage/channel_invites.py).

messages.exportChatInvite, getExportedChatInvites, checkChatInvite and
importChatInvite are answered by rpc/chats/groups.py, which hands a channel's peer or
link to the functions here; the methods basic groups do not have on this server
(editing, deleting and listing links by admin) are registered here, and answer
METHOD_NOT_IMPLEMENTED for a basic group.

Who may: admins with invite_users manage their own links; admins who may add admins
(the creator) everyone's. Joining through a link that needs approval files a request
instead (join_requests.py: INVITE_REQUEST_SENT).
"""

from __future__ import annotations

import time

from storage.interface import UserKicked
from storage.models import ChannelInviteRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.chat_view import full_photo
from ..services.peers import resolve_user
from ..services.users import UserView
from . import admin_log
from .admin_rules import MEMBERS_MAX
from .announce import standing_changed
from .capacity import room_for_one_more
from .join_requests import request_to_join
from .links import LINK_PREFIX, channel_peer, link_admin, link_hash
from .refusals import stored
from .rights import has_admin_right, is_admin
from .service_messages import answer, joined_by_link, post_member_change
from .view import channel_object

USAGE_LIMIT_MAX = 99999
LIST_MAX = 100
PREVIEW_MEMBERS = 10  # members a chatInvite shows


def invite_object(invite: ChannelInviteRecord, requested: int | None = None):
    return T.ChatInviteExported(
        revoked=invite.revoked, permanent=invite.permanent, request_needed=invite.request_needed,
        link=LINK_PREFIX + invite.hash, admin_id=invite.admin_id, date=invite.date, expire_date=invite.expire_date,
        usage_limit=invite.usage_limit, usage=invite.usage or None, requested=requested or None, title=invite.title)


async def _invite_objects(storage, channel_id: int, invites: list[ChannelInviteRecord]) -> list:
    pending = await storage.channel_joins.pending(channel_id, [i.hash for i in invites if i.request_needed])
    return [invite_object(i, pending.get(i.hash)) for i in invites]


def _may_manage(me, channel, admin_id: int) -> None:
    """Another admin's links are for those who may add admins."""
    if admin_id != me.user_id and not has_admin_right(me, channel, "add_admins"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)


async def _channel_link(ctx: RequestContext, channel, link: str) -> ChannelInviteRecord:
    invite = await ctx.services.storage.channel_invites.get(link_hash(link))
    if invite is None or invite.channel_id != channel.id:
        raise RpcError(400, E.INVITE_HASH_INVALID)
    return invite


def _limits(expire_date: int | None, usage_limit: int | None, request_needed: bool, now: int) -> None:
    if expire_date is not None and 0 < expire_date <= now:
        raise RpcError(400, E.EXPIRE_DATE_INVALID)
    if usage_limit is not None and not 0 <= usage_limit <= USAGE_LIMIT_MAX:
        raise RpcError(400, E.USAGE_LIMIT_INVALID)
    if request_needed and usage_limit:  # a link that asks admins counts no uses
        raise RpcError(400, E.USAGE_LIMIT_INVALID)


# -- called by rpc/chats/groups.py for channels ------------------------------------------------


async def export_chat_invite(request, ctx: RequestContext):
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, request.peer)
    now = int(time.time())
    _limits(request.expire_date, request.usage_limit, bool(request.request_needed), now)
    plain = not (request.expire_date or request.usage_limit or request.title or request.request_needed)
    # The first plain link, or legacy_revoke_permanent's replacement, is the channel's primary link.
    permanent = bool(request.legacy_revoke_permanent) or (
        plain and not any(i.permanent for i in await storage.channel_invites.list(channel.id)))
    invite = await storage.channel_invites.create(
        channel.id, ctx.user_id, date=now, expire_date=request.expire_date or None,
        usage_limit=request.usage_limit or None, title=request.title or None, permanent=permanent,
        request_needed=bool(request.request_needed))
    return invite_object(invite)


async def get_exported_chat_invites(request, ctx: RequestContext):
    """An admin's links, newest first, after (offset_date, offset_link) when given."""
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, request.peer)
    admin = await resolve_user(storage, ctx.user_id, request.admin_id)
    _may_manage(me, channel, admin)
    every = await storage.channel_invites.list(channel.id, admin_id=admin, revoked=bool(request.revoked), limit=10000)
    page = every
    if request.offset_date or request.offset_link:
        after = (request.offset_date or 0, link_hash(request.offset_link))
        page = [i for i in every if (i.date < after[0]) or (i.date == after[0] and i.hash > after[1])]
    page = page[:max(1, min(request.limit or 50, LIST_MAX))]
    return T.messages.ExportedChatInvites(count=len(every), invites=await _invite_objects(storage, channel.id, page),
                                          users=await UserView(storage, ctx.user_id).users([admin]))


async def channel_invite(ctx: RequestContext, hash: str) -> ChannelInviteRecord | None:
    """The channel link with this hash, if it is one (basic groups' links are elsewhere)."""
    return await ctx.services.storage.channel_invites.get((hash or "").strip())


async def _usable(ctx: RequestContext, invite: ChannelInviteRecord):
    storage = ctx.services.storage
    channel = await storage.channels.get(invite.channel_id)
    if channel is None or channel.deactivated:
        raise RpcError(400, E.INVITE_HASH_INVALID)
    if not invite.usable(int(time.time())):
        raise RpcError(400, E.INVITE_HASH_EXPIRED)
    return channel, await storage.channel_participants.get(channel.id, ctx.user_id)


async def check_chat_invite(ctx: RequestContext, invite: ChannelInviteRecord):
    """chatInviteAlready for a member; otherwise what the link leads to (the members shown
    for a supergroup only)."""
    storage = ctx.services.storage
    channel, me = await _usable(ctx, invite)
    if me is not None and me.is_member:
        return T.ChatInviteAlready(chat=channel_object(channel, me))
    shown = []
    if channel.megagroup:
        members, _ = await storage.channel_participants.list(channel.id, limit=PREVIEW_MEMBERS)
        shown = await UserView(storage, ctx.user_id).users([p.user_id for p in members])
    return T.ChatInvite(
        channel=True, broadcast=channel.broadcast, public=channel.username is not None, megagroup=channel.megagroup,
        request_needed=invite.request_needed, title=channel.title, about=channel.about or None,
        photo=full_photo(channel.photo) or T.PhotoEmpty(id=0), participants_count=channel.participants_count,
        participants=shown or None, color=0)


async def import_chat_invite(ctx: RequestContext, invite: ChannelInviteRecord):
    storage = ctx.services.storage
    channel, me = await _usable(ctx, invite)
    if me is not None and me.role == "kicked":
        raise RpcError(400, E.CHANNEL_PRIVATE)
    if me is not None and me.is_member:
        raise RpcError(400, E.USER_ALREADY_PARTICIPANT)
    if invite.request_needed:
        await request_to_join(ctx, channel, invite)
    await room_for_one_more(storage, ctx.user_id)
    change, _ = await stored(storage.channel_invites.join(invite.hash, ctx.user_id, date=int(time.time()),
                                                          limit=MEMBERS_MAX), {UserKicked: E.CHANNEL_PRIVATE})
    await standing_changed(ctx, channel.id, [ctx.user_id])
    await admin_log.record(ctx, channel.id, admin_log.ParticipantJoinByInvite(invite=invite))
    sent = await post_member_change(ctx, change.channel, joined_by_link(invite.admin_id))
    return T.messages.ChatInviteJoinResultOk(updates=await answer(ctx, change.channel, change.after, sent))


# -- the link methods basic groups do not have here ------------------------------------------


@handler(F.messages.GetExportedChatInvite, access=Access.USER)
async def get_exported_chat_invite(request, ctx: RequestContext):
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    invite = await _channel_link(ctx, channel, request.link)
    _may_manage(me, channel, invite.admin_id)
    [shown] = await _invite_objects(storage, channel.id, [invite])
    return T.messages.ExportedChatInvite(invite=shown, users=await UserView(storage, ctx.user_id).users(
        [invite.admin_id]))


@handler(F.messages.EditExportedChatInvite, access=Access.USER)
async def edit_exported_chat_invite(request, ctx: RequestContext):
    """Changes a link's limits or title, or revokes it; revoking the primary link makes a
    new one (messages.exportedChatInviteReplaced)."""
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    invite = await _channel_link(ctx, channel, request.link)
    _may_manage(me, channel, invite.admin_id)
    users = await UserView(storage, ctx.user_id).users([invite.admin_id])
    if request.revoked:
        if invite.revoked:
            raise RpcError(400, E.INVITE_REVOKED_MISSING)
        if invite.permanent:
            # A new primary link revokes the old one (storage/channel_invites.py).
            new = await storage.channel_invites.create(channel.id, invite.admin_id, date=int(time.time()),
                                                       permanent=True)
            old = await storage.channel_invites.get(invite.hash)
            await admin_log.record(ctx, channel.id, admin_log.ExportedInviteRevoke(invite=old))
            return T.messages.ExportedChatInviteReplaced(invite=invite_object(old), new_invite=invite_object(new),
                                                         users=users)
        edited = await storage.channel_invites.edit(invite.hash, revoked=True)
        await admin_log.record(ctx, channel.id, admin_log.ExportedInviteRevoke(invite=edited))
    else:
        if invite.permanent and (request.expire_date or request.usage_limit):
            raise RpcError(400, E.CHAT_INVITE_PERMANENT)
        _limits(request.expire_date, request.usage_limit,
                bool(invite.request_needed if request.request_needed is None else request.request_needed),
                int(time.time()))
        edited = await storage.channel_invites.edit(
            invite.hash, expire_date=request.expire_date, usage_limit=request.usage_limit,
            request_needed=request.request_needed, title=request.title)
        await admin_log.record(ctx, channel.id, admin_log.ExportedInviteEdit(prev=invite, new=edited))
    [shown] = await _invite_objects(storage, channel.id, [edited])
    return T.messages.ExportedChatInvite(invite=shown, users=users)


@handler(F.messages.DeleteExportedChatInvite, access=Access.USER)
async def delete_exported_chat_invite(request, ctx: RequestContext):
    """Only a revoked link may be deleted."""
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    invite = await _channel_link(ctx, channel, request.link)
    _may_manage(me, channel, invite.admin_id)
    if not invite.revoked:
        raise RpcError(400, E.INVITE_REVOKED_MISSING)
    await ctx.services.storage.channel_invites.delete(invite.hash)
    await admin_log.record(ctx, channel.id, admin_log.ExportedInviteDelete(invite=invite))
    return True


@handler(F.messages.DeleteRevokedExportedChatInvites, access=Access.USER)
async def delete_revoked_exported_chat_invites(request, ctx: RequestContext):
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    admin = await resolve_user(storage, ctx.user_id, request.admin_id)
    _may_manage(me, channel, admin)
    for invite in await storage.channel_invites.list(channel.id, admin_id=admin, revoked=True, limit=10000):
        await storage.channel_invites.delete(invite.hash)
        await admin_log.record(ctx, channel.id, admin_log.ExportedInviteDelete(invite=invite))
    return True


@handler(F.messages.GetAdminsWithInvites, access=Access.USER)
async def get_admins_with_invites(request, ctx: RequestContext):
    """Each admin with their links (active and revoked): for those who may add admins."""
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    if not has_admin_right(me, channel, "add_admins"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    admins, _ = await storage.channel_participants.list(channel.id, filter="admins")
    out = []
    for admin in (a for a in admins if is_admin(a)):
        active = await storage.channel_invites.list(channel.id, admin_id=admin.user_id, limit=10000)
        revoked = await storage.channel_invites.list(channel.id, admin_id=admin.user_id, revoked=True, limit=10000)
        if active or revoked:
            out.append(T.ChatAdminWithInvites(admin_id=admin.user_id, invites_count=len(active),
                                              revoked_invites_count=len(revoked)))
    return T.messages.ChatAdminsWithInvites(admins=out, users=await UserView(storage, ctx.user_id).users(
        [a.admin_id for a in out]))
