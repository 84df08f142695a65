"""Who is in a supergroup or channel: channels.getParticipants (the filters, a page by
offset and limit, channelParticipantsNotModified for a hash that still matches) and
channels.getParticipant.

Who may look: the members of a supergroup, and anyone for a public one; in a broadcast
channel only its admins list the subscribers (anyone may ask about themselves). Kicked
and restricted users are listed to admins who may ban only.
"""

from __future__ import annotations

from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.peers import resolve_user
from ..services.users import UserView
from .access import open_channel
from .participants_view import participant_object, participants_hash, users_named
from .rights import has_admin_right, is_admin

LIMIT_MAX = 200

# ChannelParticipantsFilter → (storage's filter, whether it takes a query, admins only).
_FILTERS = {
    T.ChannelParticipantsRecent: ("recent", False, False),
    T.ChannelParticipantsAdmins: ("admins", False, False),
    T.ChannelParticipantsKicked: ("kicked", True, True),
    T.ChannelParticipantsBanned: ("banned", True, True),
    T.ChannelParticipantsSearch: ("search", True, False),
    T.ChannelParticipantsContacts: ("contacts", True, False),
    T.ChannelParticipantsBots: ("bots", False, False),
    # Members who may be mentioned: every member here (no topics restrict it).
    T.ChannelParticipantsMentions: ("search", True, False),
}


async def participant_user_id(storage, viewer_id: int, peer) -> int:
    """The user an InputPeer names as a participant; channels and groups are not
    participants here (PARTICIPANT_ID_INVALID)."""
    if isinstance(peer, (T.InputPeerChannel, T.InputPeerChat, T.InputPeerChannelFromMessage, T.InputPeerEmpty)):
        raise RpcError(400, E.PARTICIPANT_ID_INVALID)
    return await resolve_user(storage, viewer_id, peer, E.PARTICIPANT_ID_INVALID)


def _may_list(channel, me) -> bool:
    if channel.broadcast:
        return is_admin(me)
    return (me is not None and me.is_member) or channel.username is not None


@handler(F.channels.GetParticipants, access=Access.USER)
async def get_participants(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel)
    if not _may_list(channel, me):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED if channel.broadcast else E.CHANNEL_PRIVATE)
    kind = _FILTERS.get(type(request.filter))
    if kind is None:
        raise RpcError(400, E.INPUT_FILTER_INVALID)
    name, takes_query, admins_only = kind
    if admins_only and not has_admin_right(me, channel, "ban_users"):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    query = (getattr(request.filter, "q", None) or "") if takes_query else ""
    limit = max(0, min(request.limit or 0, LIMIT_MAX))
    page, count = await storage.channel_participants.list(channel.id, filter=name, query=query, viewer_id=user_id,
                                                         offset=max(0, request.offset or 0), limit=limit)
    if request.hash and request.hash == participants_hash(p.user_id for p in page):
        return T.channels.ChannelParticipantsNotModified()
    users = await UserView(storage, user_id).users(users_named(page))
    return T.channels.ChannelParticipants(count=count, participants=[participant_object(p, channel, me, user_id)
                                                                     for p in page], chats=[], users=users)


@handler(F.channels.GetParticipant, access=Access.USER)
async def get_participant(request, ctx: RequestContext):
    user_id = ctx.user_id
    storage = ctx.services.storage
    channel, me = await open_channel(storage, user_id, request.channel)
    target = await participant_user_id(storage, user_id, request.participant)
    if target != user_id and not _may_list(channel, me):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED if channel.broadcast else E.CHANNEL_PRIVATE)
    row = me if target == user_id else await storage.channel_participants.get(channel.id, target)
    if row is None or row.role == "left" or (row.role == "kicked" and target != user_id
                                             and not has_admin_right(me, channel, "ban_users")):
        raise RpcError(400, E.USER_NOT_PARTICIPANT)
    users = await UserView(storage, user_id).users(users_named([row]))
    return T.channels.ChannelParticipant(participant=participant_object(row, channel, me, user_id), chats=[],
                                         users=users)
