"""The operators' HTTP listener of a real server process (`mtserver run --http`):
Prometheus metrics of what a real Telethon client did, parsed as Prometheus parses
them; /healthz and /readyz; Redis going away turns /healthz to 503 naming it; the bus's
delivery lag, on the in-process bus and on Redis."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .server_process import ServerProcess, free_port
from .test_accounts import CODE, new_phone, sign_up

# Methods Telethon can send that this server does not implement (one is enough; a list
# so that implementing one does not break the test).
UNIMPLEMENTED_CANDIDATES = ("phone.GetCallConfigRequest", "help.GetPremiumPromoRequest",
                            "payments.GetStarsStatusRequest")


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(port: int) -> None:
    """Until /readyz says ready: the MTProto port (what ServerProcess.start waits for)
    accepts while the server still opens its storage, and /healthz says "starting" then."""
    deadline = time.monotonic() + 30
    while get(port, "/readyz")[0] != 200:
        assert time.monotonic() < deadline, "the server did not become ready"
        time.sleep(0.05)


def scrape(port: int) -> dict:
    """{family name: family} of the /metrics text."""
    status, body = get(port, "/metrics")
    assert status == 200
    return {family.name: family for family in text_string_to_metric_families(body.decode())}


def value(families: dict, family: str, sample: str, **labels) -> float | None:
    for s in families[family].samples:
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


@pytest.fixture(scope="module")
def ops_server(tmp_path_factory):
    http_port = free_port()
    proc = ServerProcess(tmp_path_factory.mktemp("ops") / "data",
                         env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_HTTP": f"127.0.0.1:{http_port}"})
    proc.http_port = http_port
    proc.start()
    wait_ready(http_port)
    yield proc
    proc.stop()


def unimplemented_request():
    """A Telethon request for a method without a handler here, and its TL name."""
    from telethon.tl import functions

    import rpc  # noqa: F401  (registers the handlers)
    from rpc.router import ROUTES

    implemented = {t.QUALNAME for t in ROUTES}
    for candidate in UNIMPLEMENTED_CANDIDATES:
        namespace, _, name = candidate.partition(".")
        cls = getattr(getattr(functions, namespace), name)
        qualname = f"{namespace}.{name[0].lower()}{name[1:].removesuffix('Request')}"
        if qualname not in implemented:
            return cls(), qualname
    pytest.skip("every candidate method is implemented now: pick another")


def test_metrics_count_what_a_real_client_did(ops_server, run):
    from telethon import errors, functions

    pem = ops_server.public_key()[0]
    request, unimplemented = unimplemented_request()

    async def scenario():
        client, _ = await sign_up(ops_server, pem, new_phone(), "Metrics")
        try:
            await client(functions.help.GetConfigRequest())
            with pytest.raises(errors.UsernameNotOccupiedError):
                await client(functions.contacts.ResolveUsernameRequest(username="nobody_is_called_this"))
            with pytest.raises(errors.BadRequestError, match="METHOD_NOT_IMPLEMENTED"):
                await client(request)
            # Scraped while the client is connected and logged in.
            return scrape(ops_server.http_port)
        finally:
            await client.disconnect()

    families = run(scenario())
    requests = "mtserver_rpc_requests"
    assert value(families, requests, "mtserver_rpc_requests_total", method="help.getConfig", result="ok") >= 1
    assert value(families, requests, "mtserver_rpc_requests_total", method="auth.signUp", result="ok") == 1
    assert value(families, requests, "mtserver_rpc_requests_total", method="contacts.resolveUsername",
                 result="USERNAME_NOT_OCCUPIED") == 1
    assert value(families, requests, "mtserver_rpc_requests_total", method=unimplemented,
                 result="METHOD_NOT_IMPLEMENTED") == 1
    assert value(families, "mtserver_rpc_unimplemented", "mtserver_rpc_unimplemented_total",
                 method=unimplemented) == 1

    # The latency histogram agrees with the counters: one observation per answered call.
    histogram = families["mtserver_rpc_duration_seconds"]
    assert histogram.type == "histogram"
    for method in ("help.getConfig", "contacts.resolveUsername", "auth.signUp"):
        answered = sum(s.value for s in families[requests].samples
                       if s.name == "mtserver_rpc_requests_total" and s.labels["method"] == method)
        buckets = [(float(s.labels["le"]), s.value) for s in histogram.samples
                   if s.name == "mtserver_rpc_duration_seconds_bucket" and s.labels["method"] == method]
        counts = [count for _, count in sorted(buckets)]
        assert counts == sorted(counts) and counts[-1] == answered, method  # cumulative, +Inf = all
        assert value(families, "mtserver_rpc_duration_seconds", "mtserver_rpc_duration_seconds_count",
                     method=method) == answered
        assert value(families, "mtserver_rpc_duration_seconds", "mtserver_rpc_duration_seconds_sum",
                     method=method) > 0

    assert value(families, "mtserver_handshakes", "mtserver_handshakes_total", result="completed") >= 1
    assert value(families, "mtserver_connections", "mtserver_connections", transport="full") >= 1
    assert value(families, "mtserver_authorized_connections", "mtserver_authorized_connections") >= 1
    assert value(families, "mtserver_db_statement_duration_seconds", "mtserver_db_statement_duration_seconds_count",
                 backend="sqlite") > 10
    assert value(families, "mtserver_update_log_rows", "mtserver_update_log_rows") is not None
    assert value(families, "mtserver_bus_published", "mtserver_bus_published_total") is not None
    assert value(families, "mtserver_object_store_errors", "mtserver_object_store_errors_total",
                 operation="put") == 0


def test_healthz_and_readyz_of_a_healthy_server(ops_server):
    status, body = get(ops_server.http_port, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok", "objects": "ok"}, "failed": []}
    status, body = get(ops_server.http_port, "/readyz")
    assert (status, json.loads(body)) == (200, {"status": "ready"})
    assert get(ops_server.http_port, "/nowhere")[0] == 404


def test_an_oversized_request_is_refused(ops_server):
    with socket.create_connection(("127.0.0.1", ops_server.http_port), timeout=10) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20000 + b"\r\n\r\n")
        answer = _read_all(s)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"mtserver_" not in answer


def _read_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


class TcpProxy:
    """127.0.0.1:<port> forwarded to `target` until close(): then the port is closed and
    every forwarded connection is cut, as when Redis goes away."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def test_healthz_names_redis_when_it_goes_away(tmp_path):
    redis_or_skip()
    proxy = TcpProxy(("127.0.0.1", 6379))
    http_port = free_port()
    proc = ServerProcess(tmp_path / "data", env={
        "MTSERVER_HTTP": f"127.0.0.1:{http_port}", "MTSERVER_REDIS": f"redis://127.0.0.1:{proxy.port}/0"})
    try:
        proc.start()
        wait_ready(http_port)
        status, body = get(http_port, "/healthz")
        assert (status, json.loads(body)["checks"]) == (200, {"database": "ok", "redis": "ok", "objects": "ok"})
        proxy.close()  # Redis's address is now a closed port
        status, body = get(http_port, "/healthz")
        report = json.loads(body)
        assert status == 503
        assert report["status"] == "failing" and report["failed"] == ["redis"]
        assert report["checks"]["database"] == "ok" and report["checks"]["redis"] != "ok"
        # Readiness is about start-up and shutdown, not dependencies: still ready.
        assert get(http_port, "/readyz")[0] == 200
    finally:
        proxy.close()
        proc.stop()


