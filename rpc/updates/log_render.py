"""Update-log rows as Update objects: one table from a row's kind (storage's UpdateKind)
to what the viewer is shown. Live pushes (render.py's LogRow), updates.getDifference
(difference.py) and handlers that answer with the updates they caused (log_updates)
all render rows here, so a change looks the same whichever way it arrives.

A row whose message was deleted since renders as nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from storage.models import MessageRecord, UpdateRecord
from storage.peer import Peer, PeerKind
from storage.update_log import UpdateKind
from tl import types as T

from ..services.messages_view import chat_peers_of, message, users_of
from ..services.peers import ids_of, peer_object


class Rendered:
    """What some rows come to: new messages (getDifference lists them apart), other
    updates, and whom they name."""

    def __init__(self) -> None:
        self.new_messages: list = []
        self.others: list = []
        self.shown: list[MessageRecord] = []  # messages whose authors, chats and forwards are named
        self.peers: list[Peer] = []  # peers named besides those


def _new_message(r: UpdateRecord, found: dict[int, MessageRecord], out: Rendered) -> None:
    record = found.get(r.data["id"])
    if record is not None:
        out.new_messages.append(message(record))
        out.shown.append(record)


def _edit_message(r: UpdateRecord, found: dict[int, MessageRecord], out: Rendered) -> None:
    record = found.get(r.data["id"])
    if record is not None:
        out.others.append(T.UpdateEditMessage(message=message(record), pts=r.pts, pts_count=r.pts_count))
        out.shown.append(record)


def _delete_messages(r: UpdateRecord, found, out: Rendered) -> None:
    out.others.append(T.UpdateDeleteMessages(messages=list(r.data["ids"]), pts=r.pts, pts_count=r.pts_count))


def _read_inbox(r: UpdateRecord, found, out: Rendered) -> None:
    out.others.append(T.UpdateReadHistoryInbox(peer=peer_object(r.peer), max_id=r.data["max_id"],
                                               still_unread_count=r.data.get("still_unread_count", 0),
                                               pts=r.pts, pts_count=r.pts_count))
    out.peers.append(r.peer)


def _read_outbox(r: UpdateRecord, found, out: Rendered) -> None:
    out.others.append(T.UpdateReadHistoryOutbox(peer=peer_object(r.peer), max_id=r.data["max_id"],
                                                pts=r.pts, pts_count=r.pts_count))
    out.peers.append(r.peer)


def _pinned_messages(r: UpdateRecord, found, out: Rendered) -> None:
    out.others.append(T.UpdatePinnedMessages(pinned=r.data["pinned"], peer=peer_object(r.peer),
                                             messages=list(r.data["ids"]), pts=r.pts, pts_count=r.pts_count))
    out.peers.append(r.peer)


def _channel(r: UpdateRecord, found, out: Rendered) -> None:
    channel = Peer.channel(r.data["channel_id"])
    out.others.append(T.UpdateChannel(channel_id=channel.id))
    out.peers.append(channel)


RowRenderer = Callable[[UpdateRecord, dict[int, MessageRecord], Rendered], None]

ROW_RENDERERS: dict[UpdateKind, RowRenderer] = {
    UpdateKind.NEW_MESSAGE: _new_message,
    UpdateKind.EDIT_MESSAGE: _edit_message,
    UpdateKind.DELETE_MESSAGES: _delete_messages,
    UpdateKind.READ_INBOX: _read_inbox,
    UpdateKind.READ_OUTBOX: _read_outbox,
    UpdateKind.PINNED_MESSAGES: _pinned_messages,
    UpdateKind.CHANNEL: _channel,
}
# Rows that show a stored message, fetched in one read for all the rows.
_SHOW_MESSAGE = (UpdateKind.NEW_MESSAGE, UpdateKind.EDIT_MESSAGE)


async def render_log(storage, user_id: int, rows: list[UpdateRecord],
                     found: dict[int, MessageRecord] | None = None):
    """(new_messages, other_updates, user ids, chat peers: the basic groups and channels
    named, for rpc/services/chats_named.py) for update-log rows. A kind this server does
    not know (written by a newer one sharing the database) is skipped. `found`: the
    messages the rows show, when the caller read them already (by id)."""
    if found is None:
        wanted = [r.data["id"] for r in rows if r.kind in _SHOW_MESSAGE]
        found = {m.id: m for m in await storage.messages.get(user_id, wanted)} if wanted else {}
    out = Rendered()
    for r in rows:
        render = ROW_RENDERERS.get(r.kind)
        if render is not None:
            render(r, found, out)
    chat_peers = chat_peers_of(out.shown) + [p for p in out.peers if p.kind is not PeerKind.USER]
    return (out.new_messages, out.others, list(dict.fromkeys(users_of(out.shown) + ids_of(out.peers, PeerKind.USER))),
            list(dict.fromkeys(chat_peers)))


async def log_updates(storage, user_id: int, pts_values: list[int]):
    """(updates, user ids, chat peers): these rows of the user's log as Update objects, in
    pts order (new messages as updateNewMessage with their own pts), for a handler's answer."""
    if not pts_values:
        return [], [], []
    first, last = min(pts_values), max(pts_values)
    rows = [r for r in await storage.messages.update_log(user_id, first - 1, last - first + 1)
            if r.pts in set(pts_values)]
    updates, users, chats = [], [], []
    for row in rows:
        new_messages, others, row_users, row_chats = await render_log(storage, user_id, [row])
        updates += [T.UpdateNewMessage(message=m, pts=row.pts, pts_count=row.pts_count) for m in new_messages]
        updates += others
        users += row_users
        chats += row_chats
    return updates, list(dict.fromkeys(users)), list(dict.fromkeys(chats))
