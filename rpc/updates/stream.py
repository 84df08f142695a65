"""What a connection consumes to push live updates: `async for push in stream`, or,
without a task waiting on it, `stream.pushes(payload)` for each payload its
subscription buffered (server/push_feed.py).

The stream owns the subscription to the viewer's topics, drops what the receiving
session caused itself (the origin rule, rpc/updates/publish.py), turns lost events
(the subscription overflowed, or the Redis bus reconnected) into updatesTooLong so the
client catches up from the log, and renders each event for its viewer (render.py).
A viewer listens to their own topic and to the topic of each channel they are a member
of; a ChannelChanged event about them starts or stops the latter as they join or leave.

A user's stream pushes the rows of their common box (LogRow) in pts order, with no gap
the update log could fill (rpc/updates/pts_order.py): a row ahead of the session's pts
is held until the rows before it arrive, at most `due`; then the owner calls `fill()`,
which reads them from the log. It starts from the box's pts read just before
subscribing, and fills in the rows logged while it subscribed (a login's answer leaves
before its connection's subscription is open, server/connection.py).
"""

from __future__ import annotations

import functools
import typing
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import msgspec
import trio

from server import metrics
from tl import types as T

from storage.bus import BusClosed

from . import events as ev
from .pts_order import FILL_ROWS, Entry, PtsOrder
from .render import logged_row, render, render_logged
from .topics import channel_topic, key_topic, user_topic

Receiver = tuple[typing.Any, int]  # (the session object, session_id) that gets the pushes


class Push(typing.NamedTuple):
    receiver: Receiver
    updates: object


class UpdateStream:
    # One per logged-in connection: no per-instance dict.
    __slots__ = ("sub", "_storage", "_viewer_id", "_decoder", "_receiver", "_authorised", "logged_out", "_order")

    def __init__(self, sub, storage, viewer_id: int | None, accepts: type, *,
                 receiver: Callable[[], Receiver | None],
                 authorised: Callable[[], Awaitable[bool]] | None = None, pts: int | None = None):
        self.sub = sub
        self._storage = storage
        self._viewer_id = viewer_id
        self._decoder = _decoder(accepts)
        self._receiver = receiver
        self._authorised = authorised
        self.logged_out = False  # the stream ended because `authorised` said no
        # The box's pts order (a user's stream with storage; `pts`: where it starts).
        self._order = PtsOrder(pts) if storage is not None and viewer_id is not None else None

    @property
    def due(self) -> float | None:
        """While rows are held for a gap in the box's pts: the trio time at which to
        `fill()` it if the rows missing have not arrived; else None."""
        return None if self._order is None else self._order.due

    async def __aiter__(self) -> AsyncIterator[Push]:
        while True:
            payload = None
            with trio.move_on_at(math.inf if self.due is None else self.due):
                try:
                    payload = await self.sub.receive()
                except BusClosed:
                    return
            for push in await (self.fill() if payload is None else self.pushes(payload)):
                yield push
            if self.logged_out:
                return

    async def pushes(self, payload: bytes) -> list[Push]:
        """What one payload of the subscription means for the receiving session, in
        order: nothing, a push, and updatesTooLong first when payloads were lost; for a
        log row, the rows it released, or nothing while it is held (and when its gap is
        due, the rows filled in). Sets `logged_out` (with nothing more to push) when
        `authorised` says no: the owner stops then."""
        receiver = self._receiver()
        if receiver is None:
            return []  # no session wants updates (invokeWithoutUpdates only)
        found = []
        if self.sub.clear_overflowed():
            found.append(Push(receiver, T.UpdatesTooLong()))
            if self._order is not None:
                self._order.restart()
        event = self._decode(payload)
        if event is None:
            return found
        if event.sent:
            metrics.observe_bus_lag(event.sent)
        if isinstance(event, ev.ChannelChanged):
            await self._follow_channel(event.channel_id)  # the acting session too
        origin = _is_origin(event.origin, receiver)
        if origin and not isinstance(event, ev.LogRow):
            return found
        if not origin and self._authorised is not None and not await self._authorised():
            self.logged_out = True
            return found
        if isinstance(event, ev.LogRow) and self._order is not None:
            return found + await self._placed(event, origin, receiver)
        if origin:
            return found
        updates = await render(self._storage, self._viewer_id, event)
        if updates is not None:
            found.append(Push(receiver, updates))
        return found

    def own_row(self, session_id: int, pts: int) -> None:
        """A call of `session_id` on this connection made row `pts` of the box (its answer
        carries it): the receiving session's order counts it as given."""
        receiver = self._receiver()
        if self._order is not None and receiver is not None and receiver[1] == session_id:
            self._order.own(pts)

    async def fill(self) -> list[Push]:
        """The gap held open fills from the update log: the rows it lacked, and those
        held behind them, in order; updatesTooLong first if the log cannot close it."""
        order = self._order
        after = None if order is None else order.gap_after()
        if after is None:
            return []
        rows = await self._storage.messages.update_log(self._viewer_id, after, FILL_ROWS)
        if order.gap_after() != after:  # moved on while reading (the owner is one task: not expected)
            return []
        entries, lost = order.fill(rows)
        (metrics.PUSH_GAPS_LOST if lost else metrics.PUSH_GAPS_FROM_LOG).inc()
        receiver = self._receiver()
        if receiver is None:
            return []
        found = [Push(receiver, T.UpdatesTooLong())] if lost else []
        return found + await self._rendered(entries, receiver)

    async def _placed(self, event: ev.LogRow, origin: bool, receiver: Receiver) -> list[Push]:
        order = self._order
        if order.covers(event.pts):
            return []  # filled in from the log already, or a late copy
        if origin and event.pts_count:
            entry = Entry(event.pts, event.pts_count, None)  # its answer told the session: nothing read
        else:
            logged = await logged_row(self._storage, self._viewer_id, event)  # what rendering reads anyway
            if logged is None:
                return []  # pruned already
            row = logged[0]
            entry = Entry(row.pts, row.pts_count, None if origin else logged)
        held = order.due
        found = await self._rendered(order.place(entry, trio.current_time()), receiver)
        if held is not None and order.due is None:
            metrics.PUSH_GAPS_ARRIVED.inc()
        if order.due is not None and order.due <= trio.current_time():
            found += await self.fill()  # a steady flow of payloads: the gap is due meanwhile
        return found

    async def _rendered(self, entries: list[Entry], receiver: Receiver) -> list[Push]:
        found = []
        for entry in entries:
            if entry.logged is None:
                continue
            updates = await render_logged(self._storage, self._viewer_id, *entry.logged)
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
    # The box's pts before subscribing, and again once subscribed: what was logged in
    # between is filled in from the log like any gap (two reads per stream, none per row).
    pts = None if storage is None else (await storage.updates.get(user_id)).pts
    await sub.open()
    try:
        stream = UpdateStream(sub, storage, user_id, ev.UserEvent, receiver=receiver, authorised=authorised, pts=pts)
        if storage is not None:
            await stream.follow_channels()
            stream._order.saw((await storage.updates.get(user_id)).pts, trio.current_time())
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
