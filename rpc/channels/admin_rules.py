"""Who may do what to whom in a supergroup or channel: the decisions the membership and
administration handlers (members.py, admins.py, settings.py, ...) make before they
change anything, as plain functions of the stored rows, so they are tested alone.

Telegram's rules (core.telegram.org/api/rights):
- Some things an admin does by an admin right, and in a supergroup any member may do
  too unless the channel's default banned rights (or their own restriction) forbid it:
  inviting users (invite_users) and changing the title, photo and description
  (change_info). In a broadcast channel only admins may.
- The creator may act on anyone but themselves; an admin may ban, restrict or re-edit
  only plain members and the admins they promoted themselves (USER_ADMIN_INVALID).
- An admin hands out only the admin rights they hold (RIGHT_FORBIDDEN); the creator
  any.
- A restriction for less than 30 seconds or more than 366 days is forever.
"""

from __future__ import annotations

from storage.models import ChannelParticipantRecord, ChannelRecord

from .rights import forbidden, has_admin_right

# channels.toggleSlowMode: the delays Telegram's apps offer, and no others (SECONDS_INVALID).
SLOWMODE_SECONDS = frozenset({0, 10, 30, 60, 300, 900, 3600})
RANK_MAX = 16  # an admin's custom title (ADMIN_RANK_INVALID beyond)
ADMINS_MAX = 50  # admins per channel (ADMINS_TOO_MUCH)
MEMBERS_MAX = 200_000  # members per supergroup (USERS_TOO_MUCH)
CHANNELS_PER_USER = 500  # channels one user may be in (CHANNELS_TOO_MUCH)
INVITE_BATCH_MAX = 200  # users per channels.inviteToChannel (USERS_TOO_MUCH)
ABOUT_MAX = 255  # a channel's description (CHAT_ABOUT_TOO_LONG)
TITLE_MAX = 128
PUBLIC_CHANNELS_PER_USER = 10  # public channels one user may own (CHANNELS_ADMIN_PUBLIC_TOO_MUCH)
_FOREVER_BELOW = 30
_FOREVER_ABOVE = 366 * 86400


def _may(me: ChannelParticipantRecord | None, channel: ChannelRecord, right: str, now: int) -> bool:
    """An admin with the right; in a supergroup, any member whom no banned right stops."""
    if has_admin_right(me, channel, right):
        return True
    return channel.megagroup and me is not None and me.is_member and not forbidden(me, channel, right, now)


def can_invite(me: ChannelParticipantRecord | None, channel: ChannelRecord, now: int) -> bool:
    return _may(me, channel, "invite_users", now)


def can_change_info(me: ChannelParticipantRecord | None, channel: ChannelRecord, now: int) -> bool:
    return _may(me, channel, "change_info", now)


def can_manage(actor: ChannelParticipantRecord, target: ChannelParticipantRecord | None) -> bool:
    """Whether `actor` (an admin with the right the action needs) may ban, restrict or
    change the admin rights of `target`: never the creator, and of other admins only
    those `actor` promoted, unless `actor` is the creator."""
    if target is None or target.role not in ("creator", "admin"):
        return True
    if target.role == "creator":
        return False
    return actor.role == "creator" or target.promoted_by == actor.user_id


def can_edit_admin(viewer: ChannelParticipantRecord | None, target: ChannelParticipantRecord) -> bool:
    """channelParticipantAdmin.can_edit: whether the viewer may change this admin's rights."""
    if viewer is None or target.role != "admin" or viewer.user_id == target.user_id:
        return False
    if viewer.role == "creator":
        return True
    return viewer.role == "admin" and target.promoted_by == viewer.user_id


def grantable(actor: ChannelParticipantRecord, flags: int) -> bool:
    """Whether `actor` may hand out these chatAdminRights flags: the creator any, an admin
    only rights they hold."""
    return actor.role == "creator" or flags & ~actor.admin_rights == 0


def ban_until(until_date: int | None, now: int) -> int:
    """The stored end of a restriction (0: forever) from chatBannedRights.until_date."""
    if not until_date or until_date < now + _FOREVER_BELOW or until_date > now + _FOREVER_ABOVE:
        return 0
    return until_date
