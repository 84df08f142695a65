"""Joining supergroups and channels through invite links (storage.interface.ChannelJoins):
join requests awaiting an admin, and who joined by which link.

A link with request_needed, or a public group with join_request, lets a user ask to
join rather than join: ``channel_join_requests`` holds one pending request per user and
channel until an admin approves it (the user becomes a member, in the same transaction
under the channel's lock, storage/channel_rows.py) or declines it. A user who becomes a
member otherwise, or is kicked, has their request dropped by the participant change
itself (storage/channel_participants.py). ``channel_invite_importers`` keeps who joined
through which link (storage/channel_invites.py writes it on a join), for
messages.getChatInviteImporters.
"""

from __future__ import annotations

from collections.abc import Iterable

from .channel_participants import add_participant
from .channel_rows import lock_channel, participant_row
from .db import Database, Executor, Row, like_escape
from .interface import AlreadyParticipant, JoinRequestMissing, UserKicked
from .models import ChannelInviteImporterRecord, ChannelJoinRequestRecord, ChannelParticipantChange

REQUEST_COLUMNS = "r.channel_id, r.user_id, r.date, r.invite_hash, r.about"
IMPORTER_COLUMNS = "r.hash, r.channel_id, r.user_id, r.date, r.approved_by"
LIMIT_MAX = 100
_FOLD = {"sqlite": "unicode_lower", "postgres": "lower"}


class SqlChannelJoins:
    """storage.interface.ChannelJoins."""

    def __init__(self, db: Database):
        self._db = db

    async def request(self, channel_id: int, user_id: int, *, date: int, invite_hash: str | None = None,
                      about: str | None = None) -> ChannelJoinRequestRecord:
        record = ChannelJoinRequestRecord(channel_id=channel_id, user_id=user_id, date=date, invite_hash=invite_hash,
                                          about=about)
        return await self._db.transaction(_request, record)

    async def requests(self, channel_id: int, *, invite_hash: str | None = None, query: str = "",
                       offset_date: int = 0, offset_user_id: int = 0,
                       limit: int = 100) -> tuple[list[ChannelJoinRequestRecord], int]:
        rows, count = await self._page("channel_join_requests", REQUEST_COLUMNS, "invite_hash", channel_id,
                                       invite_hash, query, offset_date, offset_user_id, limit)
        return [_request_from(r) for r in rows], count

    async def pending(self, channel_id: int, invite_hashes: Iterable[str] = ()) -> dict[str | None, int]:
        rows = await self._db.fetch("SELECT invite_hash, count(*) FROM channel_join_requests WHERE channel_id = $1"
                                    " GROUP BY invite_hash", channel_id)
        by_hash = {row[0]: row[1] for row in rows}
        out: dict[str | None, int] = {None: sum(by_hash.values())}
        out.update((h, by_hash.get(h, 0)) for h in invite_hashes)
        return out

    async def approve(self, channel_id: int, user_id: int, *, approved_by: int, date: int,
                      limit: int | None = None) -> ChannelParticipantChange:
        return await self._db.transaction(_approve, channel_id, user_id, approved_by, date, limit)

    async def decline(self, channel_id: int, user_id: int) -> bool:
        return bool(await self._db.execute("DELETE FROM channel_join_requests WHERE channel_id = $1 AND user_id = $2",
                                           channel_id, user_id))

    async def pending_request(self, channel_id: int, user_id: int) -> ChannelJoinRequestRecord | None:
        row = await self._db.fetchrow(f"SELECT {REQUEST_COLUMNS} FROM channel_join_requests r"
                                      " WHERE r.channel_id = $1 AND r.user_id = $2", channel_id, user_id)
        return None if row is None else _request_from(row)

    async def importers(self, channel_id: int, *, invite_hash: str | None = None, query: str = "",
                        offset_date: int = 0, offset_user_id: int = 0,
                        limit: int = 100) -> tuple[list[ChannelInviteImporterRecord], int]:
        rows, count = await self._page("channel_invite_importers", IMPORTER_COLUMNS, "hash", channel_id, invite_hash,
                                       query, offset_date, offset_user_id, limit)
        return [_importer_from(r) for r in rows], count

    async def _page(self, table: str, columns: str, hash_column: str, channel_id: int, invite_hash: str | None,
                    query: str, offset_date: int, offset_user_id: int, limit: int) -> tuple[list[Row], int]:
        joins, where, args = "", ["r.channel_id = $1"], [channel_id]
        if invite_hash is not None:
            args.append(invite_hash)
            where.append(f"r.{hash_column} = ${len(args)}")
        folded = query.strip().lower()
        if folded:
            pattern = like_escape(folded)
            args += [f"%{pattern}%", f"{pattern}%"]
            joins = " JOIN users u ON u.id = r.user_id"
            where.append(f"({_FOLD[self._db.dialect]}(u.first_name || ' ' || u.last_name) LIKE ${len(args) - 1}"
                         f" ESCAPE '\\' OR lower(u.username) LIKE ${len(args)} ESCAPE '\\')")
        source = f"FROM {table} r{joins} WHERE {' AND '.join(where)}"
        count = await self._db.fetchval(f"SELECT count(*) {source}", *args)
        if offset_date:
            args += [offset_date, offset_user_id]
            source += f" AND (r.date < ${len(args) - 1} OR (r.date = ${len(args) - 1} AND r.user_id < ${len(args)}))"
        args.append(max(0, min(limit, LIMIT_MAX)))
        rows = await self._db.fetch(f"SELECT {columns} {source} ORDER BY r.date DESC, r.user_id DESC"
                                    f" LIMIT ${len(args)}", *args)
        return rows, count


