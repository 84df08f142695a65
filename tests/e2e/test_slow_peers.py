"""Peers that cost the server memory or a slot without ever sending a whole frame
(hardening, item 9): each test does what the attack did, against a real server."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from .server_process import ServerProcess

ABRIDGED = b"\xef"
NOT_EXEMPT = {"MTSERVER_LIMITS_EXEMPT": ""}  # the tests connect from loopback, exempt by default


def abridged_header(size: int) -> bytes:
    return bytes([size // 4]) if size // 4 < 0x7F else b"\x7f" + (size // 4).to_bytes(3, "little")


def closed_within(sock: socket.socket, seconds: float) -> bytes:
    """What the server sent before closing; fails if it is still open after `seconds`."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {seconds} s")
    except ConnectionResetError:
        pass
    return received


@pytest.fixture
def start(tmp_path):
    started = []

    def start(**env) -> ServerProcess:
        proc = ServerProcess(tmp_path / f"data{len(started)}", env=env)
        started.append(proc.start())
        return proc

    yield start
    for proc in started:
        proc.stop()


def test_a_frame_trickled_byte_by_byte_is_cut_off(start):
    server = start(MTSERVER_FRAME_TIMEOUT="1", MTSERVER_IDLE_TIMEOUT="300")
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(ABRIDGED + abridged_header(64))
    started = time.monotonic()
    with pytest.raises((BrokenPipeError, ConnectionResetError)):
        for _ in range(40):  # one byte every 0.25 s: each one used to reset the idle timer
            time.sleep(0.25)
            sock.sendall(b"x")
    assert time.monotonic() - started < 5
    assert '"frame_too_slow"' in server.log()


def test_bytes_that_never_make_a_frame_do_not_keep_a_connection(start):
    server = start(MTSERVER_FRAME_TIMEOUT="1")
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(ABRIDGED + abridged_header(4096) + b"y" * 100)
    closed_within(sock, 5)


def test_before_an_auth_key_frames_are_small(start):
    server = start()
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(ABRIDGED + abridged_header(2 * 1024 * 1024))  # a 2 MiB frame, announced
    answer = closed_within(sock, 5)
    assert answer.endswith(struct.pack("<i", -404))  # refused before a byte of it was held
    assert "exceeds the limit" in server.log()


def test_one_address_gets_a_bounded_number_of_connections(start):
    server = start(MTSERVER_MAX_CONNECTIONS_PER_ADDRESS="2", **NOT_EXEMPT)
    held = [socket.create_connection((server.host, server.port)) for _ in range(2)]
    for sock in held:
        sock.sendall(ABRIDGED)
    time.sleep(0.3)
    extra = socket.create_connection((server.host, server.port))
    extra.sendall(ABRIDGED + abridged_header(20) + bytes(20))  # any packet: answered -429
    assert closed_within(extra, 5).endswith(struct.pack("<i", -429))
    held.pop().close()
    time.sleep(0.3)
    again = socket.create_connection((server.host, server.port))
    again.sendall(ABRIDGED + abridged_header(20) + bytes(20))
    assert not closed_within(again, 5).endswith(struct.pack("<i", -429))  # a slot came free


def test_incomplete_frames_share_one_memory_budget(start):
    server = start(MTSERVER_BUFFER_BUDGET_MB="1", MTSERVER_FRAME_TIMEOUT="60")
    first = socket.create_connection((server.host, server.port))
    first.sendall(ABRIDGED + abridged_header(1024 * 1024) + b"a" * 700_000)
    time.sleep(0.5)
    second = socket.create_connection((server.host, server.port))
    second.sendall(ABRIDGED + abridged_header(1024 * 1024) + b"b" * 700_000)
    assert closed_within(second, 5).endswith(struct.pack("<i", -429))
    assert '"buffer_budget_exceeded"' in server.log()
    first.settimeout(0.5)
    with pytest.raises(TimeoutError):
        first.recv(1)  # the first one is still being served


def test_an_http_body_trickled_is_cut_off_too(start):
    server = start(MTSERVER_FRAME_TIMEOUT="1")
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n")
    started = time.monotonic()
    try:
        for _ in range(40):
            time.sleep(0.25)
            sock.sendall(b"z")
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert time.monotonic() - started < 5
    assert b" 408 " in closed_within(sock, 5) or '"http_bad_request"' in server.log()


def test_a_connection_that_never_sends_a_packet_is_closed(start):
    # Connection limits count a connection once it sends a packet; one that sends only a
    # transport marker (or nothing) must not hold its slot for the whole idle timeout.
    server = start(MTSERVER_FRAME_TIMEOUT="1", MTSERVER_IDLE_TIMEOUT="300")
    quiet = socket.create_connection((server.host, server.port))
    marker_only = socket.create_connection((server.host, server.port))
    marker_only.sendall(ABRIDGED)
    closed_within(quiet, 5)
    closed_within(marker_only, 5)
