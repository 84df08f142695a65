"""Stored dialogs as their owner sees them in TL: pinned flag, unread mark, draft,
notification settings, top message.

One place for messages.getDialogs, getPeerDialogs and getPinnedDialogs, so the three
agree on what a dialog looks like; channel dialogs come from storage/channel_dialogs.py
and look as rpc/channels/dialogs.py makes them.
"""

from __future__ import annotations

import time

import tl
from storage.models import ChannelDialogRecord, DialogRecord, DraftRecord
from storage.peer import Peer, PeerKind
from tl import types as T

from ..channels.dialogs import dialog_object as channel_dialog_object
from ..channels.messages_view import channel_message, peers_named, user_ids_named
from ..channels.view import channel_object
from .chat_view import ChatView
from .chats_named import chats_named
from .messages_view import chat_peers_of, message, users_of
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


async def channel_records(storage, owner_id: int, records: list) -> list:
    """The records with each box dialogs row of a channel (a pinned or marked channel:
    storage keeps those flags there, top_message 0) replaced by the member's channel
    dialog (storage/channel_dialogs.py); left out where they are no member any more."""
    out = []
    for r in records:
        if isinstance(r, DialogRecord) and r.peer.kind is PeerKind.CHANNEL:
            r = await storage.channel_dialogs.dialog(owner_id, r.peer.id)
            if r is None:
                continue
        out.append(r)
    return out


def _peer_of(record) -> Peer:
    return Peer.channel(record.channel_id) if isinstance(record, ChannelDialogRecord) else record.peer


async def dialog_objects(storage, owner_id: int, records: list):
    """(dialogs, their top messages, the user ids they name, the chats and channels they
    name as TL) for box dialogs (DialogRecord) and channel dialogs (ChannelDialogRecord),
    in the order given."""
    records = await channel_records(storage, owner_id, records)
    peers = [_peer_of(r) for r in records]
    drafts = {d.peer: d for d in await storage.drafts.list(owner_id)} if records else {}
    notify = await storage.notify_settings.for_peers(owner_id, peers) if records else {}
    boxes = [r for r in records if isinstance(r, DialogRecord)]
    tops = await storage.messages.get(owner_id, [d.top_message for d in boxes if d.top_message])
    channel_ids = [r.channel_id for r in records if isinstance(r, ChannelDialogRecord)]
    channels = {c.id: c for c in await storage.channels.get_many(channel_ids)} if channel_ids else {}
    mine = await storage.channel_participants.standings(owner_id, channel_ids) if channel_ids else {}
    dialogs, messages, channel_tops = [], [message(r) for r in tops], []
    for r, peer in zip(records, peers):
        draft = draft_object(drafts[peer]) if peer in drafts else None
        if isinstance(r, ChannelDialogRecord):
            dialogs.append(channel_dialog_object(r, notify=notify.get(peer), draft=draft))
            top = await storage.channel_messages.get(r.channel_id, [r.top_message]) if r.top_message else []
            if top and r.channel_id in channels:
                messages.append(channel_message(top[0], channels[r.channel_id], owner_id))
                channel_tops += top
            continue
        dialogs.append(T.Dialog(pinned=r.pinned_order is not None, unread_mark=r.unread_mark, peer=peer_object(peer),
                                top_message=r.top_message, read_inbox_max_id=r.read_inbox_max_id,
                                read_outbox_max_id=r.read_outbox_max_id, unread_count=r.unread_count,
                                unread_mentions_count=0, unread_reactions_count=0, unread_poll_votes_count=0,
                                notify_settings=settings_object(notify.get(peer)), draft=draft))
    user_ids = list(dict.fromkeys(ids_of(peers, PeerKind.USER) + users_of(tops) + user_ids_named(channel_tops)))
    named = [p for p in chat_peers_of(tops) + peers_named(channel_tops) if p.kind is not PeerKind.USER]
    chat_ids = list(dict.fromkeys(ids_of(peers + named, PeerKind.CHAT)))
    chats = await ChatView(storage, owner_id).chats(chat_ids)
    for channel_id in dict.fromkeys(channel_ids + ids_of(named, PeerKind.CHANNEL)):
        if channel_id in channels:
            chats.append(channel_object(channels[channel_id], mine.get(channel_id)))
        else:
            chats += await chats_named(storage, owner_id, [Peer.channel(channel_id)])
    return dialogs, messages, user_ids, chats


async def peer_dialogs_object(storage, owner_id: int, records: list, state):
    """messages.peerDialogs (getPeerDialogs, getPinnedDialogs) with the box's `state`."""
    dialogs, messages, user_ids, chats = await dialog_objects(storage, owner_id, records)
    return T.messages.PeerDialogs(dialogs=dialogs, messages=messages, chats=chats,
                                  users=await UserView(storage, owner_id).users(user_ids), state=state)
