"""ServerTransport recognises the client's transport from its first bytes
(https://core.telegram.org/mtproto/mtproto-transports, "Transport obfuscation" for the prefixes
an obfuscated2 header must avoid)."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtproto.transport import (
    CLIENT_CODECS,
    ObfuscatedClient,
    ObfuscatedCodec,
    Packet,
    ServerTransport,
    TransportError,
)
from mtproto.transport.client import make_init_header
from mtproto.transport.obfuscated import header_is_reserved

PAYLOAD = bytes(8) + b"\x11" * 8 + struct.pack("<I", 12) + b"\x22" * 12


def feed_bytewise(server: ServerTransport, data: bytes) -> list:
    return [event for i in range(len(data)) for event in server.feed(data[i : i + 1])]


@pytest.mark.parametrize("name", ["abridged", "intermediate", "padded_intermediate", "full"])
def test_each_plain_transport_is_recognised_byte_by_byte_and_its_marker_is_not_payload(name):
    server = ServerTransport()
    assert feed_bytewise(server, CLIENT_CODECS[name]().encode(PAYLOAD)) == [Packet(PAYLOAD)]
    assert server.transport_name == name
    assert server.dc_id is None


@pytest.mark.parametrize(
    "marker, name",
    [(b"\xef", "abridged"), (b"\xee" * 4, "intermediate"), (b"\xdd" * 4, "padded_intermediate")],
)
def test_the_marker_alone_is_enough_to_choose_the_transport(marker, name):
    server = ServerTransport()
    assert server.feed(marker) == []
    assert server.transport_name == name


def test_nothing_is_decided_from_fewer_bytes_than_the_rules_need():
    server = ServerTransport()
    header = ObfuscatedClient("intermediate").encode(PAYLOAD)
    assert server.feed(header[:63]) == []
    assert server.transport_name is None
    assert server.feed(header[63:]) == [Packet(PAYLOAD)]
    assert server.transport_name == "obfuscated2/intermediate"


def test_full_is_told_from_obfuscated2_by_the_zero_seqno_in_bytes_4_to_8():
    server = ServerTransport()
    frame = CLIENT_CODECS["full"]().encode(PAYLOAD)
    assert frame[4:8] == bytes(4)
    assert server.feed(frame[:8]) == []
    assert server.transport_name == "full"


@pytest.mark.parametrize("received", [b"\x01\x02", b"\x01\x02\x03\x04\x05\x06\x07\x08\x09"])
def test_nothing_can_be_framed_before_the_transport_is_known(received):
    server = ServerTransport()
    server.feed(received)
    with pytest.raises(RuntimeError):
        server.frame(PAYLOAD)
    with pytest.raises(RuntimeError):
        server.frame_quick_ack(0x80000000)
    assert server.frame_error(-404) == b""


def test_an_obfuscated_codec_cannot_frame_before_the_init_header():
    codec = ObfuscatedCodec()
    codec.feed(bytes(range(1, 40)))
    with pytest.raises(RuntimeError):
        codec.frame(PAYLOAD)
    assert codec.frame_error(-404) == b""


@pytest.mark.parametrize(
    "request_line",
    [b"POST /api HTTP/1.1\r\n", b"GET / HTTP/1.1\r\n", b"HEAD / HTTP/1.1\r\n", b"OPTIONS * HTTP/1.1\r\n"],
)
def test_http_requests_are_refused_at_once(request_line):
    server = ServerTransport()
    [event] = server.feed(request_line)
    assert isinstance(event, TransportError) and "HTTP" in event.reason
    assert server.feed(b"more") == []


def test_mtproxy_fake_tls_is_refused():
    [event] = ServerTransport().feed(b"\x16\x03\x01\x02\x00" + bytes(100))
    assert "fake-TLS" in event.reason


def test_a_header_that_decrypts_to_an_unknown_tag_is_refused():
    header = bytearray(random.Random(1).randbytes(64))
    header[0:8] = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    server = ServerTransport()
    [event] = server.feed(bytes(header))
    assert isinstance(event, TransportError) and "protocol tag" in event.reason
    assert server.frame_error(-404) == b""


def test_an_obfuscated2_tag_for_full_does_not_exist():
    # The full transport has no tag; a header built with an arbitrary one must be refused.
    header, _, _ = make_init_header(b"\x00\x00\x00\x00")
    [event] = ServerTransport().feed(header)
    assert "protocol tag" in event.reason


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**64))
def test_generated_init_headers_never_look_like_another_transport(seed):
    rng = random.Random(seed)
    header, _, _ = make_init_header(b"\xef" * 4, randbytes=rng.randbytes)
    assert not header_is_reserved(header)


@pytest.mark.parametrize(
    "prefix",
    [b"\xef\x00\x00\x00", b"\xee" * 4, b"\xdd" * 4, b"HEAD", b"POST", b"GET ", b"OPTI", b"\x16\x03\x01\x02"],
)
def test_reserved_prefixes_make_the_client_draw_again(prefix):
    reserved = prefix + b"\x01" * 60
    zero_seqno = b"\x01\x02\x03\x04" + bytes(4) + b"\x01" * 56
    good = bytes(range(1, 65))
    draws = iter([reserved, zero_seqno, good])
    header, _, _ = make_init_header(b"\xee" * 4, randbytes=lambda n: next(draws))
    assert header[:56] == good[:56]


def test_a_connection_closed_before_detection_is_an_error_only_if_bytes_came():
    assert ServerTransport().end_of_stream() == []
    server = ServerTransport()
    server.feed(b"\x01\x02\x03")
    [event] = server.end_of_stream()
    assert "before a transport was recognised" in event.reason
