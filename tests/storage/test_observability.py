"""What storage offers the operators' endpoints (server/ops_http.py), on both backends:
a ping, the update log's size, statement timings, and PostgreSQL's pool use."""

from __future__ import annotations

from server import metrics

A, B = 1, 2


def statements(backend: str) -> float:
    return metrics.REGISTRY.get_sample_value("mtserver_db_statement_duration_seconds_count",
                                             {"backend": backend}) or 0


async def test_ping_and_update_log_size(storage):
    await storage.ping()
    assert await storage.messages.update_log_rows() == 0
    await storage.users.create("15550001", "Ann")
    await storage.users.create("15550002", "Bob")
    await storage.messages.send_private(A, B, date=100, message="hi")
    assert await storage.messages.update_log_rows() == 2  # one row in each box


async def test_every_statement_is_timed(storage):
    before = statements(storage.backend)
    await storage.ping()
    await storage.users.create("15550003", "Cid")  # statements inside a transaction count too
    assert statements(storage.backend) >= before + 2


async def test_postgres_reports_its_pool(storage):
    usage = getattr(storage.db, "pool_usage", None)
    if storage.backend == "sqlite":
        assert usage is None  # one connection, nothing to report
        return
    size, idle, limit = usage()
    assert 1 <= size <= limit and 0 <= idle <= size
