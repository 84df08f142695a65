"""Input peers → storage peer ids, with the access checks (USER_ID_INVALID / PEER_ID_INVALID).

In storage a peer is one integer: a user by their id (> 0), a basic group by minus its
chat id (as the Bot API does), so message boxes, dialogs and the update log need no
separate peer-type column. `peer_object` turns it back into TL.

Lenient as Telegram: an InputPeerUser/InputPeerSelf where the schema says InputUser is
accepted (PROTOCOL.md rule 28), and so is an InputUser where it says InputPeer.
"""

from __future__ import annotations

from tl import types as T

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


def chat_peer_id(chat_id: int) -> int:
    """The storage peer id of a basic group."""
    return -chat_id


def peer_object(peer_id: int):
    """The TL Peer of a storage peer id."""
    if peer_id < 0:
        return T.PeerChat(chat_id=-peer_id)
    return T.PeerUser(user_id=peer_id)


async def resolve_input_peer(storage, viewer_id: int, peer) -> int:
    """The storage peer id (see above) an InputPeer names, checked for access: a basic
    group (no access hash) is open to its members and to former members, whose box
    still holds its history."""
    if isinstance(peer, T.InputPeerChat):
        if await can_see_chat(storage, viewer_id, peer.chat_id):
            return chat_peer_id(peer.chat_id)
        raise RpcError(400, E.PEER_ID_INVALID)
    return await resolve_user(storage, viewer_id, peer, E.PEER_ID_INVALID)


async def can_see_chat(storage, viewer_id: int, chat_id: int) -> bool:
    """A member now, or once (their box has the chat's dialog)."""
    chat = await storage.chats.get(chat_id)
    if chat is None or chat.deactivated:
        return False
    if await storage.chats.memberships(viewer_id, [chat_id]):
        return True
    return await storage.messages.dialog(viewer_id, chat_peer_id(chat_id)) is not None
