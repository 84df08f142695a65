"""One table from event to the Updates object a viewer's session is pushed, or None
when the event means nothing to that viewer any more (e.g. they left the group).

Renderers read what can be read again (the draft, the pinned order, a user as the viewer
may see them) from storage at render time, in the viewer's privacy view; the session
encodes the result in its client's layer. An update-log row (LogRow) renders through
log_render.py, the same rows updates.getDifference returns.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import tl
from storage.models import UpdateRecord
from storage.peer import Peer, PeerKind
from storage.update_log import UpdateKind
from tl import types as T

from ..channels.rights import has_admin_right
from ..channels.messages_view import user_ids_named
from ..channels.view import channel_object
from ..services.chat_view import ChatView, participants_object
from ..services.chats_named import chats_named
from ..services.dialogs_view import draft_object, updates_naming
from .channel_log_render import render_channel_log, shown_by
from .log_render import render_log
from .shared_reads import for_storage
from ..services.notify_view import notify_peer_object, settings_object
from ..services.peers import peer_object
from ..services.users import UserView
from . import events as ev


def _short(update):
    return T.UpdateShort(update=update, date=int(time.time()))


async def _log_row(storage, viewer_id: int, event: ev.LogRow):
    logged = await logged_row(storage, viewer_id, event)
    return None if logged is None else await render_logged(storage, viewer_id, *logged)


async def read_logged(storage, viewer_id: int, pts: int):
    """(the viewer's log row with this pts, the messages it shows by id), in one
    statement; None once pruned. What render_logged renders (the stream reads it first
    to see where the row stands in the box's pts order, rpc/updates/pts_order.py)."""
    logged = await storage.messages.logged_with_message(viewer_id, pts)
    if logged is None:
        return None
    row, shown = logged
    return row, {} if shown is None else {shown.id: shown}


async def logged_row(storage, viewer_id: int, event: ev.LogRow):
    """(the viewer's log row the event names, the messages it shows by id): from the
    event when it carries them (`carried_logged`), else read (`read_logged`)."""
    return carried_logged(viewer_id, event) or await read_logged(storage, viewer_id, event.pts)


def carried_logged(viewer_id: int, event: ev.LogRow):
    """What `read_logged` would read, from the event itself when it carries the new
    message it logged for this viewer (LogRow.new_message); None: it must be read."""
    message = event.new_message
    if message is None or message.owner_id != viewer_id:
        return None
    row = UpdateRecord(user_id=viewer_id, pts=event.pts, pts_count=1, kind=UpdateKind.NEW_MESSAGE,
                       data={"id": message.id}, date=message.date)
    return row, {message.id: message}


async def render_logged(storage, viewer_id: int, row, found: dict | None = None):
    """The push of one log row; `found`: the messages it shows, by id (None: read them)."""
    new_messages, others, users, chat_peers = await render_log(storage, viewer_id, [row], found)
    updates = [T.UpdateNewMessage(message=m, pts=row.pts, pts_count=row.pts_count) for m in new_messages] + others
    if not updates:
        return None
    return T.Updates(updates=updates, users=await UserView(storage, viewer_id).users(users),
                     chats=await chats_named(storage, viewer_id, chat_peers), date=int(time.time()), seq=0)


async def _user_status(storage, viewer_id: int, event: ev.UserStatus):
    user = await UserView(storage, viewer_id).user(event.user_id)
    if user is None or user.status is None:
        return None
    return _short(T.UpdateUserStatus(user_id=user.id, status=user.status))


async def _user_changed(storage, viewer_id: int, event: ev.UserChanged):
    return await updates_naming(storage, viewer_id, [T.UpdateUser(user_id=event.user_id)], [Peer.user(event.user_id)])


async def _typing(storage, viewer_id: int, event: ev.Typing):
    try:
        action = tl.from_dict(event.action)
    except Exception:  # a malformed event is dropped, never a broken connection
        return None
    if event.user_id == viewer_id:
        return None  # the typist's own other devices are not told (a channel's topic reaches them)
    if event.chat is not None and event.chat.kind == PeerKind.CHANNEL:
        return _short(T.UpdateChannelUserTyping(channel_id=event.chat.id, top_msg_id=event.top_msg_id or None,
                                                from_id=T.PeerUser(user_id=event.user_id), action=action))
    if event.chat is not None:
        return _short(T.UpdateChatUserTyping(chat_id=event.chat.id, from_id=T.PeerUser(user_id=event.user_id),
                                             action=action))
    return _short(T.UpdateUserTyping(user_id=event.user_id, action=action))


async def _draft(storage, viewer_id: int, event: ev.Draft):
    peer = event.peer
    draft = draft_object(await storage.drafts.get(viewer_id, peer), date=int(time.time()))
    return await updates_naming(storage, viewer_id, [T.UpdateDraftMessage(peer=peer_object(peer), draft=draft)], [peer])


async def _dialog_pinned(storage, viewer_id: int, event: ev.DialogPinned):
    peer = event.peer
    update = T.UpdateDialogPinned(pinned=event.pinned, peer=T.DialogPeer(peer=peer_object(peer)))
    return await updates_naming(storage, viewer_id, [update], [peer])


async def _pinned_dialogs(storage, viewer_id: int, event: ev.PinnedDialogs):
    peers = [d.peer for d in await storage.pinned_dialogs.list(viewer_id)]
    update = T.UpdatePinnedDialogs(order=[T.DialogPeer(peer=peer_object(p)) for p in peers])
    return await updates_naming(storage, viewer_id, [update], peers)


async def _notify_settings(storage, viewer_id: int, event: ev.NotifySettings):
    if event.scope not in ("peer", "users", "chats", "broadcasts") or (event.scope == "peer") != (event.peer is not None):
        return None
    peer = event.peer
    settings = settings_object(await storage.notify_settings.get(viewer_id, event.scope, peer))
    update = T.UpdateNotifySettings(peer=notify_peer_object(event.scope, peer), notify_settings=settings)
    return await updates_naming(storage, viewer_id, [update], [peer] if event.peer is not None else [])


async def _dialog_unread_mark(storage, viewer_id: int, event: ev.DialogUnreadMark):
    peer = event.peer
    dialog = await storage.messages.dialog(viewer_id, peer)
    update = T.UpdateDialogUnreadMark(unread=bool(dialog and dialog.unread_mark),
                                      peer=T.DialogPeer(peer=peer_object(peer)))
    return await updates_naming(storage, viewer_id, [update], [peer])


async def _chat_participants(storage, viewer_id: int, event: ev.ChatParticipants):
    chat = await storage.chats.get(event.chat_id)
    participants = [] if chat is None else await storage.chats.participants(chat.id)
    if not any(p.user_id == viewer_id for p in participants):
        return None  # not (or no longer) a member
    update = T.UpdateChatParticipants(participants=participants_object(chat, participants))
    return T.Updates(updates=[update], users=await UserView(storage, viewer_id).users([p.user_id for p in participants]),
                     chats=[await ChatView(storage, viewer_id).chat(chat, participants)], date=int(time.time()), seq=0)


async def _channel_log_row(storage, viewer_id: int, event: ev.ChannelLogRow):
    me = await storage.channel_participants.get(event.channel_id, viewer_id)
    if me is None or not me.is_member:
        return None  # left since the event was published
    # The same for every member: read once per process (rpc/updates/shared_reads.py).
    channel, row, shown, user_rows = await for_storage(storage).once(
        ("channel_log", event.channel_id, event.pts), lambda: _channel_row_read(storage, event))
    if channel is None or row is None:
        return None  # gone, or the row pruned already
    new_messages, others, user_ids = await render_channel_log(storage, viewer_id, channel, [row], shown)
    updates = [T.UpdateNewChannelMessage(message=m, pts=row.pts, pts_count=row.pts_count)
               for m in new_messages] + others
    if not updates:
        return None
    return T.Updates(updates=updates, users=await UserView(storage, viewer_id, user_rows).users(user_ids),
                     chats=[channel_object(channel, me)], date=int(time.time()), seq=0)


async def _channel_row_read(storage, event: ev.ChannelLogRow):
    """(channel, the log row, what it shows, the rows of the users it names) of one
    channel event; Nones when gone."""
    channel = await storage.channels.get(event.channel_id)
    row = None if channel is None else await storage.channel_log.row(event.channel_id, event.pts)
    if row is None:
        return channel, None, None, None
    shown = await shown_by(storage, channel, [row])
    user_rows = await UserView(storage, 0).shareable(user_ids_named(list(shown[0].values())))
    return channel, row, shown, user_rows


async def _channel_changed(storage, viewer_id: int, event: ev.ChannelChanged):
    return await updates_naming(storage, viewer_id, [T.UpdateChannel(channel_id=event.channel_id)],
                                [Peer.channel(event.channel_id)])


async def _channel_inbox_read(storage, viewer_id: int, event: ev.ChannelInboxRead):
    dialog = await storage.channel_dialogs.dialog(viewer_id, event.channel_id)
    if dialog is None:
        return None  # not a member (any more)
    update = T.UpdateReadChannelInbox(channel_id=event.channel_id, max_id=dialog.read_inbox_max_id,
                                      still_unread_count=dialog.unread_count, pts=dialog.pts)
    return await updates_naming(storage, viewer_id, [update], [Peer.channel(event.channel_id)])


async def _channel_outbox_read(storage, viewer_id: int, event: ev.ChannelOutboxRead):
    dialog = await storage.channel_dialogs.dialog(viewer_id, event.channel_id)
    if dialog is None:
        return None
    update = T.UpdateReadChannelOutbox(channel_id=event.channel_id, max_id=dialog.read_outbox_max_id)
    return await updates_naming(storage, viewer_id, [update], [Peer.channel(event.channel_id)])


RECENT_REQUESTERS = 3  # as Telegram's updatePendingJoinRequests lists them


async def _pending_join_requests(storage, viewer_id: int, event: ev.PendingJoinRequests):
    channel = await storage.channels.get(event.channel_id)
    me = await storage.channel_participants.get(event.channel_id, viewer_id)
    if channel is None or not has_admin_right(me, channel, "invite_users"):
        return None  # only those who may answer requests are told of them
    count = (await storage.channel_joins.pending(channel.id))[None]
    recent, _ = await storage.channel_joins.requests(channel.id, limit=RECENT_REQUESTERS)
    requesters = [r.user_id for r in recent]
    update = T.UpdatePendingJoinRequests(peer=T.PeerChannel(channel_id=channel.id), requests_pending=count,
                                         recent_requesters=requesters)
    return T.Updates(updates=[update], users=await UserView(storage, viewer_id).users(requesters),
                     chats=[channel_object(channel, me)], date=int(time.time()), seq=0)


async def _login_token(storage, viewer_id: int, event: ev.LoginToken):
    return _short(T.UpdateLoginToken())


Renderer = Callable[..., Awaitable[object]]

RENDERERS: dict[type[ev.Event], Renderer] = {
    ev.LogRow: _log_row,
    ev.UserStatus: _user_status,
    ev.UserChanged: _user_changed,
    ev.Typing: _typing,
    ev.Draft: _draft,
    ev.DialogPinned: _dialog_pinned,
    ev.PinnedDialogs: _pinned_dialogs,
    ev.NotifySettings: _notify_settings,
    ev.DialogUnreadMark: _dialog_unread_mark,
    ev.ChatParticipants: _chat_participants,
    ev.ChannelLogRow: _channel_log_row,
    ev.ChannelChanged: _channel_changed,
    ev.ChannelInboxRead: _channel_inbox_read,
    ev.ChannelOutboxRead: _channel_outbox_read,
    ev.PendingJoinRequests: _pending_join_requests,
    ev.LoginToken: _login_token,
}


async def render(storage, viewer_id: int | None, event: ev.Event):
    """The Updates `event` means for `viewer_id` (None: a key not logged in), or None."""
    return await RENDERERS[type(event)](storage, viewer_id, event)
