"""What a connection consumes to push live updates: `async for push in stream`.

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
    def __init__(self, sub, storage, viewer_id: int | None, accepts: type, *,
                 receiver: Callable[[], Receiver | None],
                 authorised: Callable[[], Awaitable[bool]] | None = None):
        self._sub = sub
        self._storage = storage
        self._viewer_id = viewer_id
        self._decoder = _decoder(accepts)
        self._receiver = receiver
        self._authorised = authorised
        self.logged_out = False  # the stream ended because `authorised` said no

    async def __aiter__(self) -> AsyncIterator[Push]:
        async for payload in self._sub:
            receiver = self._receiver()
            if receiver is None:
                continue  # no session wants updates (invokeWithoutUpdates only)
            if self._sub.clear_overflowed():
                yield Push(receiver, T.UpdatesTooLong())
            event = self._decode(payload)
            if event is None:
                continue
            if event.sent:
                metrics.observe_bus_lag(event.sent)
            if isinstance(event, ev.ChannelChanged):
                await self._follow_channel(event.channel_id)  # the acting session too
            if _is_origin(event.origin, receiver):
                continue
            if self._authorised is not None and not await self._authorised():
                self.logged_out = True
                return
            updates = await render(self._storage, self._viewer_id, event)
            if updates is not None:
                yield Push(receiver, updates)

    async def follow_channels(self) -> None:
        """Listen to the topic of every channel the viewer is a member of."""
        for channel_id in await self._storage.channel_participants.channel_ids(self._viewer_id):
            await self._sub.add(channel_topic(channel_id))

    async def _follow_channel(self, channel_id: int) -> None:
        """The viewer's standing in a channel changed: listen to it while a member."""
        member = await self._storage.channel_participants.memberships(self._viewer_id, [channel_id])
        topic = channel_topic(channel_id)
        if member and topic not in self._sub.channels:
            await self._sub.add(topic)
        elif not member and topic in self._sub.channels:
            await self._sub.remove(topic)

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


@asynccontextmanager
async def user_stream(bus, storage, user_id: int, *, receiver, authorised) -> AsyncIterator[UpdateStream]:
    """The live updates of a logged-in user, for one connection."""
    async with bus.subscribe(user_topic(user_id)) as sub:
        stream = UpdateStream(sub, storage, user_id, ev.UserEvent, receiver=receiver, authorised=authorised)
        if storage is not None:
            await stream.follow_channels()
        yield stream


@asynccontextmanager
async def key_stream(bus, storage, auth_key_id: int, *, receiver) -> AsyncIterator[UpdateStream]:
    """The few updates an auth key gets before it is logged in (updateLoginToken)."""
    async with bus.subscribe(key_topic(auth_key_id)) as sub:
        yield UpdateStream(sub, storage, None, ev.KeyEvent, receiver=receiver)
