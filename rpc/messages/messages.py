"""messages.* for private chats and basic groups: send, history, dialogs, read receipts.
On a channel these hand over to rpc/channels/ (post.py, history.py, read.py, edit.py).

Every change is written with its update-log rows and pts in one storage transaction;
after commit the affected users' live sessions are told through the bus (the sending
session is answered directly and not told twice).
"""

from __future__ import annotations

import time

from storage.interface import MessageNotFound, NotAuthor, NotMember
from storage.peer import PeerKind
from tl import functions as F, types as T

from ..channels import edit as channel_edit, history as channel_history, post as channel_post, read as channel_read
from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services.chat_view import is_admin
from ..services.dialog_lists import merged_dialogs
from ..services.dialogs_view import channel_records, dialog_objects
from ..updates.publish import publish_rows
from ..services.chats_named import chats_named
from ..services.messages_view import chat_peers_of, chats_of, message, users_of
from ..services.chat_access import require_member
from ..services.peers import ids_of, resolve_input_peer
from ..services.sending import check_can_send, resolve_send_peer, sent_updates, store_message
from ..services.users import UserView
from ..services.dialog_marks import clear_unread_mark_after_read, publish_draft_cleared
from ..updates.state import current_pts

MESSAGE_MAX = 4096
HISTORY_MAX = 100


def _entities(entities) -> list[dict]:
    return [e.to_dict() for e in entities or ()]


