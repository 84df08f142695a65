"""Admin rights and banned rights of supergroups and channels: stored as the TL flags
integers (chatAdminRights / chatBannedRights, whose bit positions never change between
layers), turned into TL and back here, and the checks every channel action makes.

Telegram's rules (core.telegram.org/api/rights): the creator may do everything; an
admin what their admin rights say; a member what neither the channel's default banned
rights nor their own banned rights forbid. Admins are not restricted by banned rights.
In a broadcast channel only the creator and admins with post_messages may post.
"""

from __future__ import annotations

from tl import types as T

# chatAdminRights flag bits (schema text; the same in every layer that has the flag).
ADMIN_RIGHTS = {
    "change_info": 0, "post_messages": 1, "edit_messages": 2, "delete_messages": 3, "ban_users": 4,
    "invite_users": 5, "pin_messages": 7, "add_admins": 9, "anonymous": 10, "manage_call": 11, "other": 12,
    "manage_topics": 13, "post_stories": 14, "edit_stories": 15, "delete_stories": 16,
    "manage_direct_messages": 17, "manage_ranks": 18, "manage_linked_peers": 19, "manage_welcome_messages": 20,
}

# chatBannedRights flag bits; until_date is a field of its own.
BANNED_RIGHTS = {
    "view_messages": 0, "send_messages": 1, "send_media": 2, "send_stickers": 3, "send_gifs": 4, "send_games": 5,
    "send_inline": 6, "embed_links": 7, "send_polls": 8, "change_info": 10, "invite_users": 15, "pin_messages": 17,
    "manage_topics": 18, "send_photos": 19, "send_videos": 20, "send_roundvideos": 21, "send_audios": 22,
    "send_voices": 23, "send_docs": 24, "send_plain": 25, "edit_rank": 26, "send_reactions": 27,
    "manage_linked_peers": 28,
}

# What the creator holds: every right a client shows for the channel's kind.
_CREATOR_COMMON = ("change_info", "delete_messages", "ban_users", "invite_users", "add_admins", "manage_call", "other",
                   "post_stories", "edit_stories", "delete_stories")
_BROADCAST_ONLY = ("post_messages", "edit_messages")
_MEGAGROUP_ONLY = ("pin_messages", "manage_topics")


def _flags(obj, table: dict[str, int]) -> int:
    return sum(1 << bit for name, bit in table.items() if getattr(obj, name, None))


def _fields(flags: int, table: dict[str, int]) -> dict[str, bool]:
    return {name: True for name, bit in table.items() if flags >> bit & 1}


def admin_flags(rights) -> int:
    """chatAdminRights → stored flags (unknown or unset flags are 0)."""
    return _flags(rights, ADMIN_RIGHTS)


def admin_rights_object(flags: int):
    return T.ChatAdminRights(**_fields(flags, ADMIN_RIGHTS))


def banned_flags(rights) -> int:
    """chatBannedRights → stored flags (until_date apart)."""
    return _flags(rights, BANNED_RIGHTS)


def banned_rights_object(flags: int, until_date: int = 0):
    return T.ChatBannedRights(until_date=until_date, **_fields(flags, BANNED_RIGHTS))


def creator_flags(*, broadcast: bool) -> int:
    names = _CREATOR_COMMON + (_BROADCAST_ONLY if broadcast else _MEGAGROUP_ONLY)
    return sum(1 << ADMIN_RIGHTS[n] for n in names)


def admin_bit(name: str) -> int:
    return 1 << ADMIN_RIGHTS[name]


def banned_bit(name: str) -> int:
    return 1 << BANNED_RIGHTS[name]


def has_admin_right(participant, channel, name: str) -> bool:
    """Whether `participant` (a ChannelParticipantRecord, or None) holds admin right `name`."""
    if participant is None:
        return False
    if participant.role == "creator":
        return True
    return participant.role == "admin" and bool(participant.admin_rights & admin_bit(name))


def is_admin(participant) -> bool:
    return participant is not None and participant.role in ("creator", "admin")


def forbidden(participant, channel, name: str, now: int) -> bool:
    """Whether banned right `name` stops this member (the channel's defaults, then their
    own restriction while it lasts). Admins are never restricted."""
    if is_admin(participant):
        return False
    bit = banned_bit(name)
    if channel.default_banned_rights & bit:
        return True
    if participant is None or participant.role not in ("restricted", "kicked"):
        return False
    active = participant.banned_until == 0 or participant.banned_until > now
    return active and bool(participant.banned_rights & bit)
