"""messages.* for basic groups (legacy "chats"): create, members, title, photo, admins,
full info and invite links. Messages in them are rpc/messages/messages.py's. The
invite-link methods hand a channel's peer or link to rpc/channels/invites.py.

A change is one storage transaction (storage/chats.py) that also writes the service
message announcing it into every member's box; the acting session gets it back as
Updates (updateNewMessage, and updateChatParticipants where the member list changed),
every other box's sessions through the bus (rpc/updates/publish.py).

A group holds Config.chat_size_max members: adding (or creating with) more upgrades it
to a supergroup first (migrate.py), as Telegram does; an upgraded group is read-only.
"""

from __future__ import annotations

import time

from storage.interface import (AlreadyParticipant, ChatAdminRequired, ChatNotFound, ChatNotModified, ChatTooBig,
                               InviteExpired, InviteInvalid, NotMember, NotParticipant)
from storage.models import ChatChange, ChatInviteRecord
from storage.peer import Peer, PeerKind
from tl import functions as F, types as T

from ..channels import invites as channel_invites
from . import migrate
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.chat_access import CHAT_ID_INVALID, require_member
from ..services.chat_view import ChatView, full_photo, is_admin, participants_object
from ..updates.events import ChatParticipants, LogRow
from ..updates.publish import publish, publish_rows
from ..services.media_files import chat_photo_from_input, chat_photo_reference
from ..services.media_view import chat_photo_object, photo_object
from ..services.messages_view import message, users_of
from ..services.notify_view import settings_object
from ..services.peers import can_see_chat, resolve_input_peer, resolve_user
from ..services.sending import check_not_deleted
from ..services.users import UserView

TITLE_MAX = 128
INVITE_LINK_PREFIX = "https://t.me/+"

# Storage's refusals, by Telegram's names.
_ERRORS = {
    ChatNotFound: (400, E.CHAT_ID_INVALID),
    NotMember: (400, E.CHAT_ID_INVALID),
    NotParticipant: (400, E.USER_NOT_PARTICIPANT),
    AlreadyParticipant: (400, E.USER_ALREADY_PARTICIPANT),
    ChatAdminRequired: (400, E.CHAT_ADMIN_REQUIRED),
    ChatTooBig: (400, E.USERS_TOO_MUCH),
    ChatNotModified: (400, E.CHAT_NOT_MODIFIED),
    InviteInvalid: (400, E.INVITE_HASH_INVALID),
    InviteExpired: (400, E.INVITE_HASH_EXPIRED),
}


async def _stored(call):
    try:
        return await call
    except tuple(_ERRORS) as exc:
        raise RpcError(*_ERRORS[type(exc)]) from None


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise RpcError(400, E.CHAT_TITLE_EMPTY)
    return title[:TITLE_MAX]


async def _answer(ctx: RequestContext, change: ChatChange, *, members_changed: bool):
    """Tells every other session of the change; the Updates the actor is answered with
    (one who just left sees the member list no more)."""
    await publish_rows(ctx, change.deliveries)
    storage = ctx.services.storage
    still_in = any(p.user_id == ctx.user_id for p in change.participants)
    updates = []
    user_ids = [p.user_id for p in change.participants] if still_in else []
    if change.actor_copy is not None:
        updates.append(T.UpdateNewMessage(message=message(change.actor_copy), pts=change.actor_pts, pts_count=1))
        user_ids += users_of([change.actor_copy])
    if members_changed:
        shown = participants_object(change.chat, change.participants) if still_in else \
            T.ChatParticipantsForbidden(chat_id=change.chat.id)
        updates.append(T.UpdateChatParticipants(participants=shown))
    return T.Updates(updates=updates, users=await UserView(storage, ctx.user_id).users(list(dict.fromkeys(user_ids))),
                     chats=[await ChatView(storage, ctx.user_id).chat(change.chat, change.participants)],
                     date=int(time.time()), seq=0)


