"""Changing a channel's messages: messages.editMessage and getMessageEditData on a
channel (the messages.* handlers hand over here), channels.deleteMessages, and pins
(messages.updatePinnedMessage, unpinAllMessages on a channel).

Each change is logged once in the channel's log and told to its members with one
publish (rpc/updates/publish.py publish_to_channel); the acting session gets its answer.

Who may (core.telegram.org/api/rights): a member edits their own messages; in a
broadcast channel an admin with edit_messages edits any post, and one with
post_messages their own (MESSAGE_AUTHOR_REQUIRED otherwise). A member deletes their own
messages, an admin with delete_messages anyone's (MESSAGE_DELETE_FORBIDDEN). Pinning
takes edit_messages in a broadcast channel; in a supergroup an admin with pin_messages,
or any member the banned rights leave pin_messages to (CHAT_ADMIN_REQUIRED). A pin is
announced by a messageActionPinMessage service message, as Telegram's.
"""

from __future__ import annotations

import time

from storage.interface import ChannelNotFound, MessageNotFound
from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.users import UserView
from ..updates.events import ChannelLogRow
from ..updates.publish import publish_to_channel
from . import admin_log
from .access import ChannelAccess, open_channel
from .messages_view import channel_message, user_ids_named
from .post import author_of
from .posting import post
from .reader import access_of
from .rights import forbidden, has_admin_right
from .view import channel_object

DELETE_MAX = 100  # ids per channels.deleteMessages, as Telegram


def _member(access: ChannelAccess) -> None:
    if not access.member:
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN)


def _may_edit(access: ChannelAccess, sender_id: int, user_id: int) -> bool:
    channel, me = access
    if channel.broadcast:
        return has_admin_right(me, channel, "edit_messages") or (
            sender_id == user_id and has_admin_right(me, channel, "post_messages"))
    return sender_id == user_id


async def _editable(ctx, access: ChannelAccess, message_id: int):
    found = await ctx.services.storage.channel_messages.get(access.channel.id, [message_id])
    if not found or found[0].action is not None:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    if not _may_edit(access, found[0].sender_id, ctx.user_id):
        raise RpcError(403, E.MESSAGE_AUTHOR_REQUIRED)
    return found[0]


async def _tell(ctx, channel_id: int, pts: int) -> None:
    await publish_to_channel(ctx.services, ChannelLogRow(channel_id=channel_id, pts=pts), channel_id, by=ctx)


async def _updates(ctx, access: ChannelAccess, updates: list, records: list):
    users = await UserView(ctx.services.storage, ctx.user_id).users(user_ids_named(records))
    return T.Updates(updates=updates, users=users, chats=[channel_object(access.channel, access.me)],
                     date=int(time.time()), seq=0)


