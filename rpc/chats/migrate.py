"""Upgrading a basic group to a supergroup: messages.migrateChat, and the upgrade that
adding a member past the size limit (Config.chat_size_max, help.getConfig's
chat_size_max) makes first, as Telegram does.

The upgrade is one storage transaction (storage/chat_migration.py): a megagroup with the
group's title, photo and members (the creator stays creator, the group's admins become
admins), messageActionChannelMigrateFrom as its first message, the group deactivated
with migrated_to, and messageActionChatMigrateTo in every member's box. Then everyone
is told as Telegram tells them: each member's sessions get the migrate-to message of
their box, updateChannel (which makes their connections follow the supergroup,
rpc/channels/standing.py) and the supergroup's first message. The group's history stays
readable in the members' boxes; a write to it answers CHAT_ID_INVALID.
"""

from __future__ import annotations

import time

from storage.interface import ChatNotFound, NotMember
from storage.models import ChatMigrated
from storage.peer import Peer
from tl import functions as F, types as T

from ..channels.admin_rules import MEMBERS_MAX
from ..channels.announce import standing_changed
from ..channels.messages_view import channel_message
from ..channels.refusals import stored
from ..channels.rights import ADMIN_RIGHTS, creator_flags
from ..channels.standing import channel_changed_for
from ..channels.service_messages import added, answer, post_member_change
from ..channels.view import channel_object
from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.chat_view import ChatView
from ..services.messages_view import message
from ..services.users import UserView
from ..updates.events import ChannelLogRow
from ..updates.publish import publish_rows, publish_to_channel

# What a basic group's admins may do (rpc/services/chat_view.py ADMIN_RIGHTS), as the
# supergroup's admin rights they keep.
LEGACY_ADMIN_RIGHTS = sum(1 << ADMIN_RIGHTS[name] for name in (
    "change_info", "delete_messages", "ban_users", "invite_users", "pin_messages", "manage_call", "other"))


@handler(F.messages.MigrateChat, access=Access.USER)
async def migrate_chat(request, ctx: RequestContext):
    """Only the group's creator; an unknown group, one the user is not in, or one
    upgraded already: CHAT_ID_INVALID."""
    storage = ctx.services.storage
    chat = await storage.chats.get(request.chat_id)
    if chat is None or chat.deactivated or not await storage.chats.memberships(ctx.user_id, [chat.id]):
        raise RpcError(400, E.CHAT_ID_INVALID)
    if chat.creator_id != ctx.user_id:  # a basic group's creator never changes: no race
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    return await migration_updates(ctx, await upgrade(ctx, chat.id))


async def upgrade(ctx: RequestContext, chat_id: int) -> ChatMigrated:
    """Upgrades the group (the caller checked the user may) and tells every member."""
    storage = ctx.services.storage
    try:
        migrated = await storage.chat_migrations.migrate(
            chat_id, ctx.user_id, date=int(time.time()), creator_rights=creator_flags(broadcast=False),
            admin_rights=LEGACY_ADMIN_RIGHTS)
    except (ChatNotFound, NotMember):
        raise RpcError(400, E.CHAT_ID_INVALID) from None
    channel = migrated.created.channel
    photo = (migrated.change.chat.photo or {}).get("photo")
    if photo:
        # The supergroup's profile photo too, so inputPeerPhotoFileLocation reaches it.
        await storage.media.add_profile_photo(Peer.channel(channel.id), photo["id"], time.time_ns() // 1000)
    # The migrate-to message in each box, then the supergroup itself: updateChannel makes
    # each member's connections follow it before its first message is published there.
    await publish_rows(ctx, migrated.change.deliveries)
    await channel_changed_for(ctx, channel.id, migrated.members)
    await publish_to_channel(ctx.services, ChannelLogRow(channel_id=channel.id, pts=migrated.created.sent.pts),
                             channel.id, by=ctx)
    return migrated


async def migration_updates(ctx: RequestContext, migrated: ChatMigrated):
    """The acting user's Updates, as Telegram answers messages.migrateChat: updateChannel,
    the supergroup's first message and the group's last; chats: the group (deactivated,
    migrated_to) and the supergroup."""
    storage = ctx.services.storage
    change, channel, sent = migrated.change, migrated.created.channel, migrated.created.sent
    me = await storage.channel_participants.get(channel.id, ctx.user_id)
    updates = [T.UpdateChannel(channel_id=channel.id),
               T.UpdateNewChannelMessage(message=channel_message(sent.message, channel, ctx.user_id), pts=sent.pts,
                                         pts_count=1)]
    if change.actor_copy is not None:
        updates.append(T.UpdateNewMessage(message=message(change.actor_copy), pts=change.actor_pts, pts_count=1))
    chats = [await ChatView(storage, ctx.user_id).chat(change.chat, change.participants), channel_object(channel, me)]
    users = await UserView(storage, ctx.user_id).users(list(dict.fromkeys([ctx.user_id, *migrated.members])))
    return T.Updates(updates=updates, users=users, chats=chats, date=int(time.time()), seq=0)


# -- the automatic upgrade ------------------------------------------------------------------


def past_the_limit(ctx: RequestContext, members: int, more: int) -> bool:
    """Whether `more` new members would take a group of `members` past the size limit."""
    return members + more > ctx.config.chat_size_max


async def upgrade_and_add(ctx: RequestContext, chat_id: int, user_ids: list[int]):
    """Adding these users would pass the group's size limit: the group is upgraded
    first (by the adding member, any member may add) and they join the supergroup,
    announced there as channels.inviteToChannel announces them. The Updates of both."""
    storage = ctx.services.storage
    migrated = await upgrade(ctx, chat_id)
    channel = migrated.created.channel
    joined = []
    for user_id in user_ids:
        change = await stored(storage.channel_participants.add(channel.id, user_id, inviter_id=ctx.user_id,
                                                               date=int(time.time()), limit=MEMBERS_MAX))
        channel = change.channel
        joined.append(user_id)
    await standing_changed(ctx, channel.id, joined)
    sent = await post_member_change(ctx, channel, added(joined))
    me = await storage.channel_participants.get(channel.id, ctx.user_id)
    return merged(await migration_updates(ctx, migrated), await answer(ctx, channel, me, sent))


def merged(*answers):
    """One Updates of several, in order; each user and chat once (the latest copy of a
    chat, which shows it as it is now)."""
    updates, users, chats = [], [], []
    for one in answers:
        updates += one.updates
        users += one.users
        chats = one.chats + chats
    return T.Updates(updates=updates, users=_once(users), chats=_once(chats), date=answers[-1].date, seq=0)


def _once(objects: list) -> list:
    """Users or chats each once (by type and id), the first kept."""
    seen, out = set(), []
    for obj in objects:
        if (type(obj), obj.id) not in seen:
            seen.add((type(obj), obj.id))
            out.append(obj)
    return out
