"""Live events between sessions: what is published on the bus, and how a receiving
session renders it for its user.

Payloads carry meaning, not bytes (ARCHITECTURE.md, "Messages"): `{"kind": "user_status",
"user_id": 42}`. The receiving connection renders it for its own user (privacy: exact or
rounded last-seen) and its client's layer. Channels are `user:<id>`, one per user, and
`key:<auth_key_id>` for the few updates an auth key gets before it is logged in
(updateLoginToken).
Events that are not message-box changes (typing, drafts, dialog pins) are rendered by
rpc/services/live_signals.py.
"""

from __future__ import annotations

import time

import msgspec
import structlog

from storage.bus import BusError
from tl import types as T

from .chat_view import ChatView, participants_object
from .live_signals import RENDERERS as SIGNAL_RENDERERS
from .messages_view import render_log
from .users import UserView

log = structlog.get_logger("mtserver.live")


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def key_channel(auth_key_id: int) -> str:
    return f"key:{auth_key_id}"


async def publish(services, user_ids, event: dict) -> None:
    """Tell these users' live sessions; a bus outage is logged, never fatal (the
    change is already stored)."""
    bus = getattr(services, "bus", None)
    if bus is None:
        return
    payload = msgspec.json.encode(event)
    for user_id in user_ids:
        try:
            await bus.publish(user_channel(user_id), payload)
        except BusError as exc:
            log.warning("bus_publish_failed", channel=user_channel(user_id), error=str(exc))


async def publish_to_key(services, auth_key_id: int, event: dict) -> None:
    """Tell the sessions of one auth key that is not logged in (yet); only the kinds in
    KEY_EVENTS are rendered for it."""
    bus = getattr(services, "bus", None)
    if bus is None:
        return
    try:
        await bus.publish(key_channel(auth_key_id), msgspec.json.encode(event))
    except BusError as exc:
        log.warning("bus_publish_failed", channel=key_channel(auth_key_id), error=str(exc))


def _from(ctx) -> dict:
    """Marks an event as caused by this request's session, which has its answer already
    and is skipped by its own push loop (server/connection.py)."""
    return {"origin_key": ctx.auth_key_id, "origin_session": ctx.session_id}


async def tell_other_devices(ctx, event: dict) -> None:
    """The acting user's other sessions (not the one that made the change) get `event`."""
    await publish(ctx.services, [ctx.user_id], {**event, **_from(ctx)})


async def publish_rows(ctx, rows) -> None:
    """Each box's live sessions are told of its new update-log row ([(user_id, pts)]);
    the session that made the change (ctx) is answered directly, so not told again,
    but the same user's other sessions are."""
    for user_id, pts in rows:
        if pts is None:
            continue
        event = {"kind": "log", "pts": pts, **(_from(ctx) if user_id == ctx.user_id else {})}
        await publish(ctx.services, [user_id], event)


async def announce_profile(ctx, user_id: int) -> None:
    """The user's name, username or photo changed: their other devices and everyone who
    has them in their contacts get updateUser with the user as they may see it."""
    event = {"kind": "user_changed", "user_id": user_id}
    await tell_other_devices(ctx, event)
    owners = [o for o in await ctx.services.storage.contacts.owners_of(user_id) if o != user_id]
    await publish(ctx.services, owners, event)


async def announce_status(services, user_id: int) -> None:
    """updateUserStatus for everyone who has `user_id` in their contacts."""
    owners = await services.storage.contacts.owners_of(user_id)
    await publish(services, owners, {"kind": "user_status", "user_id": user_id})


ONLINE_PERIOD = 300  # seconds a user stays online after connecting or account.updateStatus


async def mark_online(services, user_id: int) -> None:
    """Online from now (a session of theirs connected), if they were not; contacts are told."""
    record = await services.storage.users.get(user_id)
    now = int(time.time())
    if record is None or record.online_until > now:
        return
    await services.storage.users.set_status(user_id, last_seen=now, online_until=now + ONLINE_PERIOD)
    await announce_status(services, user_id)


async def mark_offline(services, user_id: int) -> None:
    """Offline since now, if the user was online; contacts are told."""
    record = await services.storage.users.get(user_id)
    now = int(time.time())
    if record is None or record.online_until <= now:
        return
    await services.storage.users.set_status(user_id, last_seen=now, online_until=0)
    await announce_status(services, user_id)


def decode(payload: bytes) -> dict | None:
    try:
        event = msgspec.json.decode(payload)
    except msgspec.DecodeError:
        return None
    return event if isinstance(event, dict) else None


# What a key that is not logged in may be sent (Telegram sends a handful of updates
# before login; updateLoginToken is the one this server has).
KEY_EVENTS = {
    "login_token": lambda: T.UpdateShort(update=T.UpdateLoginToken(), date=int(time.time())),
}


def render_key_event(event: dict):
    """The Updates an event on a key channel means, or None."""
    make = KEY_EVENTS.get(event.get("kind"))
    return None if make is None else make()


async def render(storage, viewer_id: int, event: dict):
    """The Updates object an event means for `viewer_id`, or None."""
    kind = event.get("kind")
    if kind in SIGNAL_RENDERERS:
        return await SIGNAL_RENDERERS[kind](storage, viewer_id, event)
    if kind == "user_status":
        user = await UserView(storage, viewer_id).user(int(event["user_id"]))
        if user is None or user.status is None:
            return None
        update = T.UpdateUserStatus(user_id=user.id, status=user.status)
        return T.UpdateShort(update=update, date=int(time.time()))
    if kind == "log":
        # One row of the viewer's own update log, by its pts.
        pts = int(event["pts"])
        rows = [r for r in await storage.messages.update_log(viewer_id, pts - 1, 1) if r.pts == pts]
        if not rows:
            return None
        new_messages, others, users, chats = await render_log(storage, viewer_id, rows)
        updates = [T.UpdateNewMessage(message=m, pts=rows[0].pts, pts_count=rows[0].pts_count)
                   for m in new_messages] + others
        if not updates:
            return None
        return T.Updates(updates=updates, users=await UserView(storage, viewer_id).users(users),
                         chats=await ChatView(storage, viewer_id).chats(chats), date=int(time.time()), seq=0)
    if kind == "chat_participants":
        # A change to a basic group's members that no message announces (admins): the
        # member list as it is now, for a viewer who is still in it.
        chat = await storage.chats.get(int(event["chat_id"]))
        participants = [] if chat is None else await storage.chats.participants(chat.id)
        if not any(p.user_id == viewer_id for p in participants):
            return None
        update = T.UpdateChatParticipants(participants=participants_object(chat, participants))
        return T.Updates(updates=[update], users=await UserView(storage, viewer_id).users(
            [p.user_id for p in participants]), chats=[await ChatView(storage, viewer_id).chat(chat, participants)],
            date=int(time.time()), seq=0)
    return None
