"""The rows of the channel tables as records, and the channel lock: what every channel
module (storage/channels.py and its neighbours) shares. No rules of their own here.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .db import Executor, Row
from .interface import ChannelNotFound
from .models import (MEMBER_ROLES, ChannelInviteRecord, ChannelMessageRecord, ChannelParticipantRecord,
                     ChannelRecord, ChannelUpdateRecord)

CHANNEL_COLUMNS = (
    "id, access_hash, title, about, photo, creator_id, date, broadcast, megagroup, forum, signatures, noforwards,"
    " join_to_send, join_request, pre_history_hidden, slowmode_seconds, default_banned_rights, username,"
    " linked_chat_id, migrated_from_chat_id, migrated_from_max_id, pts, last_message_id, top_message, top_date,"
    " read_outbox_max_id, participants_count, admins_count, kicked_count, banned_count, deactivated")
PARTICIPANT_COLUMNS = (
    "channel_id, user_id, role, inviter_id, date, admin_rights, rank, promoted_by, banned_rights, banned_until,"
    " kicked_by, read_inbox_max_id, available_min_id")
MESSAGE_COLUMNS = (
    "channel_id, id, sender_id, from_id, date, message, entities, media, reply_to_msg_id, reply_to_top_id,"
    " fwd_from, action, random_id, edit_date, silent, pinned, grouped_id, post_author, views")
UPDATE_COLUMNS = "channel_id, pts, pts_count, kind, data, date"
INVITE_COLUMNS = ("hash, channel_id, admin_id, date, expire_date, usage_limit, usage, revoked, permanent,"
                  " request_needed, title")

# SQL for "is a member": role IN ('creator', 'admin', 'member', 'restricted').
MEMBER_ROLES_SQL = "(" + ", ".join(f"'{role}'" for role in MEMBER_ROLES) + ")"

_LOCK_CHANNEL = {
    "postgres": f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1 FOR UPDATE",
    "sqlite": f"SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1",  # BEGIN IMMEDIATE locked everything
}


async def lock_channel(tx: Executor, channel_id: int) -> ChannelRecord:
    """Inside a transaction: locks the channel's row until commit and returns it;
    ChannelNotFound for no channel or a deleted one. What a write checks, it reads after
    this (on PostgreSQL each statement then sees every change committed before the lock)."""
    row = await tx.fetchrow(_LOCK_CHANNEL[tx.dialect], channel_id)
    if row is None or row[30]:
        raise ChannelNotFound(f"no channel {channel_id}")
    return channel_from(row)


async def participant_row(ex: Executor, channel_id: int, user_id: int) -> ChannelParticipantRecord | None:
    row = await ex.fetchrow(f"SELECT {PARTICIPANT_COLUMNS} FROM channel_participants"
                            " WHERE channel_id = $1 AND user_id = $2", channel_id, user_id)
    return None if row is None else participant_from(row)


def channel_from(row: Row) -> ChannelRecord:
    return ChannelRecord(
        id=row[0], access_hash=row[1], title=row[2], about=row[3], photo=decode_or_none(row[4]), creator_id=row[5],
        date=row[6], broadcast=bool(row[7]), megagroup=bool(row[8]), forum=bool(row[9]), signatures=bool(row[10]),
        noforwards=bool(row[11]), join_to_send=bool(row[12]), join_request=bool(row[13]),
        pre_history_hidden=bool(row[14]), slowmode_seconds=row[15], default_banned_rights=row[16], username=row[17],
        linked_chat_id=row[18], migrated_from_chat_id=row[19], migrated_from_max_id=row[20], pts=row[21],
        last_message_id=row[22], top_message=row[23], top_date=row[24], read_outbox_max_id=row[25],
        participants_count=row[26], admins_count=row[27], kicked_count=row[28], banned_count=row[29],
        deactivated=bool(row[30]))


def participant_from(row: Row) -> ChannelParticipantRecord:
    return ChannelParticipantRecord(
        channel_id=row[0], user_id=row[1], role=row[2], inviter_id=row[3], date=row[4], admin_rights=row[5],
        rank=row[6], promoted_by=row[7], banned_rights=row[8], banned_until=row[9], kicked_by=row[10],
        read_inbox_max_id=row[11], available_min_id=row[12])


def message_from(row: Row) -> ChannelMessageRecord:
    return ChannelMessageRecord(
        channel_id=row[0], id=row[1], sender_id=row[2], from_id=row[3], date=row[4], message=row[5],
        entities=msgspec.json.decode(row[6]), media=decode_or_none(row[7]), reply_to_msg_id=row[8],
        reply_to_top_id=row[9], fwd_from=decode_or_none(row[10]), action=decode_or_none(row[11]),
        random_id=row[12], edit_date=row[13], silent=bool(row[14]), pinned=bool(row[15]), grouped_id=row[16],
        post_author=row[17], views=row[18])


def update_from(row: Row) -> ChannelUpdateRecord:
    return ChannelUpdateRecord(channel_id=row[0], pts=row[1], pts_count=row[2], kind=row[3],
                               data=msgspec.json.decode(row[4]), date=row[5])


def invite_from(row: Row) -> ChannelInviteRecord:
    return ChannelInviteRecord(hash=row[0], channel_id=row[1], admin_id=row[2], date=row[3], expire_date=row[4],
                               usage_limit=row[5], usage=row[6], revoked=bool(row[7]), permanent=bool(row[8]),
                               request_needed=bool(row[9]), title=row[10])


def to_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def json_or_none(value: Any) -> str | None:
    return None if value is None else to_json(value)


def decode_or_none(text: str | None) -> Any:
    return None if text is None else msgspec.json.decode(text)
