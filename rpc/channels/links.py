"""Invite links of supergroups and channels: how they are written (t.me/+hash, as basic
groups' in rpc/chats/groups.py), and who manages them: admins with invite_users. The
messages.* link methods name the channel by an InputPeer; basic groups lack most of
those methods on this server (METHOD_NOT_IMPLEMENTED says so)."""

from __future__ import annotations

from tl import types as T

from ..errors import E, NOT_IMPLEMENTED, RpcError
from .access import open_channel
from .rights import has_admin_right

LINK_PREFIX = "https://t.me/+"


def link_hash(link: str | None) -> str:
    """The hash of an invite link as clients send it: t.me/+hash, t.me/joinchat/hash, or
    the hash alone."""
    link = (link or "").strip()
    for mark in ("+", "joinchat/"):
        if mark in link:
            link = link.rsplit(mark, 1)[1]
    return link


def channel_peer(peer) -> T.InputPeerChannel:
    """The channel a messages.* link method names."""
    if isinstance(peer, T.InputPeerChannel):
        return peer
    if isinstance(peer, T.InputPeerChat):
        raise RpcError(400, NOT_IMPLEMENTED)
    raise RpcError(400, E.PEER_ID_INVALID)


async def link_admin(ctx, peer):
    """The channel and the actor's row, if the actor may manage its links and requests."""
    channel, me = await open_channel(ctx.services.storage, ctx.user_id, peer, member=True)
    if not has_admin_right(me, channel, "invite_users"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return channel, me