@handler(F.messages.SendMessage, access=Access.USER)
async def send_message(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    text = request.message or ""
    refusal = E.MESSAGE_EMPTY if not text.strip() else E.MESSAGE_TOO_LONG if len(text) > MESSAGE_MAX else None
    peer, unchecked = await resolve_send_peer(storage, user_id, request.peer, refusal)
    reply_to = getattr(request.reply_to, "reply_to_msg_id", None)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_post.send_message(ctx, peer, message=text, entities=_entities(request.entities),
                                               reply_to_msg_id=reply_to, random_id=request.random_id,
                                               silent=bool(request.silent),
                                               top_msg_id=getattr(request.reply_to, "top_msg_id", None))
    fields = dict(date=int(time.time()), message=text, entities=_entities(request.entities),
                  reply_to_msg_id=reply_to, random_id=request.random_id, silent=bool(request.silent))
    if unchecked is None:
        await check_can_send(storage, user_id, peer)
    # The draft goes in the send's own transaction (on PostgreSQL in its copies' statement).
    sent = await store_message(ctx, peer, unchecked, clear_draft=True, **fields)
    mine = sent.sender_copy
    if sent.draft_cleared:
        await publish_draft_cleared(ctx, peer)
    if not peer.is_user:
        # A group message answers as Telegram's do: updateMessageID, then updateNewMessage.
        return await sent_updates(ctx, [(mine, sent.sender_pts)])
    return T.UpdateShortSentMessage(out=True, id=mine.id, pts=sent.sender_pts, pts_count=1, date=mine.date,
                                    entities=[e for e in request.entities] if request.entities else None)


@handler(F.messages.GetHistory, access=Access.USER)
async def get_history(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_history.history(ctx, peer, request)
    records, total = await storage.messages.history(
        user_id, peer, offset_id=request.offset_id, offset_date=request.offset_date or 0,
        add_offset=request.add_offset, limit=max(1, min(request.limit or HISTORY_MAX, HISTORY_MAX)),
        max_id=request.max_id, min_id=request.min_id)
    users = await UserView(storage, user_id).users(users_of(records) or ids_of([peer], PeerKind.USER))
    chats = await chats_named(storage, user_id, chat_peers_of(records) or [p for p in [peer] if not p.is_user])
    messages = [message(r) for r in records]
    if total > len(messages):
        return T.messages.MessagesSlice(count=total, messages=messages, topics=[], chats=chats, users=users)
    return T.messages.Messages(messages=messages, topics=[], chats=chats, users=users)


@handler(F.messages.GetMessages, access=Access.USER)
async def get_messages(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    ids = [i.id for i in request.id if isinstance(i, T.InputMessageID)]
    records = await storage.messages.get(user_id, ids)
    users = await UserView(storage, user_id).users(users_of(records))
    chats = await chats_named(storage, user_id, chat_peers_of(records))
    return T.messages.Messages(messages=[message(r) for r in records], topics=[], chats=chats, users=users)


@handler(F.messages.GetDialogs, access=Access.USER)
async def get_dialogs(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    if request.folder_id:
        # Only the main list exists (no archive or other folders): an empty one, not a copy.
        return T.messages.Dialogs(dialogs=[], messages=[], chats=[], users=[])
    limit = max(1, min(request.limit or 100, 100))
    offset_peer = request.offset_peer
    first_page = not (request.offset_date or request.offset_id
                      or isinstance(offset_peer, (T.InputPeerUser, T.InputPeerChat, T.InputPeerChannel)))
    # Pinned dialogs come first, on the first page only; the rest by their top message.
    pinned = [] if request.exclude_pinned or not first_page else await channel_records(
        storage, user_id, await storage.pinned_dialogs.list(user_id))
    rest, total = await merged_dialogs(storage, user_id, offset_date=request.offset_date or 0,
                                       offset_id=request.offset_id or 0, offset_peer=offset_peer,
                                       limit=limit - len(pinned))
    out, messages, user_ids, chats = await dialog_objects(storage, user_id, pinned + rest)
    users = await UserView(storage, user_id).users(user_ids)
    if total > len(out):
        return T.messages.DialogsSlice(count=total, dialogs=out, messages=messages, chats=chats, users=users)
    return T.messages.Dialogs(dialogs=out, messages=messages, chats=chats, users=users)


@handler(F.messages.ReadHistory, access=Access.USER)
async def read_history(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is PeerKind.CHANNEL:
        # Clients use channels.readHistory; this one's answer is about the common box.
        await channel_read.read_channel(ctx, peer.id, request.max_id)
        return T.messages.AffectedMessages(pts=await current_pts(storage, user_id), pts_count=0)
    owner_pts, receipts = await storage.messages.read_chat_history(user_id, peer, request.max_id)
    # The authors of what was read (in a group, each of them) learn it: read_outbox.
    await publish_rows(ctx, [(user_id, owner_pts, 1), *((author, pts, 1) for author, pts, _ in receipts)])
    await clear_unread_mark_after_read(ctx, peer)
    if owner_pts is None:
        return T.messages.AffectedMessages(pts=await current_pts(storage, user_id), pts_count=0)
    return T.messages.AffectedMessages(pts=owner_pts, pts_count=1)


@handler(F.messages.EditMessage, access=Access.USER)
async def edit_message(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is not PeerKind.CHANNEL:
        await require_member(storage, user_id, peer)
    if request.message is None:
        raise RpcError(400, E.MESSAGE_NOT_MODIFIED)
    if not request.message.strip():
        raise RpcError(400, E.MESSAGE_EMPTY)
    if len(request.message) > MESSAGE_MAX:
        raise RpcError(400, E.MESSAGE_TOO_LONG)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_edit.edit_message(ctx, peer, message_id=request.id, message=request.message,
                                               entities=_entities(request.entities))
    try:
        changed = await storage.messages.edit(user_id, request.id, message=request.message,
                                              entities=_entities(request.entities), edit_date=int(time.time()))
    except MessageNotFound:
        raise RpcError(400, E.MESSAGE_ID_INVALID) from None
    except NotAuthor:
        raise RpcError(403, E.MESSAGE_AUTHOR_REQUIRED) from None
    except NotMember:  # the message's group, whatever peer the request named
        raise RpcError(403, E.CHAT_WRITE_FORBIDDEN) from None
    await publish_rows(ctx, [(owner, pts, 1) for owner, pts, _ in changed])
    pts, record = next((pts, record) for owner, pts, record in changed if owner == user_id)
    users = await UserView(storage, user_id).users(users_of([record]))
    chats = await chats_named(storage, user_id, chat_peers_of([record]))
    return T.Updates(updates=[T.UpdateEditMessage(message=message(record), pts=pts, pts_count=1)],
                     users=users, chats=chats, date=int(time.time()), seq=0)


async def _moderated_chats(storage, user_id: int, ids: list[int]) -> list[int]:
    """The basic groups of these messages where the user may delete anyone's
    messages for everyone (creator or admin)."""
    chat_ids = chats_of(await storage.messages.get(user_id, ids))
    if not chat_ids:
        return []
    mine = await storage.chats.memberships(user_id, chat_ids)
    chats = await storage.chats.get_many(list(mine))
    return [c.id for c in chats if is_admin(c, mine[c.id])]


@handler(F.messages.DeleteMessages, access=Access.USER)
async def delete_messages(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    ids = list(request.id)[:100]
    moderated = await _moderated_chats(storage, user_id, ids) if request.revoke else []
    changed = await storage.messages.delete(user_id, ids, revoke=bool(request.revoke), moderated_chats=moderated)
    await publish_rows(ctx, [(owner, pts, count) for owner, (pts, count, _ids) in changed.items()])
    if user_id in changed:
        pts, count, _ = changed[user_id]
        return T.messages.AffectedMessages(pts=pts, pts_count=count)
    return T.messages.AffectedMessages(pts=await current_pts(storage, user_id), pts_count=0)


@handler(F.messages.GetMessageEditData, access=Access.USER)
async def get_message_edit_data(request, ctx: RequestContext):
    """Whether editing the message changes a media caption (not its text)."""
    user_id = ctx.user_id
    storage = ctx.services.storage
    peer = await resolve_input_peer(storage, user_id, request.peer)
    if peer.kind is PeerKind.CHANNEL:
        return await channel_edit.edit_data(ctx, peer, request.id)
    found = await storage.messages.get(user_id, [request.id])
    if not found or found[0].peer != peer:
        raise RpcError(400, E.MESSAGE_ID_INVALID)
    if not found[0].out or found[0].action is not None:
        raise RpcError(403, E.MESSAGE_AUTHOR_REQUIRED)
    return T.messages.MessageEditData(caption=found[0].media is not None)
