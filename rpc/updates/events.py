"""Every event the updates engine carries between sessions, as one typed union.

An event says what changed, not how a client shows it: the receiving session renders
it for its own user (privacy, the user's view of peers) and its client's layer
(rpc/updates/render.py). What can be read again when rendered (a draft, the pinned
order, a user's status) is read then, so a late event never shows a stale state.

On the bus an event is msgspec JSON with a "kind" tag (`encode` / `decode`). `origin`
is the session that caused it, which has its answer already and is skipped by the
stream (rpc/updates/stream.py); rpc/updates/publish.py sets it, and `sent`, the publish
time, from which the stream measures the bus's delivery lag (mtserver_bus_lag_seconds).
The time rides in the event rather than in a bus-level header so that payloads stay
JSON: a process of an older version ignores the field and a newer one reads events
without it (no lag observed), so a rolling upgrade loses nothing.
"""

from __future__ import annotations

from typing import Any

import msgspec

from storage.models import MessageRecord
from storage.peer import Peer


class Origin(msgspec.Struct, frozen=True, array_like=True):
    auth_key_id: int
    session_id: int


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", omit_defaults=True):
    origin: Origin | None = None
    sent: int = 0  # when it was published: microseconds since the epoch (0: not stamped)


# -- a user's topic ---------------------------------------------------------------------

class LogRow(Event, tag="log"):
    """A new row of the receiver's update log (a message box change), by its pts: the
    same row updates.getDifference would return."""

    pts: int
    # How far the row moved the box (0: not said, the stream reads the row; a process
    # before this field sends none and ignores it).
    pts_count: int = 0
    # A new_message row's message, the receiver's copy as its transaction wrote it: the
    # receiving stream renders the row without reading it back (rpc/updates/render.py
    # `carried_logged`). Absent: the row is read. What changes the message later (an
    # edit, a deletion) is a row of its own, pushed after this one.
    new_message: MessageRecord | None = None


class UserStatus(Event, tag="user_status"):
    """updateUserStatus: `user_id` came online or went offline."""

    user_id: int


class UserChanged(Event, tag="user_changed"):
    """updateUser: `user_id`'s name, username or photo changed."""

    user_id: int


class Typing(Event, tag="typing"):
    """`user_id` is typing (or uploading, ...) to the receiver; `chat` when in a group
    or a supergroup (`top_msg_id`: in that forum topic or thread)."""

    user_id: int
    action: dict[str, Any]  # a SendMessageAction in TL dict form
    chat: Peer | None = None
    top_msg_id: int = 0


class Draft(Event, tag="draft"):
    """The receiver's draft to `peer` changed (on another device of theirs)."""

    peer: Peer


class DialogPinned(Event, tag="dialog_pinned"):
    peer: Peer
    pinned: bool


class PinnedDialogs(Event, tag="pinned_dialogs"):
    """The order of the receiver's pinned dialogs changed."""


class NotifySettings(Event, tag="notify_settings"):
    """The receiver's notification settings of one scope changed: "peer" (`peer` set) or
    a global default, "users" / "chats" / "broadcasts"."""

    scope: str
    peer: Peer | None = None


class DialogUnreadMark(Event, tag="dialog_unread_mark"):
    peer: Peer


class ChatParticipants(Event, tag="chat_participants"):
    """A basic group's member list changed in a way no message announces (admins)."""

    chat_id: int


# -- a channel's topic, and channel news on a user's ---------------------------------------

class ChannelLogRow(Event, tag="channel_log"):
    """A new row of a channel's own update log (its pts): what
    updates.getChannelDifference would return, pushed to the members' sessions."""

    channel_id: int
    pts: int


class ChannelChanged(Event, tag="channel"):
    """updateChannel: the channel, or the receiver's standing in it, changed (joined,
    left, kicked, promoted, renamed...): the client refetches it. A stream receiving it
    for its own user also starts or stops listening to the channel's topic."""

    channel_id: int


class ChannelInboxRead(Event, tag="channel_inbox_read"):
    """updateReadChannelInbox: the receiver read a channel on another device (the mark
    and the unread count are read when rendered)."""

    channel_id: int


class ChannelOutboxRead(Event, tag="channel_outbox_read"):
    """updateReadChannelOutbox: someone read the receiver's messages in a channel (up to
    the channel's outbox mark, read when rendered)."""

    channel_id: int


class PendingJoinRequests(Event, tag="pending_join_requests"):
    """updatePendingJoinRequests: someone asked to join the channel, or a request was
    answered. Published on the channel's topic; only admins who may answer requests are
    shown it (the count and the latest requesters are read when rendered)."""

    channel_id: int


# -- an auth key's topic (before it is logged in) ----------------------------------------

class LoginToken(Event, tag="login_token"):
    """The QR login token this key exported was accepted on a logged-in device."""


UserEvent = LogRow | UserStatus | UserChanged | Typing | Draft | DialogPinned | PinnedDialogs | NotifySettings \
    | DialogUnreadMark | ChatParticipants | ChannelLogRow | ChannelChanged | ChannelInboxRead | ChannelOutboxRead \
    | PendingJoinRequests
KeyEvent = LoginToken
AnyEvent = UserEvent | KeyEvent

_decoder = msgspec.json.Decoder(AnyEvent)


def encode(event: Event) -> bytes:
    return msgspec.json.encode(event)


def decode(payload: bytes) -> Event | None:
    """The event a bus payload holds; None for one this server does not know (a newer
    process during a rolling upgrade, or garbage), which is skipped, never fatal."""
    try:
        return _decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