def redis_or_skip() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")


async def a_message_delivered_live(server, pem) -> None:
    """Alice writes to Bob, whose session gets it pushed (one bus delivery at least)."""
    from telethon import events, types

    alice, _ = await sign_up(server, pem, new_phone(), "Alice")
    bob, bob_user = await sign_up(server, pem, new_phone(), "Bob", receive_updates=True)
    try:
        got = asyncio.Queue()
        bob.add_event_handler(lambda e: got.put_nowait(e.message), events.NewMessage(incoming=True))
        await bob.get_dialogs()  # Bob's session asks for updates
        await alice.send_message(types.InputPeerUser(bob_user.id, bob_user.access_hash), "timed")
        assert (await asyncio.wait_for(got.get(), 10)).message == "timed"
    finally:
        await alice.disconnect()
        await bob.disconnect()


def assert_bus_lag_measured(families: dict) -> None:
    histogram = families["mtserver_bus_lag_seconds"]
    assert histogram.type == "histogram"
    count = value(families, "mtserver_bus_lag_seconds", "mtserver_bus_lag_seconds_count")
    buckets = sorted((float(s.labels["le"]), s.value) for s in histogram.samples
                     if s.name == "mtserver_bus_lag_seconds_bucket")
    assert count >= 1 and [c for _, c in buckets] == sorted(c for _, c in buckets) and buckets[-1][1] == count
    # On one machine delivery takes well under a second, even on a loaded test host.
    assert dict(buckets)[1.0] == count
    assert 0 <= value(families, "mtserver_bus_lag_seconds", "mtserver_bus_lag_seconds_sum") < count


def test_bus_lag_on_the_in_process_bus(ops_server, run):
    run(a_message_delivered_live(ops_server, ops_server.public_key()[0]))
    assert_bus_lag_measured(scrape(ops_server.http_port))


def test_bus_lag_across_redis(tmp_path, run):
    redis_or_skip()
    http_port = free_port()
    proc = ServerProcess(tmp_path / "data", env={
        "MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_HTTP": f"127.0.0.1:{http_port}",
        "MTSERVER_REDIS": "redis://127.0.0.1:6379/0"})
    try:
        proc.start()
        run(a_message_delivered_live(proc, proc.public_key()[0]))
        assert_bus_lag_measured(scrape(http_port))
    finally:
        proc.stop()


def test_the_server_process_freezes_its_startup_heap_and_counts_collections(ops_server):
    # server/collector.py: `mtserver run` freezes what it holds once started, and every
    # collection's pause is in the histogram (the one at startup at least).
    listening = next(json.loads(line) for line in ops_server.log().splitlines()
                     if '"listening"' in line and line.startswith("{"))
    assert listening["frozen_objects"] > 10_000
    families = scrape(ops_server.http_port)
    assert families["mtserver_gc_pause_seconds"].type == "histogram"
    assert value(families, "mtserver_gc_pause_seconds", "mtserver_gc_pause_seconds_count", generation="2") >= 1
