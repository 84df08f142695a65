"""The process's Prometheus metrics: named metric objects in one registry of their own.

Every layer records into these with one line: a counter increment, a histogram
observation. This module does no I/O and imports nothing of the project, so that
rpc/ and storage/ can import it without cycles; server/ops_http.py serves
``REGISTRY`` at ``/metrics``.

What is cheaper to read when scraped than to keep up to date (connections by transport,
logged-in connections, unimplemented methods, the database pool) is read by
:class:`StateCollector` at scrape time, so it costs nothing on the hot path.

Labels are bounded, so a hostile client cannot grow the registry: method names come
from the TL schemas, error names lose their numbers (``FLOOD_WAIT_30`` →
``FLOOD_WAIT_X``), and past ``MAX_LABEL_VALUES`` distinct values of one label the rest
are counted as ``other``.

The per-RPC cost is one counter increment and one histogram observation on label
children cached in plain dicts (``labels()`` itself takes a lock and builds tuples).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from time import perf_counter, time_ns
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

T = TypeVar("T")

# No *_created series: creation times of counters say nothing an operator needs.
disable_created_metrics()
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this process
PlatformCollector(registry=REGISTRY)  # the Python version

MAX_LABEL_VALUES = {"method": 1000, "result": 200}
OTHER = "other"
# RPC latency: a cached read answers in well under a millisecond, a login's password
# check or a file part upload takes tens to hundreds.
_RPC_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Bus delivery: tens of microseconds in one process, a Redis round trip across processes;
# seconds mean a subscriber falling behind (or clocks apart).
_BUS_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0, 30.0)
_DB_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)

RPC_REQUESTS = Counter(
    "mtserver_rpc_requests", "RPC calls answered, by method and result (ok, or the RPC error name)",
    ["method", "result"], registry=REGISTRY)
RPC_DURATION = Histogram(
    "mtserver_rpc_duration_seconds", "Time from a decoded RPC call to its encoded answer, by method",
    ["method"], buckets=_RPC_BUCKETS, registry=REGISTRY)
HANDSHAKES = Counter(
    "mtserver_handshakes", "Auth key handshakes (DH exchanges), by result", ["result"], registry=REGISTRY)
HANDSHAKES_COMPLETED = HANDSHAKES.labels("completed")
HANDSHAKES_FAILED = HANDSHAKES.labels("failed")
BUS_PUBLISHED = Counter(
    "mtserver_bus_published", "Payloads this process published on the bus", registry=REGISTRY)
BUS_DELIVERED = Counter(
    "mtserver_bus_delivered", "Payloads put into this process's subscription buffers", registry=REGISTRY)
BUS_DROPPED = Counter(
    "mtserver_bus_dropped", "Payloads dropped from full subscription buffers (the session catches up instead)",
    registry=REGISTRY)
PUSH_GAPS = Counter(
    "mtserver_push_gaps", "Gaps in a session's pts order its stream held rows back for, by how they closed:"
    " the rows arrived, read from the update log, or lost (updatesTooLong)", ["closed"], registry=REGISTRY)
PUSH_GAPS_ARRIVED = PUSH_GAPS.labels("arrived")
PUSH_GAPS_FROM_LOG = PUSH_GAPS.labels("log")
PUSH_GAPS_LOST = PUSH_GAPS.labels("lost")
BUS_LAG = Histogram(
    "mtserver_bus_lag_seconds", "Time from publishing an update on the bus to a subscribing session taking it"
    " from its buffer (across processes: plus the difference of their clocks)",
    buckets=_BUS_BUCKETS, registry=REGISTRY)
DB_STATEMENT_DURATION = Histogram(
    "mtserver_db_statement_duration_seconds", "Time one SQL statement took in the database driver, by backend",
    ["backend"], buckets=_DB_BUCKETS, registry=REGISTRY)
OBJECT_STORE_ERRORS = Counter(
    "mtserver_object_store_errors", "Object store (media) operations that failed, by operation",
    ["operation"], registry=REGISTRY)
GC_PAUSE = Histogram(
    "mtserver_gc_pause_seconds", "Time the event loop stood still in one cyclic garbage collection, by generation"
    " (2: a full one, which walks every object the process keeps)", ["generation"], buckets=_DB_BUCKETS,
    registry=REGISTRY)
UPDATE_LOG_ROWS = Gauge(
    "mtserver_update_log_rows", "Rows in the update log (refreshed at scrape time, at most once a minute)",
    registry=REGISTRY)


# -- RPCs ----------------------------------------------------------------------------------

_rpc_counters: dict[tuple[str, str], Any] = {}
_rpc_histograms: dict[str, Any] = {}
_seen: dict[str, set[str]] = {"method": set(), "result": set()}
_DIGITS = re.compile(r"\d+")


def _bounded(label: str, value: str) -> str:
    seen = _seen[label]
    if value in seen:
        return value
    if len(seen) >= MAX_LABEL_VALUES[label]:
        return OTHER
    seen.add(value)
    return value


def observe_rpc(method: str, result: str, seconds: float) -> None:
    """One answered call: ``result`` is "ok" or the RPC error name."""
    counter = _rpc_counters.get((method, result))
    if counter is None:
        counter = _rpc_counter(method, result)
    counter.inc()
    histogram = _rpc_histograms.get(method)
    if histogram is None:
        histogram = _rpc_histograms[method] = RPC_DURATION.labels(_bounded("method", method))
    histogram.observe(seconds)


def _rpc_counter(method: str, result: str):
    name = _bounded("result", _DIGITS.sub("X", result))
    counter = RPC_REQUESTS.labels(_bounded("method", method), name)
    if len(_rpc_counters) < MAX_LABEL_VALUES["method"] * 4:  # the cache stays bounded too
        _rpc_counters[(method, result)] = counter
    return counter


def observed_dispatch(error_type: type[Exception]):
    """Decorates the RPC dispatcher, ``async dispatch(request, ctx)``: each call that
    answers (a result, an ``error_type`` with ``.message``, or a crash, which the client
    sees as INTERNAL_SERVER_ERROR) is counted under the innermost method's name; a
    cancelled call (its connection went away) is not."""

    def decorate(dispatch):
        @functools.wraps(dispatch)
        async def observed(request, ctx):
            started = perf_counter()
            try:
                answer = await dispatch(request, ctx)
            except error_type as exc:
                observe_rpc(_method_name(request, ctx), exc.message, perf_counter() - started)
                raise
            except Exception:
                observe_rpc(_method_name(request, ctx), "INTERNAL_SERVER_ERROR", perf_counter() - started)
                raise
            observe_rpc(_method_name(request, ctx), "ok", perf_counter() - started)
            return answer

        return observed

    return decorate


def _method_name(request, ctx) -> str:
    inner = getattr(ctx, "innermost", None)
    if inner is None:  # a wrapper was refused before the method was reached
        inner = request
    return getattr(inner, "QUALNAME", None) or type(inner).__name__


# -- the bus --------------------------------------------------------------------------------


def observe_bus_lag(sent_us: int) -> None:
    """One update taken by a subscriber, published at ``sent_us`` (microseconds since the
    epoch, the publisher's clock: a clock behind the publisher's would make it negative,
    counted as 0)."""
    BUS_LAG.observe(max(0.0, time_ns() // 1000 - sent_us) / 1e6)


# -- storage --------------------------------------------------------------------------------


# Label children are made on first use, so that a SQLite server shows no PostgreSQL series.
_statement_timers: dict[str, Any] = {}


def observe_statement(backend: str, seconds: float) -> None:
    timer = _statement_timers.get(backend)
    if timer is None:
        timer = _statement_timers[backend] = DB_STATEMENT_DURATION.labels(backend)
    timer.observe(seconds)


def sqlite_statement(fn: Callable[..., T], *args: Any) -> T:
    """Runs ``fn(*args)`` (a statement: on the event loop, or in a worker thread) and times it."""
    started = perf_counter()
    try:
        return fn(*args)
    finally:
        observe_statement("sqlite", perf_counter() - started)


# -- read at scrape time ---------------------------------------------------------------------


class StateCollector:
    """Gauges and counters read from a running server when scraped.

    ``state()`` returns the ServerState (None while starting); ``unimplemented`` is the
    dispatcher's Counter of unimplemented method names."""

    def __init__(self, state: Callable[[], Any], unimplemented: Mapping[str, int]):
        self._state = state
        self._unimplemented = unimplemented

    def describe(self) -> Iterable:
        return []  # families vary with the server's state; collect() is cheap anyway

    def collect(self) -> Iterable:
        unimplemented = CounterMetricFamily(
            "mtserver_rpc_unimplemented", "Calls of methods this server does not implement, by method",
            labels=["method"])
        for name, count in sorted(self._unimplemented.items())[: MAX_LABEL_VALUES["method"]]:
            unimplemented.add_metric([name], count)
        yield unimplemented
        state = self._state()
        if state is None:
            return
        connections = list(state.connections)
        by_transport: dict[str, int] = {}
        for conn in connections:
            transport = getattr(getattr(conn, "transport", None), "transport_name", None) or "undetected"
            by_transport[transport] = by_transport.get(transport, 0) + 1
        family = GaugeMetricFamily("mtserver_connections", "Open client connections, by transport",
                                   labels=["transport"])
        for transport, count in sorted(by_transport.items())[:50]:
            family.add_metric([transport], count)
        yield family
        yield GaugeMetricFamily("mtserver_authorized_connections",
                                "Open connections with a logged-in user",
                                value=sum(1 for c in connections if getattr(c, "push_user", None) is not None))
        usage = getattr(getattr(state.storage, "db", None), "pool_usage", None)
        if usage is not None:
            size, idle, limit = usage()
            pool = GaugeMetricFamily("mtserver_db_pool_connections",
                                     "PostgreSQL pool connections, by state (busy, idle, max)", labels=["state"])
            pool.add_metric(["busy"], size - idle)
            pool.add_metric(["idle"], idle)
            pool.add_metric(["max"], limit)
            yield pool
