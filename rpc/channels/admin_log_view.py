"""channels.getAdminLog: a channel's admin log (admin_log.py) as one admin reads it.

Only admins read it (CHAT_ADMIN_REQUIRED). Selected as Telegram's: by the filter's flags
(none given: every kind), by the admins named (who acted), by words (q), newest first,
paged by id (max_id / min_id exclusive, limit at most 100). Each stored action becomes
its channelAdminLogEventAction*, participants and messages rendered for the reader.
"""

from __future__ import annotations

import time

import tl
from storage.models import ChannelParticipantRecord, ChannelRecord
from tl import functions as F, types as T

from ..context import RequestContext
from ..errors import E, RpcError
from ..router import Access, handler
from ..services.peers import resolve_user
from ..services.users import UserView
from . import admin_log as A
from .access import open_channel
from .invites import invite_object
from .messages_view import channel_message, user_ids_named
from .participants_view import participant_object, users_named
from .rights import banned_rights_object, is_admin
from .view import channel_object

LIMIT_MAX = 100
KEPT_SECONDS = 48 * 3600  # what the log shows; older events are pruned (server/maintenance.py)


def _categories(events_filter) -> list[str] | None:
    if events_filter is None:
        return None
    return [flag for flag in A.FILTER_FLAGS if getattr(events_filter, flag, None)]


class _Renderer:
    """One reader's view of the actions: the TL action, and who it names."""

    def __init__(self, channel: ChannelRecord, me, viewer_id: int):
        self.channel, self.me, self.viewer_id = channel, me, viewer_id
        self.user_ids: list[int] = []

    def participant(self, row: ChannelParticipantRecord | None, user_id: int):
        if row is None:
            self.user_ids.append(user_id)
            return T.ChannelParticipantLeft(peer=T.PeerUser(user_id=user_id))
        self.user_ids += users_named([row])
        return participant_object(row, self.channel, self.me, self.viewer_id)

    def message(self, record):
        self.user_ids += user_ids_named([record])
        return channel_message(record, self.channel, self.viewer_id)

    def invite(self, record):
        if record is None:
            return T.ChatInvitePublicJoinRequests()
        self.user_ids.append(record.admin_id)
        return invite_object(record)

    def action(self, a: A.Action):  # noqa: C901 (one case per kind, a table)
        match a:
            case A.ChangeTitle():
                return T.ChannelAdminLogEventActionChangeTitle(prev_value=a.prev, new_value=a.new)
            case A.ChangeAbout():
                return T.ChannelAdminLogEventActionChangeAbout(prev_value=a.prev, new_value=a.new)
            case A.ChangeUsername():
                return T.ChannelAdminLogEventActionChangeUsername(prev_value=a.prev, new_value=a.new)
            case A.ChangePhoto():
                return T.ChannelAdminLogEventActionChangePhoto(prev_photo=_photo(a.prev), new_photo=_photo(a.new))
            case A.ToggleSignatures():
                return T.ChannelAdminLogEventActionToggleSignatures(new_value=a.new)
            case A.TogglePreHistoryHidden():
                return T.ChannelAdminLogEventActionTogglePreHistoryHidden(new_value=a.new)
            case A.DefaultBannedRights():
                return T.ChannelAdminLogEventActionDefaultBannedRights(
                    prev_banned_rights=banned_rights_object(a.prev), new_banned_rights=banned_rights_object(a.new))
            case A.ToggleSlowMode():
                return T.ChannelAdminLogEventActionToggleSlowMode(prev_value=a.prev, new_value=a.new)
            case A.EditMessage():
                return T.ChannelAdminLogEventActionEditMessage(prev_message=self.message(a.prev),
                                                               new_message=self.message(a.new))
            case A.DeleteMessage():
                return T.ChannelAdminLogEventActionDeleteMessage(message=self.message(a.message))
            case A.UpdatePinned():
                return T.ChannelAdminLogEventActionUpdatePinned(message=self.message(a.message))
            case A.ParticipantJoin():
                return T.ChannelAdminLogEventActionParticipantJoin()
            case A.ParticipantLeave():
                return T.ChannelAdminLogEventActionParticipantLeave()
            case A.ParticipantInvite():
                return T.ChannelAdminLogEventActionParticipantInvite(
                    participant=self.participant(a.participant, a.participant.user_id))
            case A.ParticipantJoinByInvite():
                return T.ChannelAdminLogEventActionParticipantJoinByInvite(invite=self.invite(a.invite))
            case A.ParticipantJoinByRequest():
                self.user_ids.append(a.approved_by)
                return T.ChannelAdminLogEventActionParticipantJoinByRequest(invite=self.invite(a.invite),
                                                                            approved_by=a.approved_by)
            case A.ParticipantToggleBan():
                return T.ChannelAdminLogEventActionParticipantToggleBan(
                    prev_participant=self.participant(a.prev, a.new.user_id),
                    new_participant=self.participant(a.new, a.new.user_id))
            case A.ParticipantToggleAdmin():
                return T.ChannelAdminLogEventActionParticipantToggleAdmin(
                    prev_participant=self.participant(a.prev, a.new.user_id),
                    new_participant=self.participant(a.new, a.new.user_id))
            case A.ExportedInviteEdit():
                return T.ChannelAdminLogEventActionExportedInviteEdit(prev_invite=self.invite(a.prev),
                                                                      new_invite=self.invite(a.new))
            case A.ExportedInviteRevoke():
                return T.ChannelAdminLogEventActionExportedInviteRevoke(invite=self.invite(a.invite))
            case A.ExportedInviteDelete():
                return T.ChannelAdminLogEventActionExportedInviteDelete(invite=self.invite(a.invite))
        return None


def _photo(photo: dict | None):
    return T.PhotoEmpty(id=0) if photo is None else tl.from_dict(photo)


@handler(F.channels.GetAdminLog, access=Access.USER)
async def get_admin_log(request, ctx: RequestContext):
    storage = ctx.services.storage
    channel, me = await open_channel(storage, ctx.user_id, request.channel, member=True)
    if not is_admin(me):
        raise RpcError(400, E.CHAT_ADMIN_REQUIRED)
    admins = None
    if request.admins is not None:
        admins = [await resolve_user(storage, ctx.user_id, u) for u in request.admins]
    rows = await storage.channel_admin_log.events(
        channel.id, categories=_categories(request.events_filter), user_ids=admins, query=request.q or "",
        max_id=max(0, request.max_id or 0), min_id=max(0, request.min_id or 0),
        since=int(time.time()) - KEPT_SECONDS, limit=max(1, min(request.limit or LIMIT_MAX, LIMIT_MAX)))
    renderer = _Renderer(channel, me, ctx.user_id)
    events = []
    for row in rows:
        action = A.decode(row.data)
        shown = None if action is None else renderer.action(action)
        if shown is None:
            continue  # a kind this server no longer knows
        renderer.user_ids.append(row.user_id)
        events.append(T.ChannelAdminLogEvent(id=row.id, date=row.date, user_id=row.user_id, action=shown))
    users = await UserView(storage, ctx.user_id).users(list(dict.fromkeys(renderer.user_ids)))
    return T.channels.AdminLogResults(events=events, chats=[channel_object(channel, me)], users=users)
