"""Publishing an event: the one way a change reaches other sessions.

The origin rule: the session whose request made a change gets the change in its answer,
so an event published `by=ctx` carries that session as its origin and is not pushed
back to it; the same user's other sessions (other devices) do get it. A bus outage is
logged, never fatal: the change is stored already and clients catch up from the log.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import msgspec
import structlog

from storage.bus import BusError

from .events import Event, LogRow, Origin, encode
from .topics import channel_topic, key_topic, user_topic

log = structlog.get_logger("mtserver.updates")


def origin_of(ctx) -> Origin:
    return Origin(ctx.auth_key_id, ctx.session_id)


async def publish(services, event: Event, user_ids: Iterable[int], *, by=None) -> None:
    """Tell these users' live sessions of `event`; `by` (a RequestContext) is the session
    that caused it, skipped as the origin rule says."""
    await _publish(services, event, [user_topic(u) for u in dict.fromkeys(user_ids)], by)


async def tell_other_devices(ctx, event: Event) -> None:
    """The acting user's other sessions (not the one that made the change) get `event`."""
    await publish(ctx.services, event, [ctx.user_id], by=ctx)


async def publish_rows(ctx, rows) -> None:
    """Each box's live sessions are told of its new update-log row: (user_id, pts),
    (user_id, pts, pts_count) or, for a new_message row, (user_id, pts, 1, that box's
    copy of the message); pts None when nothing was logged for that box. The pts_count
    lets the acting session's stream place its own row in the box's pts order without
    reading it (rpc/updates/pts_order.py), the message lets every other session render
    it without reading it; without them the stream reads the row."""
    for user_id, pts, *more in rows:
        if pts is None:
            continue
        if user_id == ctx.user_id:
            ctx.on_own_row(pts)
        event = LogRow(pts=pts, pts_count=more[0] if more else 0, new_message=more[1] if len(more) > 1 else None)
        await publish(ctx.services, event, [user_id], by=ctx if user_id == ctx.user_id else None)


async def publish_to_channel(services, event: Event, channel_id: int, *, by=None) -> None:
    """Tell the live sessions of every member of a channel (one publish, whatever the
    number of members); `by` as in `publish`."""
    await _publish(services, event, [channel_topic(channel_id)], by)


async def publish_to_key(services, auth_key_id: int, event: Event) -> None:
    """Tell the sessions of one auth key that is not logged in (yet)."""
    await _publish(services, event, [key_topic(auth_key_id)], None)


async def _publish(services, event: Event, topics: list[str], by) -> None:
    """One encoding of the event, stamped with its publish time (for the delivery lag the
    receiving stream measures) and, with `by`, its origin, sent on each topic."""
    bus = getattr(services, "bus", None)
    if bus is None:
        return
    stamp = {"sent": time.time_ns() // 1000}
    if by is not None:
        stamp["origin"] = origin_of(by)
    await _send(bus, topics, encode(msgspec.structs.replace(event, **stamp)))


async def _send(bus, topics: list[str], payload: bytes) -> None:
    for topic in topics:
        try:
            await bus.publish(topic, payload)
        except BusError as exc:
            log.warning("bus_publish_failed", channel=topic, error=str(exc))