@handler(F.messages.CreateChat, access=Access.USER)
async def create_chat(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    title = _title(request.title)
    users = [await resolve_user(storage, user_id, u) for u in request.users]
    users = [u for u in dict.fromkeys(users) if u != user_id]
    if not users:
        raise RpcError(400, E.USERS_TOO_FEW)
    for member in users:
        await check_not_deleted(storage, member)
    # More than a basic group holds: a group of as many as it holds, upgraded at once
    # to a supergroup the others join (migrate.py), as adding them one by one would do.
    room = max(1, ctx.config.chat_size_max - 1)
    first, rest = users[:room], users[room:]
    change = await _stored(storage.chats.create(user_id, title, first, date=int(time.time())))
    updates = await _answer(ctx, change, members_changed=True)
    if rest:
        updates = migrate.merged(updates, await migrate.upgrade_and_add(ctx, change.chat.id, rest))
    return T.messages.InvitedUsers(updates=updates, missing_invitees=[])


@handler(F.messages.AddChatUser, access=Access.USER)
async def add_chat_user(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.user_id)
    await check_not_deleted(storage, target)
    members = {p.user_id for p in await storage.chats.participants(request.chat_id)}
    if user_id in members and target not in members and migrate.past_the_limit(ctx, len(members), 1):
        # Telegram upgrades a full group to a supergroup rather than refuse the member.
        updates = await migrate.upgrade_and_add(ctx, request.chat_id, [target])
        return T.messages.InvitedUsers(updates=updates, missing_invitees=[])
    change = await _stored(storage.chats.add_user(request.chat_id, user_id, target, date=int(time.time()),
                                                  limit=ctx.config.chat_size_max))
    updates = await _answer(ctx, change, members_changed=True)
    return T.messages.InvitedUsers(updates=updates, missing_invitees=[])


@handler(F.messages.DeleteChatUser, access=Access.USER)
async def delete_chat_user(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.user_id)
    change = await _stored(storage.chats.remove_user(request.chat_id, user_id, target, date=int(time.time())))
    answer = await _answer(ctx, change, members_changed=True)
    if request.revoke_history:
        await _revoke_messages_of(ctx, target, request.chat_id)
    return answer


async def _revoke_messages_of(ctx: RequestContext, author: int, chat_id: int) -> None:
    """revoke_history: everything `author` said in the group goes, from every box (their
    own outgoing copies, revoked as they could themselves)."""
    storage = ctx.services.storage
    ids, offset = [], 0
    while True:
        page, _ = await storage.messages.history(author, Peer.chat(chat_id), offset_id=offset, limit=100)
        if not page:
            break
        ids += [m.id for m in page if m.out and m.action is None]
        offset = page[-1].id
    for start in range(0, len(ids), 100):
        # The removing admin's authority: the author is no longer a member.
        changed = await storage.messages.delete(author, ids[start:start + 100], revoke=True,
                                                moderated_chats=[chat_id])
        # Every session is told, the acting one too: its answer did not include this.
        for owner, (pts, _count, _ids) in changed.items():
            await publish(ctx.services, LogRow(pts=pts), [owner])


@handler(F.messages.EditChatTitle, access=Access.USER)
async def edit_chat_title(request, ctx: RequestContext):
    user_id = ctx.user_id
    change = await _stored(ctx.services.storage.chats.edit_title(request.chat_id, user_id, _title(request.title),
                                                                 date=int(time.time())))
    return await _answer(ctx, change, members_changed=False)


@handler(F.messages.EditChatPhoto, access=Access.USER)
async def edit_chat_photo(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    before = await storage.chats.get(request.chat_id)
    photo = await chat_photo_from_input(ctx.services, user_id, request.photo)
    if photo is None:
        change = await _stored(storage.chats.edit_photo(
            request.chat_id, user_id, None, date=int(time.time()), action={"_": "messageActionChatDeletePhoto"}))
    else:
        shown = photo_object(photo, chat_photo_reference(request.chat_id)).to_dict()
        stored = {"chat_photo": chat_photo_object(photo).to_dict(), "photo": shown}
        change = await _stored(storage.chats.edit_photo(
            request.chat_id, user_id, stored, date=int(time.time()),
            action={"_": "messageActionChatEditPhoto", "photo": shown}))
        # Kept as the chat's profile photo, so inputPeerPhotoFileLocation reaches it as a user's.
        await storage.media.add_profile_photo(Peer.chat(request.chat_id), photo.id, time.time_ns() // 1000)
    old_photo = (before.photo or {}).get("photo") if before is not None else None
    if old_photo and (photo is None or old_photo.get("id") != photo.id):
        await storage.media.delete_profile_photos(Peer.chat(request.chat_id), [old_photo["id"]])
    return await _answer(ctx, change, members_changed=False)


@handler(F.messages.EditChatAdmin, access=Access.USER)
async def edit_chat_admin(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.user_id)
    before = await storage.chats.get(request.chat_id)
    change = await _stored(storage.chats.set_admin(request.chat_id, user_id, target, bool(request.is_admin)))
    if before is not None and change.chat.version != before.version:
        # No message announces it: members' sessions get the new member list.
        await publish(ctx.services, ChatParticipants(chat_id=change.chat.id), [p.user_id for p in change.participants])
    return True


@handler(F.messages.GetChats, access=Access.USER)
async def get_chats(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    for chat_id in request.id:
        if not await can_see_chat(storage, user_id, chat_id):
            raise RpcError(400, E.CHAT_ID_INVALID)
    return T.messages.Chats(chats=await ChatView(storage, user_id).chats(request.id))


@handler(F.messages.GetCommonChats, access=Access.USER)
async def get_common_chats(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    other = await resolve_user(storage, user_id, request.user_id)
    ids = await storage.chats.common(user_id, other, max_id=request.max_id, limit=max(1, min(request.limit or 100, 100)))
    return T.messages.Chats(chats=await ChatView(storage, user_id).chats(ids))


@handler(F.messages.GetFullChat, access=Access.USER)
async def get_full_chat(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    if not await can_see_chat(storage, user_id, request.chat_id):
        raise RpcError(400, E.CHAT_ID_INVALID)
    chat = await storage.chats.get(request.chat_id)
    participants = await storage.chats.participants(chat.id)
    mine = next((p for p in participants if p.user_id == user_id), None)
    if mine is None:
        shown = T.ChatParticipantsForbidden(chat_id=chat.id)
        user_ids = []
    else:
        shown = participants_object(chat, participants)
        user_ids = [p.user_id for p in participants]
    invite = None
    if is_admin(chat, mine):
        primary = [i for i in await storage.chats.invites(chat.id) if i.permanent]
        invite = invite_object(primary[0]) if primary else None
    notify = await storage.notify_settings.get(user_id, "peer", Peer.chat(chat.id))
    full = T.ChatFull(id=chat.id, about="", participants=shown, chat_photo=full_photo(chat.photo),
                      notify_settings=settings_object(notify), exported_invite=invite)
    return T.messages.ChatFull(full_chat=full, chats=[await ChatView(storage, user_id).chat(chat, participants)],
                               users=await UserView(storage, user_id).users(user_ids))


# -- invite links -----------------------------------------------------------------------------


def invite_object(invite: ChatInviteRecord):
    return T.ChatInviteExported(
        link=INVITE_LINK_PREFIX + invite.hash, admin_id=invite.admin_id, date=invite.date, revoked=invite.revoked,
        permanent=invite.permanent, expire_date=invite.expire_date, usage_limit=invite.usage_limit,
        usage=invite.usage or None, title=invite.title)


async def _chat_of_peer(ctx: RequestContext, peer) -> int:
    """The chat id an InputPeer names; invite links exist for basic groups only here."""
    resolved = await resolve_input_peer(ctx.services.storage, ctx.user_id, peer)
    if resolved.kind is not PeerKind.CHAT:
        raise RpcError(400, E.PEER_ID_INVALID)
    return resolved.id


@handler(F.messages.ExportChatInvite, access=Access.USER)
async def export_chat_invite(request, ctx: RequestContext):
    if isinstance(request.peer, T.InputPeerChannel):
        return await channel_invites.export_chat_invite(request, ctx)
    user_id = ctx.user_id
    storage = ctx.services.storage
    chat_id = await _chat_of_peer(ctx, request.peer)
    now = int(time.time())
    if request.expire_date is not None and 0 < request.expire_date <= now:
        raise RpcError(400, E.EXPIRE_DATE_INVALID)
    if request.usage_limit is not None and not 0 <= request.usage_limit <= 99999:
        raise RpcError(400, E.USAGE_LIMIT_INVALID)
    plain = not (request.expire_date or request.usage_limit or request.title)
    # The first plain link, or legacy_revoke_permanent's replacement, is the chat's primary link.
    permanent = bool(request.legacy_revoke_permanent) or (
        plain and not any(i.permanent for i in await storage.chats.invites(chat_id)))
    invite = await _stored(storage.chats.create_invite(
        chat_id, user_id, date=now, expire_date=request.expire_date or None, usage_limit=request.usage_limit or None,
        title=request.title or None, permanent=permanent))
    return invite_object(invite)


@handler(F.messages.GetExportedChatInvites, access=Access.USER)
async def get_exported_chat_invites(request, ctx: RequestContext):
    if isinstance(request.peer, T.InputPeerChannel):
        return await channel_invites.get_exported_chat_invites(request, ctx)
    user_id = ctx.user_id
    storage = ctx.services.storage
    chat_id = await _chat_of_peer(ctx, request.peer)
    chat = await storage.chats.get(chat_id)
    mine = (await storage.chats.memberships(user_id, [chat_id])).get(chat_id)
    if not is_admin(chat, mine):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    admin = await resolve_user(storage, user_id, request.admin_id)
    invites = await storage.chats.invites(chat_id, admin_id=admin, revoked=bool(request.revoked),
                                          limit=max(1, min(request.limit or 50, 100)))
    users = await UserView(storage, user_id).users([admin])
    return T.messages.ExportedChatInvites(count=len(invites), invites=[invite_object(i) for i in invites],
                                          users=users)


async def _usable_invite(ctx: RequestContext, hash: str) -> ChatInviteRecord:
    hash = (hash or "").strip()
    if not hash:
        raise RpcError(400, E.INVITE_HASH_EMPTY)
    invite = await ctx.services.storage.chats.invite(hash)
    chat = None if invite is None else await ctx.services.storage.chats.get(invite.chat_id)
    if chat is None or chat.deactivated:
        raise RpcError(400, E.INVITE_HASH_INVALID)
    if not invite.usable(int(time.time())):
        raise RpcError(400, E.INVITE_HASH_EXPIRED)
    return invite


@handler(F.messages.CheckChatInvite, access=Access.USER)
async def check_chat_invite(request, ctx: RequestContext):
    channel_invite = await channel_invites.channel_invite(ctx, request.hash)
    if channel_invite is not None:
        return await channel_invites.check_chat_invite(ctx, channel_invite)
    user_id = ctx.user_id
    storage = ctx.services.storage
    invite = await _usable_invite(ctx, request.hash)
    chat = await storage.chats.get(invite.chat_id)
    participants = await storage.chats.participants(chat.id)
    if any(p.user_id == user_id for p in participants):
        return T.ChatInviteAlready(chat=await ChatView(storage, user_id).chat(chat, participants))
    users = await UserView(storage, user_id).users([p.user_id for p in participants][:10])
    return T.ChatInvite(title=chat.title, photo=full_photo(chat.photo) or T.PhotoEmpty(id=0),
                        participants_count=len(participants), participants=users, color=0)


@handler(F.messages.ImportChatInvite, access=Access.USER)
async def import_chat_invite(request, ctx: RequestContext):
    channel_invite = await channel_invites.channel_invite(ctx, request.hash)
    if channel_invite is not None:
        return await channel_invites.import_chat_invite(ctx, channel_invite)
    user_id = ctx.user_id
    invite = await _usable_invite(ctx, request.hash)
    change = await _stored(ctx.services.storage.chats.join_by_invite(invite.hash, user_id, date=int(time.time()),
                                                                     limit=ctx.config.chat_size_max))
    updates = await _answer(ctx, change, members_changed=True)
    return T.messages.ChatInviteJoinResultOk(updates=updates)


@handler(F.messages.GetOnlines, access=Access.USER)
async def get_onlines(request, ctx: RequestContext):
    """How many of a group's members are online now (0 for anything else)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is not PeerKind.CHAT:
        return T.ChatOnlines(onlines=0)
    await require_member(storage, user_id, peer, CHAT_ID_INVALID)
    members = [p.user_id for p in await storage.chats.participants(peer.id)]
    now = int(time.time())
    return T.ChatOnlines(onlines=sum(1 for u in await storage.users.get_many(members) if u.online_until > now))