async def _request(tx: Executor, record: ChannelJoinRequestRecord) -> ChannelJoinRequestRecord:
    await lock_channel(tx, record.channel_id)
    before = await participant_row(tx, record.channel_id, record.user_id)
    if before is not None and before.is_member:
        raise AlreadyParticipant(f"user {record.user_id} is already in channel {record.channel_id}")
    if before is not None and before.role == "kicked":
        raise UserKicked(f"user {record.user_id} is banned from channel {record.channel_id}")
    await tx.execute("INSERT INTO channel_join_requests (channel_id, user_id, date, invite_hash, about)"
                     " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, user_id) DO UPDATE SET"
                     " date = excluded.date, invite_hash = excluded.invite_hash, about = excluded.about",
                     record.channel_id, record.user_id, record.date, record.invite_hash, record.about)
    return record


async def _approve(tx: Executor, channel_id: int, user: int, approved_by: int, date: int,
                   limit: int | None) -> ChannelParticipantChange:
    await lock_channel(tx, channel_id)
    row = await tx.fetchrow("SELECT invite_hash FROM channel_join_requests WHERE channel_id = $1 AND user_id = $2",
                            channel_id, user)
    if row is None:
        raise JoinRequestMissing(f"user {user} has not asked to join channel {channel_id}")
    change = await add_participant(tx, channel_id, user, approved_by, date, limit, False)  # drops the request
    if row[0] is not None:
        await record_importer(tx, row[0], channel_id, user, date, approved_by)
        await tx.execute("UPDATE channel_invites SET usage = usage + 1 WHERE hash = $1", row[0])
    return change


async def record_importer(tx: Executor, hash: str, channel_id: int, user: int, date: int,
                          approved_by: int | None) -> None:
    """Inside the transaction of a join through link `hash`: remember who came by it."""
    await tx.execute("INSERT INTO channel_invite_importers (hash, channel_id, user_id, date, approved_by)"
                     " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash, user_id) DO UPDATE SET"
                     " date = excluded.date, approved_by = excluded.approved_by",
                     hash, channel_id, user, date, approved_by)


def _request_from(row: Row) -> ChannelJoinRequestRecord:
    return ChannelJoinRequestRecord(channel_id=row[0], user_id=row[1], date=row[2], invite_hash=row[3], about=row[4])


def _importer_from(row: Row) -> ChannelInviteImporterRecord:
    return ChannelInviteImporterRecord(hash=row[0], channel_id=row[1], user_id=row[2], date=row[3],
                                       approved_by=row[4])
