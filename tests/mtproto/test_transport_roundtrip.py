"""Client codecs and the server's ServerTransport agree on every transport, however TCP splits
the bytes (https://core.telegram.org/mtproto/mtproto-transports)."""

from __future__ import annotations

import random
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtproto.transport import (
    CLIENT_CODECS,
    ObfuscatedClient,
    Packet,
    QuickAck,
    RemoteTransportError,
    ServerTransport,
)

TRANSPORTS = [
    "abridged",
    "intermediate",
    "padded_intermediate",
    "full",
    "obfuscated2/abridged",
    "obfuscated2/intermediate",
    "obfuscated2/padded_intermediate",
]
PLAIN_ALIGNED = ["abridged", "intermediate", "full", "obfuscated2/abridged", "obfuscated2/intermediate"]
MAX_SIZE = 300_000
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_client(name: str):
    if name.startswith("obfuscated2/"):
        return ObfuscatedClient(name.split("/", 1)[1])
    return CLIENT_CODECS[name]()


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in zip(points, points[1:])]


def feed_all(codec, chunks: list[bytes]) -> list:
    events = []
    for chunk in chunks:
        events += codec.feed(chunk)
    return events


# Sizes cluster around the abridged one-byte/long-header boundary (127 words) and small packets,
# with a tail up to 300 kB, the size of large file parts plus overhead.
word_counts = st.one_of(
    st.integers(1, 160),
    st.sampled_from([126, 127, 128, 255, 256]),
    st.integers(1, MAX_SIZE // 4),
)


@st.composite
def mtproto_payloads(draw) -> bytes:
    """Payloads shaped like MTProto packets, which padded intermediate needs to strip padding."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    if draw(st.booleans()):
        words = min(draw(word_counts), (MAX_SIZE - 20) // 4)
        data = rng.randbytes(4 * words)
        return bytes(8) + rng.randbytes(8) + struct.pack("<I", len(data)) + data
    blocks = draw(st.integers(1, (MAX_SIZE - 24) // 16) | st.integers(1, 40))
    auth_key_id = rng.randbytes(7) + b"\x01"
    return auth_key_id + rng.randbytes(16 + 16 * blocks)


@st.composite
def word_payloads(draw) -> bytes:
    """Any 4-byte aligned payload from 4 bytes to 300 kB."""
    return random.Random(draw(st.integers(0, 2**32))).randbytes(4 * draw(word_counts))


cuts = st.lists(st.integers(0, 2**31), max_size=40)


@pytest.mark.parametrize("transport", TRANSPORTS)
@FAST
@given(payloads=st.lists(mtproto_payloads(), min_size=1, max_size=4), acks=st.lists(st.booleans()), cuts=cuts)
def test_client_packets_reach_the_server_intact_however_split(transport, payloads, acks, cuts):
    client = make_client(transport)
    quick = [transport != "full" and (acks[i] if i < len(acks) else False) for i in range(len(payloads))]
    wire = b"".join(client.encode(p, q) for p, q in zip(payloads, quick))

    server = ServerTransport()
    events = feed_all(server, split(wire, cuts))

    assert events == [Packet(p, q) for p, q in zip(payloads, quick)]
    assert server.transport_name == transport
    assert server.end_of_stream() == []


@pytest.mark.parametrize("transport", PLAIN_ALIGNED)
@FAST
@given(payload=word_payloads(), cuts=cuts)
def test_any_word_aligned_payload_crosses_the_unpadded_transports(transport, payload, cuts):
    wire = make_client(transport).encode(payload)
    assert feed_all(ServerTransport(), split(wire, cuts)) == [Packet(payload)]


@pytest.mark.parametrize("transport", TRANSPORTS)
@FAST
@given(
    payloads=st.lists(mtproto_payloads(), min_size=1, max_size=4),
    token=st.integers(0, 2**32 - 1),
    code=st.sampled_from([-404, -429, -444, 404]),
    cuts=cuts,
)
def test_server_packets_acks_and_errors_reach_the_client_intact_however_split(
    transport, payloads, token, code, cuts
):
    client = make_client(transport)
    server = ServerTransport()
    assert server.feed(client.encode(payloads[0])) == [Packet(payloads[0])]

    wire = b"".join(server.frame(p) for p in payloads)
    wire += server.frame_quick_ack(token) + server.frame_error(code)
    expected = [Packet(p) for p in payloads]
    if transport != "full":
        expected.append(QuickAck(token | 0x80000000))
    expected.append(RemoteTransportError(-abs(code)))

    assert feed_all(client, split(wire, cuts)) == expected
    assert client.end_of_stream() == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_bytes_arriving_one_at_a_time_are_enough(transport):
    payloads = [bytes(8) + b"\x01" * 8 + struct.pack("<I", 8) + b"\x02" * 8, b"\x07" * 8 + b"\x03" * 64]
    client = make_client(transport)
    wire = b"".join(client.encode(p) for p in payloads)
    server = ServerTransport()
    events = []
    for i in range(len(wire)):
        events += server.feed(wire[i : i + 1])
    assert events == [Packet(p) for p in payloads]

    reply = server.frame(payloads[1])
    assert [e for i in range(len(reply)) for e in client.feed(reply[i : i + 1])] == [Packet(payloads[1])]


def test_abridged_switches_to_the_long_header_at_127_words():
    server = ServerTransport()
    server.feed(b"\xef")
    assert server.frame(bytes(4 * 126))[:1] == b"\x7e"
    assert server.frame(bytes(4 * 127))[:4] == b"\x7f\x7f\x00\x00"
    assert server.frame(bytes(4 * 0x012345))[:4] == b"\x7f\x45\x23\x01"


def test_abridged_quick_ack_request_sets_the_top_bit_of_either_header():
    client = CLIENT_CODECS["abridged"]()
    assert client.encode(bytes(8), quick_ack=True)[:2] == b"\xef\x82"
    assert client.encode(bytes(4 * 200), quick_ack=True)[:4] == b"\xff\xc8\x00\x00"


def test_quick_ack_replies_follow_each_transports_byte_order():
    token = 0x81020304
    replies = {}
    for name, marker in [("abridged", b"\xef"), ("intermediate", b"\xee" * 4)]:
        server = ServerTransport()
        server.feed(marker)
        replies[name] = server.frame_quick_ack(token)
    # abridged: byte-swapped so the flag bit leads; intermediate: plain little-endian.
    assert replies == {"abridged": b"\x81\x02\x03\x04", "intermediate": b"\x04\x03\x02\x81"}


def test_quick_ack_reply_sets_the_top_bit_even_if_the_caller_did_not():
    server = ServerTransport()
    server.feed(b"\xee" * 4)
    assert server.frame_quick_ack(0x01020304) == b"\x04\x03\x02\x81"


def test_padded_quick_ack_is_a_framed_minus_one_and_token_under_16_bytes():
    server = ServerTransport(max_padding=15)
    server.feed(b"\xdd" * 4)
    for _ in range(50):
        reply = server.frame_quick_ack(0x80000001)
        length = int.from_bytes(reply[:4], "little")
        assert 8 <= length <= 15 and len(reply) == 4 + length
        assert reply[4:12] == b"\xff\xff\xff\xff\x01\x00\x00\x80"
        error = server.frame_error(-404)
        assert 4 <= int.from_bytes(error[:4], "little") <= 15


def test_padded_server_pads_0_to_3_bytes_by_default():
    server = ServerTransport()
    server.feed(b"\xdd" * 4)
    payload = bytes(8) + bytes(8) + struct.pack("<I", 4) + b"abcd"
    sizes = {len(server.frame(payload)) - 4 - len(payload) for _ in range(200)}
    assert sizes == {0, 1, 2, 3}


def test_full_server_numbers_its_packets_from_zero_and_checksums_them():
    client = CLIENT_CODECS["full"]()
    server = ServerTransport()
    server.feed(client.encode(b"\x00" * 16))
    for seqno in range(3):
        frame = server.frame(b"\x05" * 16)
        assert struct.unpack_from("<II", frame) == (28, seqno)
        assert struct.unpack_from("<I", frame, 24)[0] == zlib.crc32(frame[:24])
    assert server.frame_quick_ack(0x80000000) == b""


def test_error_frame_is_a_negative_int32_in_the_transport_envelope():
    server = ServerTransport()
    server.feed(b"\xee" * 4)
    assert server.frame_error(-429) == b"\x04\x00\x00\x00" + struct.pack("<i", -429)


@pytest.mark.parametrize("inner", ["abridged", "intermediate", "padded_intermediate"])
@pytest.mark.parametrize("dc_id", [2, -4, 10002, -10005])
def test_obfuscated_server_reads_the_dc_id_from_the_header(inner, dc_id):
    client = ObfuscatedClient(inner, dc_id=dc_id)
    server = ServerTransport()
    payload = b"\x09" * 8 + b"\x00" * 32
    assert server.feed(client.encode(payload)) == [Packet(payload)]
    assert server.dc_id == dc_id


def test_obfuscated_keys_mixed_with_an_mtproxy_secret_must_match_on_both_ends():
    secret = bytes(range(16))
    payload = b"\x09" * 8 + b"\x00" * 32
    client = ObfuscatedClient("padded_intermediate", dc_id=2, secret=secret)
    wire = client.encode(payload)

    server = ServerTransport(secret=secret)
    assert server.feed(wire) == [Packet(payload)]
    assert client.feed(server.frame(payload)) == [Packet(payload)]

    unkeyed = ServerTransport()
    [event] = unkeyed.feed(wire)
    assert "protocol tag" in event.reason


def test_obfuscated_header_is_sent_once_and_streams_continue_across_packets():
    client = ObfuscatedClient("intermediate")
    first, second = client.encode(bytes(16)), client.encode(bytes(16))
    assert first[:64] == client.header and len(first) == 64 + 20 and len(second) == 20
    # Same plaintext, different ciphertext: the keystream is not restarted per packet.
    assert first[64:] != second
