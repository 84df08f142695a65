"""Asking to join, and who came in through links: join requests (a link with
request_needed, or channels.joinChannel on a public group with join_request) answered
with INVITE_REQUEST_SENT, then approved or declined by an admin with invite_users
(messages.hideChatJoinRequest, hideAllChatJoinRequests); the requests and the users who
joined by link listed by messages.getChatInviteImporters. Stored by
storage/channel_joins.py.

An approved user joins as if invited by the approving admin; a supergroup shows it with
messageActionChatJoinedByRequest from the new member. Whenever the pending requests
change (one filed, approved or declined), the admins who may answer them are pushed
updatePendingJoinRequests with the count and the latest requesters, as Telegram does
(the acting admin too: their answer does not carry it).
"""

from __future__ import annotations

import time

from storage.interface import AlreadyParticipant, JoinRequestMissing, UserKicked
from storage.models import ChannelInviteRecord, ChannelRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.peers import resolve_user
from ..services.users import UserView
from ..updates.events import PendingJoinRequests
from ..updates.publish import publish_to_channel
from . import admin_log
from .admin_rules import MEMBERS_MAX
from .announce import standing_changed
from .capacity import room_for_one_more
from .links import channel_peer, link_admin, link_hash
from .posting import sent_updates
from .refusals import stored
from .service_messages import channel_updates, joined_by_request, post_member_change

LIMIT_MAX = 100


async def request_to_join(ctx: RequestContext, channel: ChannelRecord, invite: ChannelInviteRecord | None):
    """Files the user's request (again, if they asked before) and answers as Telegram
    does: the error INVITE_REQUEST_SENT."""
    await stored(ctx.services.storage.channel_joins.request(
        channel.id, ctx.user_id, date=int(time.time()), invite_hash=None if invite is None else invite.hash),
        {UserKicked: E.CHANNEL_PRIVATE, AlreadyParticipant: E.USER_ALREADY_PARTICIPANT})
    await requests_changed(ctx, channel.id)
    raise RpcError(400, E.INVITE_REQUEST_SENT)


async def requests_changed(ctx: RequestContext, channel_id: int) -> None:
    """The channel's admins are told its pending requests changed."""
    await publish_to_channel(ctx.services, PendingJoinRequests(channel_id=channel_id), channel_id)


async def _approve(ctx: RequestContext, channel: ChannelRecord, user_id: int):
    """The request granted: (the channel after, the service message or None)."""
    storage = ctx.services.storage
    await room_for_one_more(storage, user_id, E.USER_CHANNELS_TOO_MUCH)
    asked = await storage.channel_joins.pending_request(channel.id, user_id)
    change = await stored(storage.channel_joins.approve(channel.id, user_id, approved_by=ctx.user_id,
                                                        date=int(time.time()), limit=MEMBERS_MAX),
                          {JoinRequestMissing: E.HIDE_REQUESTER_MISSING})
    await standing_changed(ctx, channel.id, [user_id])
    invite = None
    if asked is not None and asked.invite_hash is not None:
        invite = await storage.channel_invites.get(asked.invite_hash)
    await admin_log.record(ctx, channel.id, admin_log.ParticipantJoinByRequest(invite=invite, approved_by=ctx.user_id),
                           user_id=user_id)
    return change.channel, await post_member_change(ctx, change.channel, joined_by_request(), from_id=user_id)


async def _answer(ctx: RequestContext, channel: ChannelRecord, me, sent: list):
    return await sent_updates(ctx, channel, me, sent) if sent else channel_updates(channel, me)


@handler(F.messages.HideChatJoinRequest, access=Access.USER)
async def hide_chat_join_request(request, ctx: RequestContext):
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    user_id = await resolve_user(storage, ctx.user_id, request.user_id)
    if not request.approved:
        if not await storage.channel_joins.decline(channel.id, user_id):
            raise RpcError(400, E.HIDE_REQUESTER_MISSING)
        await requests_changed(ctx, channel.id)
        return channel_updates(channel, me)
    channel, sent = await _approve(ctx, channel, user_id)
    await requests_changed(ctx, channel.id)
    return await _answer(ctx, channel, me, [sent] if sent else [])


@handler(F.messages.HideAllChatJoinRequests, access=Access.USER)
async def hide_all_chat_join_requests(request, ctx: RequestContext):
    """Every pending request (through `link`, when given), a page at a time."""
    storage = ctx.services.storage
    channel, me = await link_admin(ctx, channel_peer(request.peer))
    invite_hash = None
    if request.link:
        invite_hash = link_hash(request.link)
    sent = []
    while True:
        page, _ = await storage.channel_joins.requests(channel.id, invite_hash=invite_hash, limit=LIMIT_MAX)
        if not page:
            break
        for r in page:
            if not request.approved:
                await storage.channel_joins.decline(channel.id, r.user_id)
                continue
            try:
                channel, one = await _approve(ctx, channel, r.user_id)
            except RpcError:
                await storage.channel_joins.decline(channel.id, r.user_id)  # cannot come in: the request goes
                continue
            sent += [one] if one else []
    await requests_changed(ctx, channel.id)
    return await _answer(ctx, channel, me, sent)


@handler(F.messages.GetChatInviteImporters, access=Access.USER)
async def get_chat_invite_importers(request, ctx: RequestContext):
    """requested: the pending requests; otherwise who joined through the links (`link`:
    that one). Newest first, after (offset_date, offset_user)."""
    storage = ctx.services.storage
    channel, _ = await link_admin(ctx, channel_peer(request.peer))
    invite_hash = None
    if request.link:
        invite_hash = link_hash(request.link)
    offset_user = 0
    if request.offset_date and not isinstance(request.offset_user, (T.InputUserEmpty, type(None))):
        offset_user = await resolve_user(storage, ctx.user_id, request.offset_user)
    page_args = dict(invite_hash=invite_hash, query=request.q or "", offset_date=request.offset_date or 0,
                     offset_user_id=offset_user, limit=max(1, min(request.limit or 50, LIMIT_MAX)))
    if request.requested:
        page, count = await storage.channel_joins.requests(channel.id, **page_args)
        importers = [T.ChatInviteImporter(requested=True, user_id=r.user_id, date=r.date, about=r.about)
                     for r in page]
    else:
        page, count = await storage.channel_joins.importers(channel.id, **page_args)
        importers = [T.ChatInviteImporter(user_id=r.user_id, date=r.date, approved_by=r.approved_by) for r in page]
    named = [i.user_id for i in importers] + [i.approved_by for i in importers if i.approved_by]
    return T.messages.ChatInviteImporters(count=count, importers=importers,
                                          users=await UserView(storage, ctx.user_id).users(named))
