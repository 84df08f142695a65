"""What users report (messages.report, account.reportPeer), queued for moderators
(the admin API's /admin/api/reports). A report names the reported messages by their
ids in the reporter's own box; moderators read them from there while they exist."""

from __future__ import annotations

import msgspec

from .db import Database, Row
from .peer import Peer

_COLUMNS = "id, reporter_id, peer_id, message_ids, reason, comment, created_at, resolved_at, resolution, resolved_by"


class ReportRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    reporter_id: int
    peer_id: int  # storage's key of the reported peer (Peer.key); `peer` reads it
    message_ids: list[int]  # in the reporter's box; [] for a report of the peer itself
    reason: str
    comment: str
    created_at: int
    resolved_at: int | None = None
    resolution: str = ""
    resolved_by: str = ""

    @property
    def peer(self) -> Peer:
        return Peer.from_key(self.peer_id)


class SqlReports:
    def __init__(self, db: Database):
        self._db = db

    async def add(self, *, reporter_id: int, peer: Peer, message_ids: list[int], reason: str, comment: str,
                  now: int) -> int:
        return await self._db.fetchval(
            "INSERT INTO reports (reporter_id, peer_id, message_ids, reason, comment, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            reporter_id, peer.key, msgspec.json.encode(message_ids).decode(), reason, comment, now)

    async def get(self, report_id: int) -> ReportRecord | None:
        row = await self._db.fetchrow(f"SELECT {_COLUMNS} FROM reports WHERE id = $1", report_id)
        return None if row is None else _record(row)

    async def list(self, *, resolved: bool = False, limit: int = 50, before_id: int = 0) -> list[ReportRecord]:
        """Open (or resolved) reports, newest first; ``before_id`` pages on."""
        where = "resolved_at IS NOT NULL" if resolved else "resolved_at IS NULL"
        args: list[int] = [limit]
        if before_id > 0:
            args.append(before_id)
            where += " AND id < $2"
        rows = await self._db.fetch(f"SELECT {_COLUMNS} FROM reports WHERE {where} ORDER BY id DESC LIMIT $1", *args)
        return [_record(row) for row in rows]

    async def count_open(self) -> int:
        return await self._db.fetchval("SELECT count(*) FROM reports WHERE resolved_at IS NULL")

    async def resolve(self, report_id: int, *, resolution: str, resolved_by: str, now: int) -> bool:
        """False if there is no such open report."""
        return await self._db.execute(
            "UPDATE reports SET resolved_at = $1, resolution = $2, resolved_by = $3 WHERE id = $4"
            " AND resolved_at IS NULL", now, resolution, resolved_by, report_id) > 0


def _record(row: Row) -> ReportRecord:
    return ReportRecord(id=row[0], reporter_id=row[1], peer_id=row[2], message_ids=msgspec.json.decode(row[3]),
                        reason=row[4], comment=row[5], created_at=row[6], resolved_at=row[7], resolution=row[8],
                        resolved_by=row[9])
