"""server/front.py: a new connection's first bytes, taken at once when they are there."""

from __future__ import annotations

import trio
import trio.testing

from server.front import _first_bytes, _read_now


async def _pair() -> tuple[trio.SocketStream, trio.socket.SocketType]:
    ours, theirs = trio.socket.socketpair()
    return trio.SocketStream(ours), theirs


async def test_bytes_already_there_are_taken_without_a_wait_or_a_deadline():
    stream, peer = await _pair()
    await peer.send(b"\xee\xee\xee\xee" + b"x" * 40)
    # The deadline is long past: a wait would give nothing, so these came without one.
    assert await _first_bytes(stream, False, trio.current_time() - 1, None) == b"\xee\xee\xee\xee" + b"x" * 40
    assert _read_now(stream) is None  # nothing more there


async def test_a_peer_that_left_gives_nothing():
    stream, peer = await _pair()
    peer.close()
    assert _read_now(stream) == b""
    assert await _first_bytes(stream, False, trio.current_time() + 5, None) == b""


async def test_too_few_bytes_wait_for_the_rest_until_the_deadline():
    stream, peer = await _pair()
    await peer.send(b"PO")

    async def rest():
        await trio.sleep(0.05)
        await peer.send(b"ST /api")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(rest)
        assert await _first_bytes(stream, False, trio.current_time() + 5, None) == b"POST /api"
    await peer.send(b"G")
    assert await _first_bytes(stream, False, trio.current_time() + 0.05, None) == b"G"  # the deadline


async def test_abridged_is_told_by_one_byte_and_what_was_read_already_counts():
    stream, peer = await _pair()
    assert await _first_bytes(stream, False, trio.current_time() - 1, b"\xef") == b"\xef"
    assert await _first_bytes(stream, True, trio.current_time() + 0.05, b"\xef") == b"\xef"  # HTTP port: 4 bytes
    await peer.send(b"\xef\x01")
    assert await _first_bytes(stream, False, trio.current_time() - 1, None) == b"\xef\x01"


async def test_a_stream_that_is_not_a_plain_socket_is_not_read_around():
    left, _ = trio.testing.memory_stream_pair()
    assert _read_now(left) is None
