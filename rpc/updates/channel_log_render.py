"""A channel's update-log rows as Update objects, for one member: one table from the
row's kind (the user log's UpdateKind values) to the updateXxxChannelXxx a client gets.
Live pushes (render.py's ChannelLogRow) and updates.getChannelDifference use it.
A message deleted since renders as nothing."""

from __future__ import annotations

from collections.abc import Callable

from storage.models import ChannelMessageRecord, ChannelRecord, ChannelUpdateRecord
from storage.update_log import UpdateKind
from tl import types as T

from ..channels.messages_view import channel_message, user_ids_named
from ..channels.threads import replies_of


class ChannelRendered:
    def __init__(self) -> None:
        self.new_messages: list = []
        self.others: list = []
        self.shown: list[ChannelMessageRecord] = []
        self.replies: dict[int, T.MessageReplies] = {}  # the threads the messages show


Row = ChannelUpdateRecord
Found = dict[int, ChannelMessageRecord]


def _new_message(channel: ChannelRecord, viewer_id: int, r: Row, found: Found, out: ChannelRendered) -> None:
    record = found.get(r.data["id"])
    if record is not None:
        out.new_messages.append(channel_message(record, channel, viewer_id, out.replies.get(record.id)))
        out.shown.append(record)


def _edit_message(channel: ChannelRecord, viewer_id: int, r: Row, found: Found, out: ChannelRendered) -> None:
    record = found.get(r.data["id"])
    if record is not None:
        shown = channel_message(record, channel, viewer_id, out.replies.get(record.id))
        out.others.append(T.UpdateEditChannelMessage(message=shown, pts=r.pts, pts_count=r.pts_count))
        out.shown.append(record)


def _delete_messages(channel: ChannelRecord, viewer_id: int, r: Row, found: Found, out: ChannelRendered) -> None:
    out.others.append(T.UpdateDeleteChannelMessages(channel_id=channel.id, messages=list(r.data["ids"]), pts=r.pts,
                                                    pts_count=r.pts_count))


def _pinned_messages(channel: ChannelRecord, viewer_id: int, r: Row, found: Found, out: ChannelRendered) -> None:
    out.others.append(T.UpdatePinnedChannelMessages(pinned=r.data["pinned"], channel_id=channel.id,
                                                    messages=list(r.data["ids"]), pts=r.pts, pts_count=r.pts_count))


ChannelRowRenderer = Callable[[ChannelRecord, int, Row, Found, ChannelRendered], None]

CHANNEL_ROW_RENDERERS: dict[UpdateKind, ChannelRowRenderer] = {
    UpdateKind.NEW_MESSAGE: _new_message,
    UpdateKind.EDIT_MESSAGE: _edit_message,
    UpdateKind.DELETE_MESSAGES: _delete_messages,
    UpdateKind.PINNED_MESSAGES: _pinned_messages,
}
_SHOW_MESSAGE = (UpdateKind.NEW_MESSAGE, UpdateKind.EDIT_MESSAGE)


async def shown_by(storage, channel: ChannelRecord, rows: list[Row]) -> tuple[Found, dict]:
    """The messages these rows show, and for a broadcast the comment threads of those
    (what every reader of the rows sees alike)."""
    wanted = [r.data["id"] for r in rows if r.kind in _SHOW_MESSAGE]
    found = {m.id: m for m in await storage.channel_messages.get(channel.id, wanted)} if wanted else {}
    # A post shows its comments from the start; a supergroup's new or edited message
    # showing its replies is left to the next read (no query per delivery for that).
    replies = await replies_of(storage, channel, list(found.values())) if channel.broadcast else {}
    return found, replies


async def render_channel_log(storage, viewer_id: int, channel: ChannelRecord, rows: list[Row],
                             shown: tuple[Found, dict] | None = None):
    """(new_messages, other_updates, user ids named) for rows of one channel's log.
    `shown`: `shown_by`'s answer, when the caller has it already."""
    found, replies = shown if shown is not None else await shown_by(storage, channel, rows)
    out = ChannelRendered()
    out.replies = replies
    for r in rows:
        render = CHANNEL_ROW_RENDERERS.get(r.kind)
        if render is not None:
            render(channel, viewer_id, r, found, out)
    return out.new_messages, out.others, user_ids_named(out.shown)
