"""How many SQL statements this process has run, from the server's own metric
(mtserver_db_statement_duration_seconds_count, every backend): tests that a path costs
no read, or a fixed number, take the difference around it."""

from __future__ import annotations

from server import metrics


def statements_run() -> float:
    return sum(s.value for m in metrics.REGISTRY.collect() for s in m.samples
               if s.name == "mtserver_db_statement_duration_seconds_count")
