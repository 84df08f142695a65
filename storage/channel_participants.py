"""Who is in a supergroup or channel, and as what (storage.interface.ChannelParticipants).

One row per user who is, was, or is banned from being a participant
(``channel_participants``), with a role (storage.models.CHANNEL_ROLES): creator,
admin, member and restricted are members; kicked is removed and banned from coming
back; left is a former member. A role changes in one transaction that locks the
channel's row first (storage/channel_rows.py), so the checks hold when the change is
made, and moves the channel's counts (participants, admins, kicked, banned) by the
difference the change makes: the counts are kept, never counted.

Rules Telegram keeps that storage keeps too: the creator is always the channel's
creator_id (a creator who leaves and comes back is the creator again) and changes only
by transfer_creator; banned rights with view_messages (chatBannedRights flags.0) kick,
other banned rights restrict a member; a restricted member who leaves is restricted
again on coming back. Who may do what (admin rights, default banned rights) is the
caller's to check.

A member also gets a row in ``dialogs`` (peer_id: the channel's storage peer id,
top_message 0): it holds what storage keeps per dialog for every kind of peer, the pin
(storage/pinned_dialogs.py) and the unread mark (storage/unread_marks.py), so those
work for channels as they are. Messages.dialogs lists only dialogs with a top message,
so that row never shows there; storage/channel_dialogs.py lists channel dialogs. It
goes when the member does (leave, kick, deletion of the channel).
"""

from __future__ import annotations

from collections.abc import Iterable
import msgspec

from .channel_rows import (CHANNEL_COLUMNS, MEMBER_ROLES_SQL, PARTICIPANT_COLUMNS, channel_from, lock_channel,
                           participant_from, participant_row)
from .db import Database, Executor, chunks, in_list, like_escape
from .interface import AlreadyParticipant, ChatTooBig, NotParticipant, ParticipantIsCreator, UserKicked
from .models import ChannelParticipantChange, ChannelParticipantRecord, ChannelRecord
from .peer import Peer

VIEW_MESSAGES = 1 << 0  # chatBannedRights.view_messages: banned from reading, i.e. kicked
LIST_LIMIT = 200  # channels.getParticipants' cap
FILTERS = ("recent", "admins", "kicked", "banned", "search", "contacts", "bots")

_UPSERT = (f"INSERT INTO channel_participants ({PARTICIPANT_COLUMNS})"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
           " ON CONFLICT (channel_id, user_id) DO UPDATE SET role = excluded.role,"
           " inviter_id = excluded.inviter_id, date = excluded.date, admin_rights = excluded.admin_rights,"
           " rank = excluded.rank, promoted_by = excluded.promoted_by, banned_rights = excluded.banned_rights,"
           " banned_until = excluded.banned_until, kicked_by = excluded.kicked_by,"
           " read_inbox_max_id = excluded.read_inbox_max_id, available_min_id = excluded.available_min_id")
_MOVE_COUNTS = ("UPDATE channels SET participants_count = participants_count + $2, admins_count = admins_count + $3,"
                f" kicked_count = kicked_count + $4, banned_count = banned_count + $5 WHERE id = $1"
                f" RETURNING {CHANNEL_COLUMNS}")
_ADD_DIALOG = ("INSERT INTO dialogs (owner_id, peer_id, top_message, date) VALUES ($1, $2, 0, $3)"
               " ON CONFLICT (owner_id, peer_id) DO NOTHING")

# The SQL of each filter of channels.getParticipants over `p` (channel_participants),
# and its order. "bots": this server has no bot accounts.
_FILTER_WHERE = {
    "recent": f"p.role IN {MEMBER_ROLES_SQL}",
    "admins": "p.role IN ('creator', 'admin')",
    "kicked": "p.role = 'kicked'",
    "banned": "p.role = 'restricted'",  # Telegram's "banned": restricted members
    "search": f"p.role IN {MEMBER_ROLES_SQL}",
    "contacts": f"p.role IN {MEMBER_ROLES_SQL}",
}
_FILTER_ORDER = {
    "admins": "(p.role <> 'creator'), p.date, p.user_id",
}
_NEWEST_FIRST = "p.date DESC, p.user_id DESC"


