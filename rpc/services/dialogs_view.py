"""Stored dialogs as their owner sees them in TL: pinned flag, unread mark, draft,
notification settings, top message.

One place for messages.getDialogs, getPeerDialogs and getPinnedDialogs, so the three
agree on what a dialog looks like.
"""

from __future__ import annotations

import time

import tl
from storage.models import DialogRecord, DraftRecord
from storage.peer import Peer, PeerKind
from tl import types as T

from .chat_view import ChatView
from .chats_named import chats_named
from .messages_view import chats_of, message, users_of
from .notify_view import settings_object
from .peers import ids_of, peer_object
from .users import UserView


def draft_object(record: DraftRecord | None, date: int = 0):
    """draftMessage, or draftMessageEmpty when there is none (any more)."""
    if record is None:
        return T.DraftMessageEmpty(date=date or None)
    reply_to = T.InputReplyToMessage(reply_to_msg_id=record.reply_to_msg_id) if record.reply_to_msg_id else None
    return T.DraftMessage(no_webpage=record.no_webpage, reply_to=reply_to, message=record.message,
                          entities=[tl.from_dict(e) for e in record.entities] or None, date=record.date)


async def updates_naming(storage, viewer_id: int, updates: list, peers: list[Peer]):
    """Updates naming these peers, with their users and chats."""
    users = await UserView(storage, viewer_id).users(ids_of(peers, PeerKind.USER))
    chats = await chats_named(storage, viewer_id, peers)
    return T.Updates(updates=updates, users=users, chats=chats, date=int(time.time()), seq=0)


async def dialog_objects(storage, owner_id: int, records: list[DialogRecord]):
    """(dialogs, their top messages, the user ids and chat ids they name)."""
    drafts = {d.peer: d for d in await storage.drafts.list(owner_id)} if records else {}
    notify = await storage.notify_settings.for_peers(owner_id, [d.peer for d in records]) if records else {}
    tops = await storage.messages.get(owner_id, [d.top_message for d in records if d.top_message])
    dialogs = [T.Dialog(pinned=d.pinned_order is not None, unread_mark=d.unread_mark, peer=peer_object(d.peer),
                        top_message=d.top_message,
                        read_inbox_max_id=d.read_inbox_max_id, read_outbox_max_id=d.read_outbox_max_id,
                        unread_count=d.unread_count, unread_mentions_count=0, unread_reactions_count=0,
                        unread_poll_votes_count=0, notify_settings=settings_object(notify.get(d.peer)),
                        draft=draft_object(drafts[d.peer]) if d.peer in drafts else None)
               for d in records]
    peers = [d.peer for d in records]
    user_ids = list(dict.fromkeys(ids_of(peers, PeerKind.USER) + users_of(tops)))
    chat_ids = list(dict.fromkeys(ids_of(peers, PeerKind.CHAT) + chats_of(tops)))
    return dialogs, [message(r) for r in tops], user_ids, chat_ids


async def peer_dialogs_object(storage, owner_id: int, records: list[DialogRecord], state):
    """messages.peerDialogs (getPeerDialogs, getPinnedDialogs) with the box's `state`."""
    dialogs, messages, user_ids, chat_ids = await dialog_objects(storage, owner_id, records)
    return T.messages.PeerDialogs(dialogs=dialogs, messages=messages,
                                  chats=await ChatView(storage, owner_id).chats(chat_ids),
                                  users=await UserView(storage, owner_id).users(user_ids), state=state)
