"""What a connection consumes to push live updates: `async for push in stream`, or,
without a task waiting on it, `stream.pushes(payload)` for each payload its
subscription buffered (server/push_feed.py).

The stream owns the subscription to the viewer's topics, drops what the receiving
session caused itself (the origin rule, rpc/updates/publish.py), turns lost events
(the subscription overflowed, or the Redis bus reconnected) into updatesTooLong so the
client catches up from the log, and renders each event for its viewer (render.py).
A viewer listens to their own topic and to the topic of each channel they are a member
of; a ChannelChanged event about them starts or stops the latter as they join or leave.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import msgspec

from server import metrics
from tl import types as T

from . import events as ev
from .render import render
from .topics import channel_topic, key_topic, user_topic

Receiver = tuple[typing.Any, int]  # (the session object, session_id) that gets the pushes


class Push(typing.NamedTuple):
    receiver: Receiver
    updates: object


class UpdateStream:
    # One per logged-in connection: no per-instance dict.
    __slots__ = ("sub", "_storage", "_viewer_id", "_decoder", "_receiver", "_authorised", "logged_out")

    def __init__(self, sub, storage, viewer_id: int | None, accepts: type, *,
                 receiver: Callable[[], Receiver | None],
                 authorised: Callable[[], Awaitable[bool]] | None = None):
        self.sub = sub
        self._storage = storage
        self._viewer_id = viewer_id
        self._decoder = _decoder(accepts)
        self._receiver = receiver
        self._authorised = authorised
        self.logged_out = False  # the stream ended because `authorised` said no

    async def __aiter__(self) -> AsyncIterator[Push]:
        async for payload in self.sub:
            for push in await self.pushes(payload):
                yield push
            if self.logged_out:
                return

    async def pushes(self, payload: bytes) -> list[Push]:
        """What one payload of the subscription means for the receiving session, in
        order: nothing, a push, and updatesTooLong first when payloads were lost. Sets
        `logged_out` (with nothing more to push) when `authorised` says no: the owner
        stops then."""
        receiver = self._receiver()
        if receiver is None:
            return []  # no session wants updates (invokeWithoutUpdates only)
        found = [Push(receiver, T.UpdatesTooLong())] if self.sub.clear_overflowed() else []
        event = self._decode(payload)
        if event is None:
            return found
        if event.sent:
            metrics.observe_bus_lag(event.sent)
        if isinstance(event, ev.ChannelChanged):
            await self._follow_channel(event.channel_id)  # the acting session too
        if _is_origin(event.origin, receiver):
            return found
        if self._authorised is not None and not await self._authorised():
            self.logged_out = True
            return found
        updates = await render(self._storage, self._viewer_id, event)
        if updates is not None:
            found.append(Push(receiver, updates))
        return found

    def close(self) -> None:
        """Leave the subscription (streams from open_user_stream / open_key_stream)."""
        self.sub.close()

    async def follow_channels(self) -> None:
        """Listen to the topic of every channel the viewer is a member of."""
        for channel_id in await self._storage.channel_participants.channel_ids(self._viewer_id):
            await self.sub.add(channel_topic(channel_id))

    async def _follow_channel(self, channel_id: int) -> None:
        """The viewer's standing in a channel changed: listen to it while a member."""
        member = await self._storage.channel_participants.memberships(self._viewer_id, [channel_id])
        topic = channel_topic(channel_id)
        if member and topic not in self.sub.channels:
            await self.sub.add(topic)
        elif not member and topic in self.sub.channels:
            await self.sub.remove(topic)

    def _decode(self, payload: bytes) -> ev.Event | None:
        try:
            return self._decoder.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # unknown (a newer process in a rolling upgrade) or garbage: skipped


@functools.cache
def _decoder(accepts: type) -> msgspec.json.Decoder:
    """One decoder per event union, shared by every stream (a connection's memory counts)."""
    return msgspec.json.Decoder(accepts)


def _is_origin(origin: ev.Origin | None, receiver: Receiver) -> bool:
    session, session_id = receiver
    return origin is not None and origin.auth_key_id == session.auth_key_id and origin.session_id == session_id


async def open_user_stream(bus, storage, user_id: int, *, receiver, authorised) -> UpdateStream:
    """The live updates of a logged-in user, for one connection, subscribed to every
    topic the user hears; the caller closes it (`stream.close()`)."""
    sub = bus.subscribe(user_topic(user_id))
    await sub.open()
    try:
        stream = UpdateStream(sub, storage, user_id, ev.UserEvent, receiver=receiver, authorised=authorised)
        if storage is not None:
            await stream.follow_channels()
    except BaseException:
        sub.close()
        raise
    return stream


async def open_key_stream(bus, storage, auth_key_id: int, *, receiver) -> UpdateStream:
    """The few updates an auth key gets before it is logged in (updateLoginToken); the
    caller closes it."""
    sub = bus.subscribe(key_topic(auth_key_id))
    await sub.open()
    return UpdateStream(sub, storage, None, ev.KeyEvent, receiver=receiver)


@asynccontextmanager
async def user_stream(bus, storage, user_id: int, *, receiver, authorised) -> AsyncIterator[UpdateStream]:
    """open_user_stream for the length of a block."""
    stream = await open_user_stream(bus, storage, user_id, receiver=receiver, authorised=authorised)
    try:
        yield stream
    finally:
        stream.close()


@asynccontextmanager
async def key_stream(bus, storage, auth_key_id: int, *, receiver) -> AsyncIterator[UpdateStream]:
    """open_key_stream for the length of a block."""
    stream = await open_key_stream(bus, storage, auth_key_id, receiver=receiver)
    try:
        yield stream
    finally:
        stream.close()