class SqlChannelParticipants:
    """storage.interface.ChannelParticipants."""

    def __init__(self, db: Database):
        self._db = db

    # -- writes ------------------------------------------------------------------------------

    async def add(self, channel_id: int, user_id: int, *, inviter_id: int, date: int, limit: int | None = None,
                  lift_ban: bool = False) -> ChannelParticipantChange:
        return await self._db.transaction(add_participant, channel_id, user_id, inviter_id, date, limit, lift_ban)

    async def leave(self, channel_id: int, user_id: int, *, date: int) -> ChannelParticipantChange:
        return await self._db.transaction(_leave, channel_id, user_id, date)

    async def set_admin(self, channel_id: int, user_id: int, *, rights: int, rank: str | None, promoted_by: int,
                        date: int) -> ChannelParticipantChange:
        return await self._db.transaction(_set_admin, channel_id, user_id, rights, rank, promoted_by, date)

    async def set_banned(self, channel_id: int, user_id: int, *, rights: int, until_date: int, kicked_by: int,
                         date: int) -> ChannelParticipantChange:
        return await self._db.transaction(_set_banned, channel_id, user_id, rights, until_date, kicked_by, date)

    async def transfer_creator(self, channel_id: int, user_id: int, *, old_creator_rights: int,
                               date: int) -> tuple[ChannelParticipantChange, ChannelParticipantChange]:
        return await self._db.transaction(_transfer_creator, channel_id, user_id, old_creator_rights, date)

    # -- reads -------------------------------------------------------------------------------

    async def get(self, channel_id: int, user_id: int) -> ChannelParticipantRecord | None:
        return await participant_row(self._db, channel_id, user_id)

    async def get_many(self, channel_id: int, user_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]:
        wanted = list(dict.fromkeys(user_ids))
        found: dict[int, ChannelParticipantRecord] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(f"SELECT {PARTICIPANT_COLUMNS} FROM channel_participants WHERE channel_id = $1"
                                        f" AND user_id IN ({in_list(len(part), start=2)})", channel_id, *part)
            found.update((row[1], participant_from(row)) for row in rows)
        return found

    async def list(self, channel_id: int, *, filter: str = "recent", query: str = "", viewer_id: int | None = None,
                   offset: int = 0, limit: int = LIST_LIMIT) -> tuple[list[ChannelParticipantRecord], int]:
        if filter not in FILTERS:
            raise ValueError(f"no participants filter {filter!r}: one of {FILTERS}")
        if filter == "bots" or (filter == "contacts" and viewer_id is None):
            return [], 0
        joins, where, args = "", [_FILTER_WHERE[filter]], [channel_id]
        if filter == "contacts":
            args.append(viewer_id)
            joins += f" JOIN contacts c ON c.owner_id = ${len(args)} AND c.user_id = p.user_id"
        folded = query.strip().lower()
        if folded:
            fold = "unicode_lower" if self._db.dialect == "sqlite" else "lower"
            pattern = like_escape(folded)
            args += [f"%{pattern}%", f"{pattern}%"]
            joins += " JOIN users u ON u.id = p.user_id"
            where.append(f"({fold}(u.first_name || ' ' || u.last_name) LIKE ${len(args) - 1} ESCAPE '\\'"
                         f" OR lower(u.username) LIKE ${len(args)} ESCAPE '\\')")
        source = f"FROM channel_participants p{joins} WHERE p.channel_id = $1 AND {' AND '.join(where)}"
        total = await self._db.fetchval(f"SELECT count(*) {source}", *args)
        limit = min(limit, LIST_LIMIT)
        if limit <= 0:
            return [], total
        columns = ", ".join(f"p.{c.strip()}" for c in PARTICIPANT_COLUMNS.split(","))
        n = len(args)
        rows = await self._db.fetch(f"SELECT {columns} {source} ORDER BY {_FILTER_ORDER.get(filter, _NEWEST_FIRST)}"
                                    f" LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, max(0, offset))
        return [participant_from(row) for row in rows], total

    async def channel_ids(self, user_id: int) -> list[int]:
        rows = await self._db.fetch("SELECT p.channel_id FROM channel_participants p"
                                    " JOIN channels c ON c.id = p.channel_id"
                                    f" WHERE p.user_id = $1 AND p.role IN {MEMBER_ROLES_SQL} AND NOT c.deactivated"
                                    " ORDER BY p.channel_id", user_id)
        return [row[0] for row in rows]

    async def memberships(self, user_id: int, channel_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]:
        return await self._rows_of(user_id, channel_ids, f" AND role IN {MEMBER_ROLES_SQL}")

    async def standings(self, user_id: int, channel_ids: Iterable[int]) -> dict[int, ChannelParticipantRecord]:
        return await self._rows_of(user_id, channel_ids, "")

    async def _rows_of(self, user_id: int, channel_ids: Iterable[int], condition: str) -> dict[int, ChannelParticipantRecord]:
        wanted = list(dict.fromkeys(channel_ids))
        found: dict[int, ChannelParticipantRecord] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(f"SELECT {PARTICIPANT_COLUMNS} FROM channel_participants WHERE user_id = $1"
                                        f"{condition} AND channel_id IN ({in_list(len(part), start=2)})", user_id, *part)
            found.update((row[0], participant_from(row)) for row in rows)
        return found


# -- transaction bodies -----------------------------------------------------------------------


async def add_participant(tx: Executor, channel_id: int, user: int, inviter: int, date: int, limit: int | None,
                          lift_ban: bool) -> ChannelParticipantChange:
    """Inside a transaction: the user becomes a member (a join when inviter == user).
    AlreadyParticipant, UserKicked (unless lift_ban: an admin adding them back),
    ChatTooBig at `limit` members."""
    channel = await lock_channel(tx, channel_id)
    before = await participant_row(tx, channel_id, user)
    if before is not None and before.is_member:
        raise AlreadyParticipant(f"user {user} is already in channel {channel_id}")
    if before is not None and before.role == "kicked" and not lift_ban:
        raise UserKicked(f"user {user} is banned from channel {channel_id}")
    if limit is not None and channel.participants_count >= limit:
        raise ChatTooBig(f"channel {channel_id} has {channel.participants_count} members")
    return await change_participant(tx, channel, before, _joined(channel, before, user, inviter, date))


async def add_members_in_bulk(db: Database, channel_id: int, user_ids: list[int], *, inviter_id: int,
                              date: int) -> ChannelRecord:
    """Seeding, not a join: users who were never in the channel become members in one
    transaction, with the rows add() writes for each (participant, dialogs row, the
    channel's count) a few hundred at a time -- a benchmark's 10,000 members in seconds
    (bench/bench_channel.py). No rules are checked and nobody is told; a user already in
    the channel is an AlreadyParticipant error (the whole batch is undone)."""
    return await db.transaction(_add_in_bulk, channel_id, list(dict.fromkeys(user_ids)), inviter_id, date)


async def _add_in_bulk(tx: Executor, channel_id: int, user_ids: list[int], inviter: int, date: int) -> ChannelRecord:
    channel = await lock_channel(tx, channel_id)
    peer = Peer.channel(channel_id).key
    hidden_before = channel.last_message_id if channel.pre_history_hidden else 0
    for part in chunks(user_ids, 200):
        present = await tx.fetchval(f"SELECT count(*) FROM channel_participants WHERE channel_id = $1"
                                    f" AND user_id IN ({in_list(len(part), start=2)})", channel_id, *part)
        if present:
            raise AlreadyParticipant(f"{present} of these users have rows in channel {channel_id} already")
        rows = ", ".join(f"($1, ${i}, 'member', $2, $3, $4, $5)" for i in range(6, 6 + len(part)))
        await tx.execute("INSERT INTO channel_participants (channel_id, user_id, role, inviter_id, date,"
                         f" read_inbox_max_id, available_min_id) VALUES {rows}",
                         channel_id, inviter, date, channel.last_message_id, hidden_before, *part)
        rows = ", ".join(f"(${i}, $1, 0, $2)" for i in range(3, 3 + len(part)))
        await tx.execute(f"INSERT INTO dialogs (owner_id, peer_id, top_message, date) VALUES {rows}"
                         " ON CONFLICT (owner_id, peer_id) DO NOTHING", peer, date, *part)
    return channel_from(await tx.fetchrow(_MOVE_COUNTS, channel_id, len(user_ids), 0, 0, 0))


def _joined(channel: ChannelRecord, before: ChannelParticipantRecord | None, user: int, inviter: int,
            date: int) -> ChannelParticipantRecord:
    """The row of a member from now on: what came before is read, and so is the history
    they may not see (pre_history_hidden: everything sent before they came)."""
    creator = user == channel.creator_id
    restricted = before is not None and before.role == "left" and before.banned_rights != 0
    return ChannelParticipantRecord(
        channel_id=channel.id, user_id=user, role="creator" if creator else "restricted" if restricted else "member",
        inviter_id=inviter, date=date, admin_rights=before.admin_rights if creator and before else 0,
        rank=before.rank if creator and before else None,
        banned_rights=before.banned_rights if restricted else 0, banned_until=before.banned_until if restricted else 0,
        kicked_by=before.kicked_by if restricted else None, read_inbox_max_id=channel.last_message_id,
        available_min_id=channel.last_message_id if channel.pre_history_hidden else 0)


async def _leave(tx: Executor, channel_id: int, user: int, date: int) -> ChannelParticipantChange:
    channel = await lock_channel(tx, channel_id)
    before = await participant_row(tx, channel_id, user)
    if before is None or not before.is_member:
        raise NotParticipant(f"user {user} is not in channel {channel_id}")
    # The creator keeps their rights and title for coming back; restrictions stay too.
    keep = before.role == "creator"
    after = msgspec.structs.replace(before, role="left", date=date, admin_rights=before.admin_rights if keep else 0,
                                    rank=before.rank if keep else None, promoted_by=None)
    return await change_participant(tx, channel, before, after)


async def _set_admin(tx: Executor, channel_id: int, user: int, rights: int, rank: str | None, promoted_by: int,
                     date: int) -> ChannelParticipantChange:
    channel = await lock_channel(tx, channel_id)
    before = await participant_row(tx, channel_id, user)
    if user == channel.creator_id:
        if before is None or before.role != "creator":
            raise NotParticipant(f"the creator of channel {channel_id} has left it")
        after = msgspec.structs.replace(before, admin_rights=rights, rank=rank)
    elif rights:
        if before is not None and before.role == "kicked":
            raise UserKicked(f"user {user} is banned from channel {channel_id}")
        base = before if before is not None and before.is_member else _joined(channel, None, user, promoted_by, date)
        after = msgspec.structs.replace(base, role="admin", date=date if base.role != "admin" else base.date,
                                        admin_rights=rights, rank=rank, promoted_by=promoted_by, banned_rights=0,
                                        banned_until=0, kicked_by=None)
    elif before is None or not before.is_member:
        raise NotParticipant(f"user {user} is not in channel {channel_id}")
    elif before.role == "admin":
        after = msgspec.structs.replace(before, role="member", date=date, admin_rights=0, rank=None, promoted_by=None)
    else:
        after = before
    return await change_participant(tx, channel, before, after)


async def _set_banned(tx: Executor, channel_id: int, user: int, rights: int, until: int, kicked_by: int,
                      date: int) -> ChannelParticipantChange:
    channel = await lock_channel(tx, channel_id)
    if user == channel.creator_id:
        raise ParticipantIsCreator(f"user {user} created channel {channel_id}")
    before = await participant_row(tx, channel_id, user)
    cleared = dict(admin_rights=0, rank=None, promoted_by=None, date=date)
    if rights & VIEW_MESSAGES:
        base = before or ChannelParticipantRecord(channel_id=channel_id, user_id=user, role="left", date=date)
        # A member put out has read all there was: their dialog (kept in their list, as
        # Telegram's, storage/channel_dialogs.py) ends there, nothing unread.
        seen = channel.last_message_id if base.is_member else base.read_inbox_max_id
        after = msgspec.structs.replace(base, role="kicked", banned_rights=rights, banned_until=until,
                                        kicked_by=kicked_by, read_inbox_max_id=seen, **cleared)
    elif rights:
        if before is None or not before.is_member:
            raise NotParticipant(f"user {user} is not in channel {channel_id}")
        after = msgspec.structs.replace(before, role="restricted", banned_rights=rights, banned_until=until,
                                        kicked_by=kicked_by, **cleared)
    elif before is not None and before.role in ("kicked", "restricted"):
        unbanned = dict(banned_rights=0, banned_until=0, kicked_by=None, date=date)
        after = msgspec.structs.replace(before, role="left" if before.role == "kicked" else "member", **unbanned)
    elif before is not None and before.role == "left" and before.banned_rights:
        after = msgspec.structs.replace(before, banned_rights=0, banned_until=0, kicked_by=None)
    elif before is None:
        raise NotParticipant(f"user {user} is not in channel {channel_id}")
    else:
        after = before
    return await change_participant(tx, channel, before, after)


async def _transfer_creator(tx: Executor, channel_id: int, user: int, old_rights: int,
                            date: int) -> tuple[ChannelParticipantChange, ChannelParticipantChange]:
    channel = await lock_channel(tx, channel_id)
    if user == channel.creator_id:
        raise ParticipantIsCreator(f"user {user} already created channel {channel_id}")
    new = await participant_row(tx, channel_id, user)
    if new is None or not new.is_member:
        raise NotParticipant(f"user {user} is not in channel {channel_id}")
    old = await participant_row(tx, channel_id, channel.creator_id)  # created with the channel: always there
    channel = channel_from(await tx.fetchrow(f"UPDATE channels SET creator_id = $2 WHERE id = $1"
                                             f" RETURNING {CHANNEL_COLUMNS}", channel_id, user))
    if old.role == "creator":
        demoted = msgspec.structs.replace(old, role="admin", date=date, admin_rights=old_rights, promoted_by=user)
    else:  # a creator who had left stays outside, as a former member
        demoted = msgspec.structs.replace(old, admin_rights=0, rank=None)
    first = await change_participant(tx, channel, old, demoted)
    promoted = msgspec.structs.replace(new, role="creator", date=date, admin_rights=new.admin_rights or old_rights,
                                       banned_rights=0, banned_until=0, kicked_by=None, promoted_by=None)
    return first, await change_participant(tx, first.channel, new, promoted)


# -- helpers ------------------------------------------------------------------------------------


def _weights(p: ChannelParticipantRecord | None) -> tuple[int, int, int, int]:
    """What a participant adds to the channel's (participants, admins, kicked, banned) counts."""
    if p is None:
        return 0, 0, 0, 0
    return int(p.is_member), int(p.role in ("creator", "admin")), int(p.role == "kicked"), int(p.role == "restricted")


async def change_participant(tx: Executor, channel: ChannelRecord, before: ChannelParticipantRecord | None,
                             after: ChannelParticipantRecord) -> ChannelParticipantChange:
    """Writes the participant's new row, moves the channel's counts, adds or removes the
    member's dialogs row (the module docstring) and drops a request to join that a
    membership or a kick answers."""
    if after == before:
        return ChannelParticipantChange(channel=channel, before=before, after=after)
    await tx.execute(_UPSERT, after.channel_id, after.user_id, after.role, after.inviter_id, after.date,
                     after.admin_rights, after.rank, after.promoted_by, after.banned_rights, after.banned_until,
                     after.kicked_by, after.read_inbox_max_id, after.available_min_id)
    delta = [a - b for a, b in zip(_weights(after), _weights(before))]
    if any(delta):
        channel = channel_from(await tx.fetchrow(_MOVE_COUNTS, channel.id, *delta))
    was, now = before is not None and before.is_member, after.is_member
    peer = Peer.channel(channel.id).key
    if now and not was:
        await tx.execute(_ADD_DIALOG, after.user_id, peer, after.date)
    elif was and not now:
        await tx.execute("DELETE FROM dialogs WHERE owner_id = $1 AND peer_id = $2", after.user_id, peer)
    if now or after.role == "kicked":  # a request to join is answered by this (storage/channel_joins.py)
        await tx.execute("DELETE FROM channel_join_requests WHERE channel_id = $1 AND user_id = $2", channel.id,
                         after.user_id)
    return ChannelParticipantChange(channel=channel, before=before, after=after)
