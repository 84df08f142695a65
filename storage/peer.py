"""A peer as the rest of the server sees it: a kind (user, basic group, channel) and an id.

Outside storage/ code asks `match peer.kind:` and never looks at the sign of an
integer. Inside storage a peer is one integer column (`Peer.key`), so message boxes,
dialogs and the update log need no peer-type column: a user is their id (> 0), a
basic group minus its chat id, a channel minus (10^12 + its id), as the Bot API
writes them. Only this module knows that encoding.
"""

from __future__ import annotations

import enum

import msgspec

# Telegram's chat and channel ids stay far below this (the Bot API's own offset).
_CHANNEL_OFFSET = 1_000_000_000_000


class PeerKind(enum.Enum):
    USER = "user"
    CHAT = "chat"
    CHANNEL = "channel"


class Peer(msgspec.Struct, frozen=True, array_like=True):
    """Hashable and small; a bus event may carry it (msgspec encodes it as [kind, id])."""

    kind: PeerKind
    id: int

    @classmethod
    def user(cls, user_id: int) -> Peer:
        return cls(PeerKind.USER, user_id)

    @classmethod
    def chat(cls, chat_id: int) -> Peer:
        return cls(PeerKind.CHAT, chat_id)

    @classmethod
    def channel(cls, channel_id: int) -> Peer:
        return cls(PeerKind.CHANNEL, channel_id)

    @property
    def is_user(self) -> bool:
        return self.kind is PeerKind.USER

    @property
    def key(self) -> int:
        """The one-integer form storage keeps in its peer columns."""
        match self.kind:
            case PeerKind.USER:
                return self.id
            case PeerKind.CHAT:
                return -self.id
            case PeerKind.CHANNEL:
                return -(_CHANNEL_OFFSET + self.id)
        raise AssertionError(self.kind)

    @classmethod
    def from_key(cls, key: int) -> Peer:
        """The peer a storage peer column holds (the inverse of `key`)."""
        if key > 0:
            return cls(PeerKind.USER, key)
        if key <= -_CHANNEL_OFFSET:
            return cls(PeerKind.CHANNEL, -key - _CHANNEL_OFFSET)
        if key < 0:
            return cls(PeerKind.CHAT, -key)
        raise ValueError("peer key 0 names no peer")
