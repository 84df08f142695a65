"""A broadcast channel's discussion group: channels.setDiscussionGroup and
channels.getGroupsForDiscussion.

Linking needs change_info in the channel and pin_messages in the supergroup (the rights
Telegram's apps check before they offer it), and a group whose history new members see
(MEGAGROUP_PREHISTORY_HIDDEN): commenters join the thread, not the group's past. Both
rows name each other (storage/discussions.py); each channel whose link changed is told
to its members as a settings change (updateChannel: has_link, and linked_chat_id in the
full info they fetch). What a link does to posts and comments is rpc/channels/threads.py's.
"""

from __future__ import annotations

from storage.interface import ChannelNotFound, ChatNotModified
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from .access import ChannelAccess, open_channel
from .announce import settings_changed
from .refusals import stored
from .rights import has_admin_right
from .view import channel_object

CHANNEL_RIGHT = "change_info"
GROUP_RIGHT = "pin_messages"


async def _side(ctx, input_channel, *, broadcast: bool) -> ChannelAccess:
    """One side of the link, its kind and the actor's right checked; an unusable input
    channel answers with the side's own error name."""
    invalid = E.BROADCAST_ID_INVALID if broadcast else E.MEGAGROUP_ID_INVALID
    try:
        access = await open_channel(ctx.services.storage, ctx.user_id, input_channel, member=True)
    except RpcError as exc:
        if exc.message == E.CHANNEL_INVALID:
            raise RpcError(400, invalid) from None
        raise
    if (access.channel.broadcast if broadcast else access.channel.megagroup) is False:
        raise RpcError(400, invalid)
    if not has_admin_right(access.me, access.channel, CHANNEL_RIGHT if broadcast else GROUP_RIGHT):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return access


@handler(F.channels.SetDiscussionGroup, access=Access.USER)
async def set_discussion_group(request, ctx: RequestContext):
    """Links `broadcast` to `group`; inputChannelEmpty as group unlinks the channel, and as
    broadcast (with a group) unlinks the group from its channel, as TDLib asks it."""
    no_channel = isinstance(request.broadcast, T.InputChannelEmpty)
    no_group = isinstance(request.group, T.InputChannelEmpty)
    if no_channel and no_group:
        raise RpcError(400, E.BROADCAST_ID_INVALID)
    if no_channel:
        group = await _side(ctx, request.group, broadcast=False)
        if group.channel.linked_chat_id is None:
            raise RpcError(400, E.LINK_NOT_MODIFIED)
        channel_id, group_id = group.channel.linked_chat_id, None
    else:
        channel_id = (await _side(ctx, request.broadcast, broadcast=True)).channel.id
        group_id = None
        if not no_group:
            group = await _side(ctx, request.group, broadcast=False)
            if group.channel.pre_history_hidden:
                raise RpcError(400, E.MEGAGROUP_PREHISTORY_HIDDEN)
            group_id = group.channel.id
    changed = await stored(ctx.services.storage.discussions.link(channel_id, group_id),
                           {ChatNotModified: E.LINK_NOT_MODIFIED})
    for channel in changed:
        await settings_changed(ctx, channel.id, tell_actor=True)
    return True


@handler(F.channels.GetGroupsForDiscussion, access=Access.USER)
async def get_groups_for_discussion(request, ctx: RequestContext):
    """The supergroups the caller may link a channel to: where they hold pin_messages."""
    storage = ctx.services.storage
    ids = await storage.channel_participants.channel_ids(ctx.user_id)
    mine = await storage.channel_participants.memberships(ctx.user_id, ids)
    groups = [c for c in await storage.channels.get_many(ids)
              if c.megagroup and has_admin_right(mine.get(c.id), c, GROUP_RIGHT)]
    return T.messages.Chats(chats=[channel_object(c, mine.get(c.id)) for c in groups])


async def unlink_before_deleting(ctx, channel) -> None:
    """A channel or group being deleted leaves its partner unlinked (and its members told),
    as Telegram does."""
    if channel.linked_chat_id is None:
        return
    broadcast_id = channel.id if channel.broadcast else channel.linked_chat_id
    try:
        changed = await ctx.services.storage.discussions.link(broadcast_id, None)
    except (ChatNotModified, ChannelNotFound):  # unlinked meanwhile, or the partner is gone
        return
    for one in changed:
        if one.id != channel.id:
            await settings_changed(ctx, one.id, tell_actor=True)
