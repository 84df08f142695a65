"""Who may do what in a basic group: one check for every handler that takes one.

Telegram leaves a member who left or was removed their own copy of the history: they
read, search, fetch, mark read and delete it for themselves, keep its dialog and its
settings, and see the group as chatForbidden (peers.resolve_input_peer lets them name
it for that). Everything that reads the group as it is now (its members, who is online)
or acts on it (write, type, draft, edit or delete for everyone, pin, invite links,
title, photo, admins, members) needs a member now. Handlers of the second kind call
`require_member` with the error Telegram gives for their method; storage checks the
same again inside its transactions where a change reaches other members' boxes
(storage/chats.py, storage/messages.py), so a race with a removal cannot slip through.
"""

from __future__ import annotations

from storage.peer import Peer, PeerKind

from ..errors import E, RpcError

WRITE_FORBIDDEN = (403, E.CHAT_WRITE_FORBIDDEN)
CHAT_ID_INVALID = (400, E.CHAT_ID_INVALID)


async def is_member(storage, user_id: int, peer: Peer) -> bool:
    """True for a private peer; for a basic group or a channel, whether the user is one
    of its members now (what they may do there is for rpc/channels/ to check)."""
    match peer.kind:
        case PeerKind.USER:
            return True
        case PeerKind.CHAT:
            return bool(await storage.chats.memberships(user_id, [peer.id]))
        case PeerKind.CHANNEL:
            return bool(await storage.channel_participants.memberships(user_id, [peer.id]))
    return False


async def require_member(storage, user_id: int, peer: Peer, error: tuple[int, str] = WRITE_FORBIDDEN) -> None:
    """Raise `error` unless `is_member` (a no-op for private peers)."""
    if not await is_member(storage, user_id, peer):
        raise RpcError(*error)