async def edit_message(ctx, peer: Peer, *, message_id: int, message: str, entities: list[dict]):
    """messages.editMessage on a channel (the text checked by the caller)."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, peer.id)
    _member(access)
    record = await _editable(ctx, access, message_id)
    if record.message == message and record.entities == entities:
        raise RpcError(400, E.MESSAGE_NOT_MODIFIED)
    try:
        change = await storage.channel_messages.edit(peer.id, message_id, edit_date=int(time.time()),
                                                     message=message, entities=entities)
    except MessageNotFound:  # deleted meanwhile
        raise RpcError(400, E.MESSAGE_ID_INVALID) from None
    await _tell(ctx, peer.id, change.pts)
    edited = change.messages[0]
    if admin_log.admin_message_change(access.me):
        await admin_log.record(ctx, peer.id, admin_log.EditMessage(prev=record, new=edited))
    update = T.UpdateEditChannelMessage(message=channel_message(edited, access.channel, ctx.user_id), pts=change.pts,
                                        pts_count=change.pts_count)
    return await _updates(ctx, access, [update], [edited])


async def edit_data(ctx, peer: Peer, message_id: int):
    """messages.getMessageEditData on a channel."""
    access = await access_of(ctx.services.storage, ctx.user_id, peer.id)
    _member(access)
    record = await _editable(ctx, access, message_id)
    return T.messages.MessageEditData(caption=record.media is not None)


@handler(F.channels.DeleteMessages, access=Access.USER)
async def delete_messages(request, ctx: RequestContext):
    storage = ctx.services.storage
    access = await open_channel(storage, ctx.user_id, request.channel, member=True)
    channel, me = access
    records = await storage.channel_messages.get(channel.id, list(request.id or ())[:DELETE_MAX])
    if not has_admin_right(me, channel, "delete_messages") and any(r.sender_id != ctx.user_id for r in records):
        raise RpcError(403, E.MESSAGE_DELETE_FORBIDDEN)
    try:
        change = await storage.channel_messages.delete(channel.id, [r.id for r in records], now=int(time.time()))
    except ChannelNotFound:
        raise RpcError(400, E.CHANNEL_INVALID) from None
    if change is None:
        current = await storage.channels.get(channel.id)
        return T.messages.AffectedMessages(pts=current.pts, pts_count=0)
    await _tell(ctx, channel.id, change.pts)
    if admin_log.admin_message_change(me):
        gone = set(change.ids)
        await admin_log.record(ctx, channel.id, *(admin_log.DeleteMessage(message=r) for r in records if r.id in gone))
    return T.messages.AffectedMessages(pts=change.pts, pts_count=change.pts_count)


def _may_pin(access: ChannelAccess, now: int) -> bool:
    channel, me = access
    if channel.broadcast:
        return has_admin_right(me, channel, "edit_messages")
    return has_admin_right(me, channel, "pin_messages") or not forbidden(me, channel, "pin_messages", now)


async def update_pinned(ctx, peer: Peer, *, message_id: int, unpin: bool, silent: bool):
    """messages.updatePinnedMessage on a channel."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, peer.id)
    _member(access)
    now = int(time.time())
    if not _may_pin(access, now):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    try:
        change = await storage.channel_messages.pin(peer.id, [message_id], pinned=not unpin, now=now)
    except MessageNotFound:
        raise RpcError(400, E.MESSAGE_ID_INVALID) from None
    updates, records = [], []
    if change is not None:
        await _tell(ctx, peer.id, change.pts)
        if admin_log.admin_message_change(access.me):
            pinned = await storage.channel_messages.get(peer.id, change.ids)
            await admin_log.record(ctx, peer.id, *(admin_log.UpdatePinned(message=m) for m in pinned))
        updates.append(T.UpdatePinnedChannelMessages(pinned=not unpin, channel_id=peer.id, messages=change.ids,
                                                     pts=change.pts, pts_count=change.pts_count))
        if not unpin:
            author = {k: v for k, v in (await author_of(ctx, access)).items() if k == "from_id"}  # unsigned
            sent = await post(ctx, access.channel, action={"_": "messageActionPinMessage"},
                              reply_to_msg_id=message_id, silent=silent, **author)
            updates.append(T.UpdateNewChannelMessage(message=channel_message(sent.message, access.channel, ctx.user_id),
                                                     pts=sent.pts, pts_count=1))
            records.append(sent.message)
    return await _updates(ctx, access, updates, records)


async def unpin_all(ctx, peer: Peer):
    """messages.unpinAllMessages on a channel."""
    storage = ctx.services.storage
    access = await access_of(storage, ctx.user_id, peer.id)
    _member(access)
    if not _may_pin(access, int(time.time())):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    change = await storage.channel_messages.unpin_all(peer.id, now=int(time.time()))
    if change is None:
        return T.messages.AffectedHistory(pts=access.channel.pts, pts_count=0, offset=0)
    await _tell(ctx, peer.id, change.pts)
    return T.messages.AffectedHistory(pts=change.pts, pts_count=change.pts_count, offset=0)
