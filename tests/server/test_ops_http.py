"""The operators' listener in-process (server/ops_http.py, server/health.py): readiness
through start-up and shutdown, failing and hanging checks, and the limits on what a
client may send. Timeouts are shortened; the real process is tested in
tests/e2e/test_ops_http.py."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
import trio
from structlog.testing import capture_logs

from server import health, ops_http
from server.config import Config
from storage.objects.local import LocalObjectStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def exchange(port: int, data: bytes, *, send_eof: bool = True) -> bytes:
    """Sends `data`, returns everything the server answered until it closed."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(data)
        chunks = []
        with trio.fail_after(10):
            while chunk := await stream.receive_some(65536):
                chunks.append(chunk)
    return b"".join(chunks)


async def get(port: int, path: str) -> tuple[int, dict]:
    answer = await exchange(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def state_of(storage, objects_root: Path, **config) -> SimpleNamespace:
    return SimpleNamespace(config=Config(**config), storage=storage, bus=None, objects=LocalObjectStore(objects_root),
                           connections=set(), shutting_down=False)


async def test_readyz_follows_start_up_and_shutdown(storage, tmp_path):
    port = free_port()
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")) as ops:
        assert await get(port, "/readyz") == (503, {"status": "starting"})
        assert (await get(port, "/healthz"))[0] == 503
        state = state_of(storage, tmp_path / "media")
        ops.serving(state)
        assert await get(port, "/readyz") == (200, {"status": "ready"})
        assert await get(port, "/healthz") == (200, {"status": "ok", "checks": {"database": "ok", "objects": "ok"},
                                                     "failed": []})
        state.shutting_down = True
        assert await get(port, "/readyz") == (503, {"status": "stopping"})
    with pytest.raises(OSError):  # closed with the server
        await trio.open_tcp_stream("127.0.0.1", port)


async def test_healthz_names_an_object_store_it_cannot_write_to(storage, tmp_path):
    port = free_port()
    (tmp_path / "not-a-dir").write_text("")
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")) as ops:
        ops.serving(state_of(storage, tmp_path / "not-a-dir" / "media"))
        status, report = await get(port, "/healthz")
    assert status == 503 and report["failed"] == ["objects"]
    assert report["checks"]["database"] == "ok" and "not a directory" in report["checks"]["objects"]


async def test_a_hanging_check_fails_in_time_and_does_not_pile_up(tmp_path, monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.2)
    pings = []

    async def hang() -> None:
        pings.append(1)
        await trio.sleep_forever()

    port = free_port()
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")) as ops:
        ops.serving(state_of(SimpleNamespace(ping=hang), tmp_path / "media"))
        for _ in range(3):
            with trio.fail_after(2):
                status, report = await get(port, "/healthz")
            assert status == 503 and report["failed"] == ["database"]
            assert report["checks"]["database"] == "no answer within 0.2 s"
    assert pings == [1]  # one check in flight, whoever asks


async def test_requests_other_than_a_small_get_are_refused(monkeypatch):
    monkeypatch.setattr(ops_http, "HEAD_TIMEOUT", 0.3)
    port = free_port()
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")):
        oversized = await exchange(port, b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
        assert oversized.startswith(b"HTTP/1.1 431 ")
        post = await exchange(port, b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        assert post.startswith(b"HTTP/1.1 405 ") and b"allow: GET, HEAD" in post
        garbage = await exchange(port, b"\x16\x03\x01 not http at all\r\n\r\n")
        assert garbage.startswith(b"HTTP/1.1 400 ")
        # A head that never ends is cut off: a slow client holds nothing for long.
        with trio.fail_after(3):
            slow = await exchange(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        assert slow.startswith(b"HTTP/1.1 408 ")
        head = await exchange(port, b"HEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503 ") and head.endswith(b"\r\n\r\n")  # no body


async def test_connections_past_the_limit_are_closed_unanswered(monkeypatch):
    monkeypatch.setattr(ops_http, "MAX_CONNECTIONS", 1)
    port = free_port()
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")):
        holder = await trio.open_tcp_stream("127.0.0.1", port)
        async with holder:
            await holder.send_all(b"GET /readyz HTTP/1.1\r\n")  # not finished: holds the one slot
            await trio.sleep(0.1)
            assert await exchange(port, b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n") == b""
        await trio.sleep(0.1)
        assert (await get(port, "/readyz"))[0] == 503  # the slot is free again


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
async def test_listening_beyond_loopback_is_warned_about(host, warned):
    with capture_logs() as logs:
        async with ops_http.open_ops_http(Config(http=f"{host}:{free_port()}")):
            pass
    assert any(entry["event"] == "ops_http_not_loopback" and entry["log_level"] == "warning"
               for entry in logs) is warned


async def test_off_unless_configured():
    async with ops_http.open_ops_http(Config()) as ops:
        assert ops.port is None and ops.phase == "starting"


async def test_healthz_names_an_unreachable_s3_bucket(storage, tmp_path):
    from storage.objects.s3 import S3ObjectStore

    port = free_port()
    state = state_of(storage, tmp_path / "media")
    state.objects = S3ObjectStore.from_url(f"s3://key:secret@127.0.0.1:{free_port()}/media")  # nobody listens
    async with ops_http.open_ops_http(Config(http=f"127.0.0.1:{port}")) as ops:
        ops.serving(state)
        with trio.fail_after(5):
            status, report = await get(port, "/healthz")
    assert status == 503 and report["failed"] == ["objects"]
    assert "secret" not in json.dumps(report), report
