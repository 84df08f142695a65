"""Coming into and leaving a supergroup or channel: channels.inviteToChannel,
channels.joinChannel, channels.leaveChannel. (Joining by invite link: invites.py.)

Each change is one storage transaction (storage/channel_participants.py); then the
users whose standing changed are told (announce.py), and in a supergroup a service
message says who came or went (service_messages.py), which the acting user gets in the
answer and every member live.
"""

from __future__ import annotations

import time

from storage.interface import AlreadyParticipant, ChatTooBig, UserKicked
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.peers import resolve_user
from ..services.users import UserView
from . import admin_log
from .access import find, open_channel
from .admin_rules import INVITE_BATCH_MAX, MEMBERS_MAX, can_invite
from .announce import standing_changed
from .capacity import channels_full, room_for_one_more
from .join_requests import request_to_join
from .refusals import stored
from .rights import has_admin_right, is_admin
from .service_messages import added, answer, channel_updates, post_member_change, removed

# The first shipped layer whose channels.inviteToChannel answers messages.invitedUsers
# (users the inviter may not add are listed there, not refused with an error).
INVITED_USERS_LAYER = 190


async def _mutual_contacts(storage, a: int, b: int) -> bool:
    return await storage.contacts.get(a, b) is not None and await storage.contacts.get(b, a) is not None


@handler(F.channels.InviteToChannel, access=Access.USER)
async def invite_to_channel(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel, member=True)
    now = int(time.time())
    if not can_invite(me, channel, now):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    targets = list(dict.fromkeys([await resolve_user(storage, user_id, u) for u in request.users]))
    if len(targets) > INVITE_BATCH_MAX:
        raise RpcError(400, E.USERS_TOO_MUCH)
    view = UserView(storage, user_id)
    # An admin who may ban may also add a banned user back (lifting the ban).
    lifts_bans = has_admin_right(me, channel, "ban_users")
    joined, missing, refusals = [], [], []
    for target in targets:
        record = await view.record(target)
        if record is None or record.deleted:
            refusals.append((400, E.INPUT_USER_DEACTIVATED))
            continue
        if not await view.can_see(target, "chat_invite"):
            missing.append(target)
            continue
        before = await storage.channel_participants.get(channel.id, target)
        # Someone who left may be brought back by an admin or by a mutual contact only.
        if before is not None and before.role == "left" and not is_admin(me) \
                and not await _mutual_contacts(storage, user_id, target):
            refusals.append((403, E.USER_NOT_MUTUAL_CONTACT))
            continue
        if before is None or not before.is_member:
            if await channels_full(storage, target):
                refusals.append((403, E.USER_CHANNELS_TOO_MUCH))
                continue
        try:
            change = await storage.channel_participants.add(channel.id, target, inviter_id=user_id, date=now,
                                                            limit=MEMBERS_MAX, lift_ban=lifts_bans)
        except AlreadyParticipant:
            refusals.append((400, E.USER_ALREADY_PARTICIPANT))
            continue
        except UserKicked:
            refusals.append((400, E.USER_KICKED))
            continue
        except ChatTooBig:
            raise RpcError(400, E.USERS_TOO_MUCH) from None
        channel = change.channel
        joined.append(target)
        await admin_log.record(ctx, channel.id, admin_log.ParticipantInvite(participant=change.after))
    if not joined:
        # Telegram refuses a call that added nobody with the reason of the first refusal;
        # privacy refusals are listed as missing invitees in layers that have them (and
        # as updateGroupInvitePrivacyForbidden before: rpc/layer_adapters.py).
        if refusals and (not missing or ctx.layer < INVITED_USERS_LAYER):
            raise RpcError(*refusals[0])
        if missing and ctx.layer < INVITED_USERS_LAYER:
            raise RpcError(403, E.USER_PRIVACY_RESTRICTED)
        sent = None
    else:
        await standing_changed(ctx, channel.id, joined)
        sent = await post_member_change(ctx, channel, added(joined))
    updates = await answer(ctx, channel, me, sent)
    return T.messages.InvitedUsers(updates=updates, missing_invitees=[T.MissingInvitee(user_id=u) for u in missing])


@handler(F.channels.JoinChannel, access=Access.USER)
async def join_channel(request, ctx: RequestContext):
    """A public channel, or one the user created and left; a private one needs its invite
    link (CHANNEL_PRIVATE)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel = await find(storage, request.channel)
    me = await storage.channel_participants.get(channel.id, user_id)
    if me is not None and me.role == "kicked":
        raise RpcError(400, E.CHANNEL_PRIVATE)
    if me is not None and me.is_member:
        raise RpcError(400, E.USER_ALREADY_PARTICIPANT)
    if channel.username is None and channel.creator_id != user_id:
        raise RpcError(400, E.CHANNEL_PRIVATE)
    if channel.join_request and channel.creator_id != user_id:
        await request_to_join(ctx, channel, invite=None)
    await room_for_one_more(storage, user_id)
    change = await stored(storage.channel_participants.add(channel.id, user_id, inviter_id=user_id,
                                                           date=int(time.time()), limit=MEMBERS_MAX))
    await standing_changed(ctx, channel.id, [user_id])
    await admin_log.record(ctx, channel.id, admin_log.ParticipantJoin())
    sent = await post_member_change(ctx, change.channel, added([user_id]))
    return T.messages.ChatInviteJoinResultOk(updates=await answer(ctx, change.channel, change.after, sent))


@handler(F.channels.LeaveChannel, access=Access.USER)
async def leave_channel(request, ctx: RequestContext):
    """Anyone may leave, the creator too (who stays the creator and may come back)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel = await find(storage, request.channel)
    me = await storage.channel_participants.get(channel.id, user_id)
    if me is not None and me.role == "kicked":
        raise RpcError(400, E.CHANNEL_PRIVATE)
    if me is None or not me.is_member:
        raise RpcError(400, E.USER_NOT_PARTICIPANT)
    # Posted while still a member: only members post (the leaver's answer leaves it out).
    await post_member_change(ctx, channel, removed(user_id))
    change = await stored(storage.channel_participants.leave(channel.id, user_id, date=int(time.time())))
    await standing_changed(ctx, channel.id, [user_id])
    await admin_log.record(ctx, channel.id, admin_log.ParticipantLeave())
    return channel_updates(change.channel, change.after)
