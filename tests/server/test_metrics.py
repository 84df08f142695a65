"""server/metrics.py: what a dispatched call records, and label values that stay bounded."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import trio

from rpc.errors import RpcError
from server import metrics


def requests(method: str, result: str) -> float:
    return metrics.REGISTRY.get_sample_value("mtserver_rpc_requests_total", {"method": method, "result": result}) or 0


def observations(method: str) -> float:
    return metrics.REGISTRY.get_sample_value("mtserver_rpc_duration_seconds_count", {"method": method}) or 0


def dispatcher(outcome):
    @metrics.observed_dispatch(RpcError)
    async def dispatch(request, ctx):
        ctx.innermost = request.query
        if isinstance(outcome, BaseException):
            raise outcome
        await outcome()
        return b"answer"

    return dispatch


def call(name: str) -> SimpleNamespace:
    """A request wrapped like initConnection(query=name)."""
    return SimpleNamespace(QUALNAME="initConnection", query=SimpleNamespace(QUALNAME=name))


async def test_an_answered_call_is_counted_under_its_innermost_method():
    before = requests("test.ok", "ok"), observations("test.ok")
    assert await dispatcher(trio.lowlevel.checkpoint)(call("test.ok"), SimpleNamespace()) == b"answer"
    assert (requests("test.ok", "ok"), observations("test.ok")) == (before[0] + 1, before[1] + 1)
    assert requests("initConnection", "ok") == 0


async def test_errors_are_counted_by_name_without_their_numbers():
    with pytest.raises(RpcError):
        await dispatcher(RpcError(420, "FLOOD_WAIT_30"))(call("test.flood"), SimpleNamespace())
    with pytest.raises(RpcError):
        await dispatcher(RpcError(420, "FLOOD_WAIT_7"))(call("test.flood"), SimpleNamespace())
    assert requests("test.flood", "FLOOD_WAIT_X") == 2
    with pytest.raises(ZeroDivisionError):
        await dispatcher(ZeroDivisionError())(call("test.crash"), SimpleNamespace())
    assert requests("test.crash", "INTERNAL_SERVER_ERROR") == 1  # what the client is answered


async def test_a_refused_wrapper_is_counted_under_the_wrapper():
    with pytest.raises(RpcError):
        await metrics.observed_dispatch(RpcError)(_refuse)(call("test.never"), SimpleNamespace(innermost=None))
    assert requests("initConnection", "API_ID_INVALID") >= 1


async def _refuse(request, ctx):
    raise RpcError(400, "API_ID_INVALID")


async def test_a_cancelled_call_is_not_counted():
    with trio.move_on_after(0.01):
        await dispatcher(trio.sleep_forever)(call("test.cancelled"), SimpleNamespace())
    assert observations("test.cancelled") == 0


def test_label_values_past_the_limit_become_other(monkeypatch):
    monkeypatch.setattr(metrics, "MAX_LABEL_VALUES", {"method": 2, "result": 2})
    monkeypatch.setattr(metrics, "_seen", {"method": set(), "result": set()})
    monkeypatch.setattr(metrics, "_rpc_counters", {})
    monkeypatch.setattr(metrics, "_rpc_histograms", {})
    for i in range(5):
        metrics.observe_rpc(f"bound.m{i}", f"ERR_{chr(65 + i)}", 0.001)
    assert requests("bound.m0", "ERR_A") == 1 and requests("bound.m1", "ERR_B") == 1
    assert requests(metrics.OTHER, metrics.OTHER) == 3
    assert observations(metrics.OTHER) == 3
    assert len(metrics._rpc_counters) <= 8


def test_sqlite_statements_are_timed_in_their_thread():
    before = metrics.REGISTRY.get_sample_value("mtserver_db_statement_duration_seconds_count",
                                               {"backend": "sqlite"}) or 0
    assert metrics.sqlite_statement(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(ValueError):
        metrics.sqlite_statement(int, "x")
    assert metrics.REGISTRY.get_sample_value("mtserver_db_statement_duration_seconds_count",
                                             {"backend": "sqlite"}) == before + 2


def test_scrape_time_collector_reads_connections_and_unimplemented_methods():
    conns = [SimpleNamespace(transport=SimpleNamespace(transport_name="full"), push_user=5),
             SimpleNamespace(transport=SimpleNamespace(transport_name="full"), push_user=None),
             SimpleNamespace(transport=SimpleNamespace(transport_name=None), push_user=None)]
    db = SimpleNamespace(pool_usage=lambda: (4, 1, 10))
    state = SimpleNamespace(connections=conns, storage=SimpleNamespace(db=db))
    families = {f.name: f for f in metrics.StateCollector(lambda: state, {"phone.getCallConfig": 3}).collect()}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("mtserver_rpc_unimplemented_total", (("method", "phone.getCallConfig"),))] == 3
    assert samples[("mtserver_connections", (("transport", "full"),))] == 2
    assert samples[("mtserver_connections", (("transport", "undetected"),))] == 1
    assert samples[("mtserver_authorized_connections", ())] == 1
    assert samples[("mtserver_db_pool_connections", (("state", "busy"),))] == 3
    assert samples[("mtserver_db_pool_connections", (("state", "idle"),))] == 1
