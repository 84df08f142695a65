"""A channel's public username: channels.checkUsername and channels.updateUsername.

Usernames are one name space with users' (storage/usernames.py): a name a user holds
is taken for channels too, and the other way round. Only the creator makes a channel
public or private, as in Telegram's apps; one user may own at most
PUBLIC_CHANNELS_PER_USER public channels (CHANNELS_ADMIN_PUBLIC_TOO_MUCH).
"""

from __future__ import annotations

from storage.interface import ChatNotModified
from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.usernames import valid_username
from . import admin_log
from .access import open_channel
from .admin_rules import PUBLIC_CHANNELS_PER_USER
from .announce import settings_changed
from .refusals import stored


async def _owned_channel(ctx: RequestContext, input_channel):
    channel, me = await open_channel(ctx.services.storage, ctx.user_id, input_channel, member=True)
    if me.role != "creator":
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return channel


async def _room_for_a_public_channel(storage, user_id: int) -> None:
    ids = await storage.channel_participants.channel_ids(user_id)
    owned = [c for c in await storage.channels.get_many(ids) if c.creator_id == user_id and c.username]
    if len(owned) >= PUBLIC_CHANNELS_PER_USER:
        raise RpcError(400, E.CHANNELS_ADMIN_PUBLIC_TOO_MUCH)


@handler(F.channels.CheckUsername, access=Access.USER)
async def check_username(request, ctx: RequestContext):
    """Whether the channel (inputChannelEmpty: a channel about to be created) may take
    the name: free, or its own already."""
    storage = ctx.services.storage
    channel = None if isinstance(request.channel, T.InputChannelEmpty) else \
        await _owned_channel(ctx, request.channel)
    if not valid_username(request.username or ""):
        raise RpcError(400, E.USERNAME_INVALID)
    if channel is None or channel.username is None:
        await _room_for_a_public_channel(storage, ctx.user_id)
    owner = await storage.usernames.resolve(request.username)
    return owner is None or (channel is not None and owner == Peer.channel(channel.id))


@handler(F.channels.UpdateUsername, access=Access.USER)
async def update_username(request, ctx: RequestContext):
    """"" makes the channel private. Every member's sessions get updateChannel, the
    acting one too (its answer is a Bool)."""
    storage = ctx.services.storage
    channel = await _owned_channel(ctx, request.channel)
    username = request.username or None
    if username is not None and not valid_username(username):
        raise RpcError(400, E.USERNAME_INVALID)
    if username is not None and channel.username is None:
        await _room_for_a_public_channel(storage, ctx.user_id)
    await stored(storage.channels.set_username(channel.id, username), {ChatNotModified: E.USERNAME_NOT_MODIFIED})
    if username is not None and channel.pre_history_hidden:
        # A public group's history is public: what new members could not see, they now can.
        await storage.channels.edit(channel.id, pre_history_hidden=False)
    await admin_log.record(ctx, channel.id, admin_log.ChangeUsername(prev=channel.username or "", new=username or ""))
    await settings_changed(ctx, channel.id, tell_actor=True)
    return True
