"""The `chats` vector of an answer: every basic group and channel some peers name, as
the viewer sees them (chat_view.py, rpc/channels/view.py)."""

from __future__ import annotations

from collections.abc import Iterable

from storage.peer import Peer, PeerKind

from ..channels.view import ChannelView
from .chat_view import ChatView
from .peers import ids_of


async def chats_named(storage, viewer_id: int, peers: Iterable[Peer]) -> list:
    peers = list(peers)
    chats = await ChatView(storage, viewer_id).chats(ids_of(peers, PeerKind.CHAT))
    channel_ids = ids_of(peers, PeerKind.CHANNEL)
    return chats + (await ChannelView(storage, viewer_id).channels(channel_ids) if channel_ids else [])
