"""Input peers → `Peer` values, with the access checks (USER_ID_INVALID / PEER_ID_INVALID).

A peer is a kind (user, basic group, channel) and an id (storage/peer.py); code here
asks its kind and never sees how storage keeps it. `peer_object` turns one into TL and
`ids_of` picks the ids of one kind out of a list (for the users and chats an answer names).

Lenient as Telegram: an InputPeerUser/InputPeerSelf where the schema says InputUser is
accepted (PROTOCOL.md rule 28), and so is an InputUser where it says InputPeer.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.peer import Peer, PeerKind
from tl import types as T

from ..channels.access import open_channel
from ..errors import E, RpcError


async def resolve_user(storage, viewer_id: int, peer, error: str = E.USER_ID_INVALID) -> int:
    """The id of the user `peer` names, after checking its access hash."""
    if isinstance(peer, (T.InputUserSelf, T.InputPeerSelf)):
        return viewer_id
    if isinstance(peer, (T.InputUser, T.InputPeerUser)):
        record = await storage.users.get(peer.user_id)
        if record is None or (record.access_hash != peer.access_hash and record.id != viewer_id):
            raise RpcError(400, error)
        return record.id
    raise RpcError(400, error)


async def resolve_input_peer_user(storage, viewer_id: int, peer) -> int:
    return await resolve_user(storage, viewer_id, peer, E.PEER_ID_INVALID)


def peer_object(peer: Peer):
    """The TL Peer of a peer."""
    match peer.kind:
        case PeerKind.USER:
            return T.PeerUser(user_id=peer.id)
        case PeerKind.CHAT:
            return T.PeerChat(chat_id=peer.id)
        case PeerKind.CHANNEL:
            return T.PeerChannel(channel_id=peer.id)
    raise AssertionError(peer.kind)


def ids_of(peers: Iterable[Peer], kind: PeerKind) -> list[int]:
    """The ids of the peers of one kind, in order, each once."""
    return list(dict.fromkeys(p.id for p in peers if p.kind is kind))


async def resolve_input_peer(storage, viewer_id: int, peer) -> Peer:
    """The peer an InputPeer names, checked for access: a basic group (no access hash)
    is open to its members and to former members, whose box still holds its history; a
    channel (its access hash checked) to whoever may see it (rpc/channels/access.py:
    CHANNEL_INVALID, CHANNEL_PRIVATE). What the viewer may do there is the caller's check."""
    if isinstance(peer, T.InputPeerChat):
        if await can_see_chat(storage, viewer_id, peer.chat_id):
            return Peer.chat(peer.chat_id)
        raise RpcError(400, E.PEER_ID_INVALID)
    if isinstance(peer, T.InputPeerChannel):
        access = await open_channel(storage, viewer_id, peer)
        return Peer.channel(access.channel.id)
    return Peer.user(await resolve_user(storage, viewer_id, peer, E.PEER_ID_INVALID))


async def can_see_chat(storage, viewer_id: int, chat_id: int) -> bool:
    """A member now, or once (their box has the chat's dialog). A group upgraded to a
    supergroup stays readable to them (its history is in their boxes); writes to it are
    refused by storage (ChatNotFound: CHAT_ID_INVALID)."""
    chat = await storage.chats.get(chat_id)
    if chat is None or (chat.deactivated and chat.migrated_to is None):
        return False
    if await storage.chats.memberships(viewer_id, [chat_id]):
        return True
    return await storage.messages.dialog(viewer_id, Peer.chat(chat_id)) is not None
