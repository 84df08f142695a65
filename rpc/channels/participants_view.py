"""Channel participants as one viewer sees them: TL channelParticipant* from stored rows.

The role decides the constructor: the creator, an admin (can_edit when the viewer may
change their rights; self with inviter_id for the viewer), a member (the viewer's own
row is channelParticipantSelf, with who invited them), a restricted or kicked user
(channelParticipantBanned, `left` for a kicked one, who is out), a former member
(channelParticipantLeft).
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import ChannelParticipantRecord, ChannelRecord
from tl import types as T

from ..services.list_hash import list_hash
from .admin_rules import can_edit_admin
from .rights import admin_rights_object, banned_rights_object, creator_flags


def participant_object(p: ChannelParticipantRecord, channel: ChannelRecord, viewer: ChannelParticipantRecord | None,
                       viewer_id: int):
    mine = p.user_id == viewer_id
    match p.role:
        case "creator":
            rights = p.admin_rights or creator_flags(broadcast=channel.broadcast)
            return T.ChannelParticipantCreator(user_id=p.user_id, admin_rights=admin_rights_object(rights), rank=p.rank)
        case "admin":
            return T.ChannelParticipantAdmin(
                can_edit=can_edit_admin(viewer, p), self_=mine, user_id=p.user_id,
                inviter_id=(p.inviter_id or p.user_id) if mine else None,
                promoted_by=p.promoted_by or channel.creator_id, date=p.date,
                admin_rights=admin_rights_object(p.admin_rights), rank=p.rank)
        case "member":
            if mine:
                return T.ChannelParticipantSelf(user_id=p.user_id, inviter_id=p.inviter_id or p.user_id, date=p.date)
            return T.ChannelParticipant(user_id=p.user_id, date=p.date)
        case "restricted" | "kicked":
            return T.ChannelParticipantBanned(
                left=p.role == "kicked", peer=T.PeerUser(user_id=p.user_id), kicked_by=p.kicked_by or channel.creator_id,
                date=p.date, banned_rights=banned_rights_object(p.banned_rights, p.banned_until))
    return T.ChannelParticipantLeft(peer=T.PeerUser(user_id=p.user_id))


def users_named(participants: Iterable[ChannelParticipantRecord]) -> list[int]:
    """Every user these rows show: the participants, who invited, promoted or banned them."""
    out: list[int] = []
    for p in participants:
        out.append(p.user_id)
        out += [u for u in (p.inviter_id, p.promoted_by, p.kicked_by) if u]
    return list(dict.fromkeys(out))


def participants_hash(user_ids: Iterable[int]) -> int:
    """channels.getParticipants' hash: Telegram's list hash over the user ids of the page,
    in the order they are returned."""
    return list_hash(user_ids)
