"""Administering members of a supergroup or channel: channels.editBanned (kick, restrict,
unban), channels.editAdmin (admin rights and rank), messages.editChatCreator (and
layers 158-222's channels.editCreator, which rpc/layer_adapters.py brings to it):
passing the channel on, after the 2FA password, and channels.deleteParticipantHistory.

Who may act on whom is admin_rules.py's; storage keeps what holds whoever asks (the
creator is never banned, counts follow the roles). The users whose standing changed
are told (announce.py); a kick from a supergroup is announced by a service message.
"""

from __future__ import annotations

import time

from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, NOT_IMPLEMENTED, RpcError
from ..router import Access, handler
from ..services.password_check import verify_password
from ..services.peers import resolve_user
from ..services.users import UserView
from ..updates.events import ChannelLogRow
from ..updates.publish import publish_to_channel
from . import admin_log
from .access import open_channel
from .admin_rules import ADMINS_MAX, RANK_MAX, ban_until, can_manage, grantable
from .announce import standing_changed
from .capacity import room_for_one_more
from .participants import participant_user_id
from .refusals import stored
from .rights import admin_flags, banned_bit, banned_flags, creator_flags, has_admin_right
from .service_messages import added, answer, channel_updates, post_member_change, removed


@handler(F.channels.EditBanned, access=Access.USER)
async def edit_banned(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel, member=True)
    if not has_admin_right(me, channel, "ban_users"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    target = await participant_user_id(storage, user_id, request.participant)
    before = await storage.channel_participants.get(channel.id, target)
    if target in (user_id, channel.creator_id) or not can_manage(me, before):
        raise RpcError(400, E.USER_ADMIN_INVALID)
    now = int(time.time())
    rights = banned_flags(request.banned_rights)
    change = await stored(storage.channel_participants.set_banned(
        channel.id, target, rights=rights, until_date=ban_until(request.banned_rights.until_date, now),
        kicked_by=user_id, date=now))
    sent = None
    if change.after != change.before:
        await standing_changed(ctx, channel.id, [target])
        await admin_log.record(ctx, channel.id, admin_log.ParticipantToggleBan(prev=change.before, new=change.after))
        if rights & banned_bit("view_messages") and before is not None and before.is_member:
            sent = await post_member_change(ctx, change.channel, removed(target))
    return await answer(ctx, change.channel, me, sent)


@handler(F.channels.EditAdmin, access=Access.USER)
async def edit_admin(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel, member=True)
    if not has_admin_right(me, channel, "add_admins"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    target = await resolve_user(storage, user_id, request.user_id)
    rank = (request.rank or "").strip() or None
    if rank is not None and len(rank) > RANK_MAX:
        raise RpcError(400, E.ADMIN_RANK_INVALID)
    rights = admin_flags(request.admin_rights)
    before = await storage.channel_participants.get(channel.id, target)
    if target == channel.creator_id:
        if me.role != "creator":  # the creator's own rank and rights are theirs alone
            raise RpcError(400, E.USER_ADMIN_INVALID)
    elif not can_manage(me, before):
        raise RpcError(400, E.USER_ADMIN_INVALID)
    if not grantable(me, rights):
        raise RpcError(403, E.RIGHT_FORBIDDEN)
    joins = bool(rights) and target != channel.creator_id and (before is None or not before.is_member)
    if rights and target != channel.creator_id and (before is None or before.role != "admin"):
        if channel.admins_count >= ADMINS_MAX:
            raise RpcError(400, E.ADMINS_TOO_MUCH)
        if joins:  # promoting someone from outside adds them: their privacy decides
            if not await UserView(storage, user_id).can_see(target, "chat_invite"):
                raise RpcError(403, E.USER_PRIVACY_RESTRICTED)
            await room_for_one_more(storage, target, E.USER_CHANNELS_TOO_MUCH)
    change = await stored(storage.channel_participants.set_admin(
        channel.id, target, rights=rights, rank=rank, promoted_by=user_id, date=int(time.time())))
    sent = None
    if change.after != change.before:
        await standing_changed(ctx, channel.id, [target])
        await admin_log.record(ctx, channel.id, admin_log.ParticipantToggleAdmin(prev=change.before, new=change.after))
        if joins:
            sent = await post_member_change(ctx, change.channel, added([target]))
    mine = change.after if target == user_id else me
    return await answer(ctx, change.channel, mine, sent)


@handler(F.messages.EditChatCreator, access=Access.USER)
async def edit_chat_creator(request, ctx: RequestContext):
    """The creator passes the channel on, confirming with their 2FA password as Telegram
    asks (an empty check answers whether they could: PASSWORD_MISSING without a
    password, PASSWORD_HASH_INVALID with one). Basic groups cannot be passed on here."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    if isinstance(request.peer, T.InputPeerChat):
        raise RpcError(400, NOT_IMPLEMENTED)
    if not isinstance(request.peer, T.InputPeerChannel):
        raise RpcError(400, E.PEER_ID_INVALID)
    channel, me = await open_channel(storage, user_id, request.peer, member=True)
    if me.role != "creator":
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    target = await resolve_user(storage, user_id, request.user_id)
    if target == user_id:
        raise RpcError(400, E.USER_ADMIN_INVALID)
    heir = await storage.channel_participants.get(channel.id, target)
    if heir is None or not heir.is_member:
        raise RpcError(400, E.USER_NOT_PARTICIPANT)
    if await storage.passwords.get(user_id) is None:
        raise RpcError(400, E.PASSWORD_MISSING)
    if isinstance(request.password, T.InputCheckPasswordEmpty):
        raise RpcError(400, E.PASSWORD_HASH_INVALID)
    await verify_password(ctx, user_id, request.password)
    old_rights = me.admin_rights or creator_flags(broadcast=channel.broadcast)
    former, heir_change = await stored(storage.channel_participants.transfer_creator(
        channel.id, target, old_creator_rights=old_rights, date=int(time.time())))
    await standing_changed(ctx, channel.id, [user_id, target])
    return channel_updates(heir_change.channel, former.after)


@handler(F.channels.DeleteParticipantHistory, access=Access.USER)
async def delete_participant_history(request, ctx: RequestContext):
    """Up to a batch of what one participant said, newest first; `offset` non-zero asks
    the client to call again for the rest (messages.affectedHistory)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel, member=True)
    if not has_admin_right(me, channel, "delete_messages"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    author = await participant_user_id(storage, user_id, request.participant)
    change, left = await stored(storage.channel_messages.delete_from(channel.id, author, now=int(time.time())))
    if change is None:
        current = await storage.channels.get(channel.id)
        return T.messages.AffectedHistory(pts=current.pts, pts_count=0, offset=0)
    await publish_to_channel(ctx.services, ChannelLogRow(channel_id=channel.id, pts=change.pts), channel.id, by=ctx)
    return T.messages.AffectedHistory(pts=change.pts, pts_count=change.pts_count, offset=left)
