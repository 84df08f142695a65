"""Supergroups and channels as one viewer sees them: TL `channel` / `channelForbidden`.

Everything a client receives about a channel goes through here, so membership (left,
kicked), the viewer's admin or banned rights, the channel's default rights and its
photo are decided in one place (as rpc/services/chat_view.py does for basic groups).
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import ChannelParticipantRecord, ChannelRecord
from tl import types as T

from ..services.chat_view import FOREVER, chat_photo
from .rights import admin_rights_object, banned_rights_object, creator_flags


def visible(channel: ChannelRecord, me: ChannelParticipantRecord | None) -> bool:
    """Whether the viewer may see the channel itself (not necessarily post): a member,
    a former member who left, or anyone for a public channel; never when kicked."""
    if channel.deactivated or (me is not None and me.role == "kicked"):
        return False
    return me is not None or channel.username is not None


def channel_object(channel: ChannelRecord, me: ChannelParticipantRecord | None):
    """`channel` for whoever may see it, `channelForbidden` for anyone else."""
    if not visible(channel, me):
        until = me.banned_until if me is not None and me.role == "kicked" and me.banned_until else None
        return T.ChannelForbidden(id=channel.id, access_hash=channel.access_hash, title=channel.title,
                                  broadcast=channel.broadcast, megagroup=channel.megagroup, until_date=until)
    member = me is not None and me.is_member
    admin_rights = None
    if member and me.role == "creator":
        admin_rights = admin_rights_object(me.admin_rights or creator_flags(broadcast=channel.broadcast))
    elif member and me.role == "admin":
        admin_rights = admin_rights_object(me.admin_rights)
    banned = None
    if member and me.role == "restricted":
        banned = banned_rights_object(me.banned_rights, me.banned_until or FOREVER)
    return T.Channel(
        id=channel.id, access_hash=channel.access_hash, title=channel.title, username=channel.username,
        photo=chat_photo(channel.photo), date=me.date if member else channel.date,
        creator=member and me.role == "creator", left=not member, broadcast=channel.broadcast,
        megagroup=channel.megagroup, forum=channel.forum, signatures=channel.signatures,
        slowmode_enabled=channel.slowmode_seconds > 0, noforwards=channel.noforwards,
        join_to_send=channel.join_to_send, join_request=channel.join_request, has_link=channel.linked_chat_id is not None,
        admin_rights=admin_rights, banned_rights=banned,
        default_banned_rights=banned_rights_object(channel.default_banned_rights, FOREVER) if channel.megagroup else None,
        participants_count=channel.participants_count)


class ChannelView:
    """Channels as `viewer_id` sees them; one view serves one request."""

    def __init__(self, storage, viewer_id: int):
        self.storage = storage
        self.viewer_id = viewer_id

    async def channels(self, channel_ids: Iterable[int]) -> list:
        """TL channels for these ids (unknown ids are left out), in the order asked."""
        records = await self.storage.channels.get_many(list(dict.fromkeys(channel_ids)))
        if not records:
            return []
        mine = await self.storage.channel_participants.standings(self.viewer_id, [c.id for c in records])
        return [channel_object(c, mine.get(c.id)) for c in records]

    async def channel(self, channel: ChannelRecord, me: ChannelParticipantRecord | None):
        return channel_object(channel, me)
