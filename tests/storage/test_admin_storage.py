"""What the admin API keeps and reads (storage/admin_tokens.py, reports.py,
statistics.py), on both backends."""

from __future__ import annotations

from storage.models import AuthorizationRecord, FileRecord
from storage.peer import Peer

DAY = 86400
NOW = 1_800_000_000  # a fixed clock: 2027-01-15 08:00 UTC


async def test_tokens_are_kept_hashed_and_revoked_once(storage):
    made = await storage.admin_tokens.create("alice", "mta_secret", NOW)
    assert made.name == "alice" and made.revoked_at is None and "mta_secret" not in made.token_hash
    assert (await storage.admin_tokens.by_token("mta_secret")).id == made.id
    assert await storage.admin_tokens.by_token("mta_other") is None
    await storage.admin_tokens.touch(made, NOW + 5)
    assert (await storage.admin_tokens.by_token("mta_secret")).last_used_at == NOW + 5
    assert await storage.admin_tokens.revoke(made.id, NOW + 10) is True
    assert await storage.admin_tokens.revoke(made.id, NOW + 11) is False
    assert (await storage.admin_tokens.by_token("mta_secret")).revoked_at == NOW + 10
    assert [t.name for t in await storage.admin_tokens.list()] == ["alice"]
    rows = await storage.db.fetch("SELECT token_hash FROM admin_tokens")
    assert all("mta_secret" not in row[0] for row in rows)


async def test_reports_queue_open_then_resolved(storage):
    first = await storage.reports.add(reporter_id=10, peer=Peer.user(20), message_ids=[3, 4], reason="spam", comment="x",
                                      now=NOW)
    second = await storage.reports.add(reporter_id=10, peer=Peer.chat(5), message_ids=[], reason="fake", comment="",
                                       now=NOW + 1)
    assert [r.id for r in await storage.reports.list()] == [second, first]  # newest first
    assert [r.id for r in await storage.reports.list(before_id=second)] == [first]
    assert await storage.reports.count_open() == 2
    report = await storage.reports.get(first)
    assert (report.message_ids, report.peer, report.reason, report.comment) == ([3, 4], Peer.user(20), "spam", "x")
    assert (await storage.reports.get(second)).peer == Peer.chat(5)
    assert await storage.reports.resolve(first, resolution="deleted", resolved_by="mod", now=NOW + 2) is True
    assert await storage.reports.resolve(first, resolution="banned", resolved_by="mod", now=NOW + 3) is False
    assert [r.id for r in await storage.reports.list()] == [second]
    closed = await storage.reports.list(resolved=True)
    assert [(r.id, r.resolution, r.resolved_by, r.resolved_at) for r in closed] == [(first, "deleted", "mod", NOW + 2)]


async def test_statistics_count_users_activity_messages_groups_and_bytes(storage):
    ann = await storage.users.create("15550001", "Ann", now=NOW)
    bob = await storage.users.create("15550002", "Bob", now=NOW)
    cid = await storage.users.create("15550003", "Cid", now=NOW)
    await storage.users.set_banned(cid.id, True)
    for key, user, active in ((1, ann.id, NOW - 100), (2, ann.id, NOW - 3 * DAY), (3, bob.id, NOW - 10 * DAY)):
        await storage.authorizations.add(AuthorizationRecord(auth_key_id=key, user_id=user, hash=key,
                                                             created_at=active, active_at=active))
    await storage.messages.send_private(ann.id, bob.id, date=NOW - 60, message="today")
    await storage.messages.send_private(bob.id, ann.id, date=NOW - 50, message="today too")
    await storage.messages.send_private(ann.id, bob.id, date=NOW - 2 * DAY, message="before")
    await storage.chats.create(ann.id, "Group", [bob.id], date=NOW)
    await storage.media.add_file(FileRecord(id=77, size=1500, part_size=1024, mime_type="image/jpeg",
                                            owner_id=ann.id, created_at=NOW), ["k/0", "k/1"])

    stats = await storage.statistics.summary(NOW, days=3)
    assert stats["users"] == {"total": 3, "banned": 1}
    assert stats["active_users"] == {"1d": 1, "7d": 1, "30d": 2}
    assert stats["sessions"] == 3
    per_day = stats["messages"]["per_day"]
    assert [d["day"] for d in per_day] == ["2027-01-13", "2027-01-14", "2027-01-15"]
    # One message however many boxes hold it; the group's creation message counts too.
    assert [d["messages"] for d in per_day] == [1, 0, 3]
    assert stats["messages"]["total"] == 4
    assert stats["groups"] == 1
    assert stats["storage"] == {"files": 1, "file_bytes": 1500, "pending_upload_bytes": 0}
