"""Malformed input from a client always ends in exactly one TransportError event and never in
an exception (https://core.telegram.org/mtproto/mtproto-transports, "Transport errors": 404 for
packets whose fields are incorrect)."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtproto.transport import (
    CLIENT_CODECS,
    AbridgedCodec,
    FullCodec,
    IntermediateCodec,
    ObfuscatedClient,
    ObfuscatedCodec,
    Packet,
    PaddedIntermediateCodec,
    QuickAck,
    RemoteTransportError,
    ServerTransport,
    TransportError,
)

PAYLOAD = bytes(8) + b"\x11" * 8 + struct.pack("<I", 12) + b"\x22" * 12
SERVER_CODECS = [
    AbridgedCodec,
    IntermediateCodec,
    PaddedIntermediateCodec,
    FullCodec,
    ObfuscatedCodec,
    ServerTransport,
]
CLIENTS = [*CLIENT_CODECS.values(), ObfuscatedClient]
FUZZ = settings(max_examples=100, deadline=None)


def make(codec_class, max_packet_size: int):
    if codec_class is ServerTransport:
        return ServerTransport(max_packet_size=max_packet_size)
    return codec_class(max_packet_size)


def assert_well_behaved(events: list, allowed: tuple) -> None:
    assert all(isinstance(event, allowed + (TransportError,)) for event in events)
    errors = [i for i, event in enumerate(events) if isinstance(event, TransportError)]
    assert errors in ([], [len(events) - 1])


@pytest.mark.parametrize("codec_class", SERVER_CODECS)
@FUZZ
@given(chunks=st.lists(st.binary(max_size=300), max_size=8))
def test_random_bytes_give_packets_or_one_transport_error_never_an_exception(codec_class, chunks):
    codec = make(codec_class, 4096)
    events = [event for chunk in chunks for event in codec.feed(chunk)]
    events += codec.end_of_stream()
    assert_well_behaved(events, (Packet,))


@pytest.mark.parametrize("client_class", CLIENTS)
@FUZZ
@given(chunks=st.lists(st.binary(max_size=300), max_size=8))
def test_clients_survive_random_server_bytes(client_class, chunks):
    client = client_class()
    events = [event for chunk in chunks for event in client.feed(chunk)]
    events += client.end_of_stream()
    assert_well_behaved(events, (Packet, QuickAck, RemoteTransportError))


# Built once: padded intermediate pads randomly, and hypothesis needs a fixed input to mutate.
VALID_STREAMS = {name: codec().encode(PAYLOAD) * 3 for name, codec in CLIENT_CODECS.items()}


@pytest.mark.parametrize("name", ["abridged", "intermediate", "padded_intermediate", "full"])
@FUZZ
@given(data=st.data())
def test_a_valid_stream_with_random_bytes_spliced_in_never_raises(name, data):
    wire = bytearray(VALID_STREAMS[name])
    position = data.draw(st.integers(0, len(wire)))
    wire[position:position] = data.draw(st.binary(min_size=1, max_size=64))
    server = ServerTransport(max_packet_size=4096)
    events = server.feed(bytes(wire)) + server.end_of_stream()
    assert_well_behaved(events, (Packet,))


@pytest.mark.parametrize("name", ["abridged", "intermediate", "padded_intermediate", "full"])
def test_a_frame_cut_short_is_reported_when_the_client_closes(name):
    wire = CLIENT_CODECS[name]().encode(PAYLOAD)
    server = ServerTransport()
    assert server.feed(wire[:-1]) == []
    [event] = server.end_of_stream()
    assert "incomplete frame" in event.reason


def test_an_obfuscated_frame_cut_short_is_reported_too():
    server = ServerTransport()
    server.feed(ObfuscatedClient("abridged").encode(PAYLOAD)[:-3])
    [event] = server.end_of_stream()
    assert "incomplete frame" in event.reason


def test_wrong_crc_is_rejected():
    wire = bytearray(CLIENT_CODECS["full"]().encode(PAYLOAD))
    wire[-1] ^= 0xFF
    [event] = ServerTransport().feed(bytes(wire))
    assert isinstance(event, TransportError) and "CRC32" in event.reason
    assert event.code == -404


def test_a_corrupted_payload_byte_fails_the_crc():
    wire = bytearray(CLIENT_CODECS["full"]().encode(PAYLOAD))
    wire[20] ^= 0x01
    [event] = ServerTransport().feed(bytes(wire))
    assert "CRC32" in event.reason


def full_frame(payload: bytes, seqno: int) -> bytes:
    head = struct.pack("<II", len(payload) + 12, seqno) + payload
    return head + struct.pack("<I", zlib.crc32(head))


def test_full_seqno_must_increase_by_one_per_packet():
    server = ServerTransport()
    events = server.feed(full_frame(PAYLOAD, 0) + full_frame(PAYLOAD, 1) + full_frame(PAYLOAD, 3))
    assert events[:2] == [Packet(PAYLOAD), Packet(PAYLOAD)]
    assert "seqno 3, expected 2" in events[2].reason


def test_full_seqno_must_not_repeat():
    events = ServerTransport().feed(full_frame(PAYLOAD, 0) + full_frame(PAYLOAD, 0))
    assert "seqno 0, expected 1" in events[1].reason


def test_full_seqno_must_start_at_zero():
    [event] = FullCodec().feed(full_frame(PAYLOAD, 1))
    assert "seqno 1, expected 0" in event.reason


def test_full_rejects_the_quick_ack_bit_it_does_not_have():
    frame = bytearray(full_frame(PAYLOAD, 0))
    frame[3] |= 0x80
    [event] = ServerTransport().feed(bytes(frame))
    assert "exceeds the limit" in event.reason


@pytest.mark.parametrize(
    "wire",
    [
        b"\xef\x7f\xff\xff\xff",  # 2**24 - 1 words, ~64 MB
        b"\xee\xee\xee\xee" + struct.pack("<I", 0x7FFFFFF0),
        b"\xdd\xdd\xdd\xdd" + struct.pack("<I", 0x7FFFFFF0),
        struct.pack("<II", 0x7FFFFFF0, 0),
    ],
    ids=["abridged", "intermediate", "padded", "full"],
)
def test_an_oversized_length_is_refused_before_its_body_arrives(wire):
    [event] = ServerTransport().feed(wire)
    assert "exceeds the limit" in event.reason


def test_the_size_limit_is_configurable():
    server = ServerTransport(max_packet_size=1024)
    assert server.feed(CLIENT_CODECS["intermediate"]().encode(bytes(1024))) == [Packet(bytes(1024))]
    [event] = server.feed(struct.pack("<I", 1028))
    assert "1028 exceeds the limit 1024" in event.reason


@pytest.mark.parametrize(
    "wire",
    [b"\xef\x00", b"\xee\xee\xee\xee" + bytes(4), struct.pack("<II", 12, 0) + b"\x00" * 4],
    ids=["abridged", "intermediate", "full"],
)
def test_empty_packets_are_refused(wire):
    [event] = ServerTransport().feed(wire)
    assert "below 4" in event.reason


@pytest.mark.parametrize(
    "wire", [b"\xee\xee\xee\xee" + struct.pack("<I", 6) + bytes(6), struct.pack("<II", 26, 0)]
)
def test_unaligned_lengths_are_refused_outside_padded_intermediate(wire):
    [event] = ServerTransport().feed(wire)
    assert "not a multiple of 4" in event.reason


def padded(body: bytes) -> bytes:
    return b"\xdd\xdd\xdd\xdd" + struct.pack("<I", len(body)) + body


def test_padded_unencrypted_length_beyond_the_packet_is_refused():
    body = bytes(8) + bytes(8) + struct.pack("<I", 100) + bytes(12)
    [event] = ServerTransport().feed(padded(body))
    assert "message_data_length" in event.reason


def test_padded_more_than_15_bytes_of_padding_is_refused():
    [event] = ServerTransport().feed(padded(PAYLOAD + bytes(16)))
    assert "padding exceed 15" in event.reason


def test_padded_up_to_15_bytes_of_padding_is_stripped():
    server = ServerTransport()
    assert server.feed(padded(PAYLOAD + b"\x99" * 15)) == [Packet(PAYLOAD)]
    encrypted = b"\x01" * 8 + b"\x02" * 16 + b"\x03" * 32
    frame = struct.pack("<I", len(encrypted) + 13) + encrypted + b"\x04" * 13
    assert server.feed(frame) == [Packet(encrypted)]


@pytest.mark.parametrize("body", [b"\x01\x02\x03\x04\x05", bytes(12), b"\x01" * 20])
def test_padded_packets_too_short_for_an_mtproto_header_are_refused(body):
    [event] = ServerTransport().feed(padded(body))
    assert isinstance(event, TransportError)


def test_packets_before_the_bad_frame_are_still_delivered_and_later_input_is_ignored():
    client = CLIENT_CODECS["intermediate"]()
    server = ServerTransport()
    events = server.feed(client.encode(PAYLOAD) + struct.pack("<I", 7))
    assert events[0] == Packet(PAYLOAD) and isinstance(events[1], TransportError)
    assert server.error is events[1]
    assert server.feed(client.encode(PAYLOAD)) == []
    assert server.end_of_stream() == []


def test_the_server_can_still_send_the_error_after_a_framing_error():
    server = ServerTransport()
    [event] = server.feed(b"\xee\xee\xee\xee" + struct.pack("<I", 7))
    assert server.frame_error(event.code) == struct.pack("<Ii", 4, -404)


def test_framing_a_payload_no_peer_could_send_is_a_programming_error():
    server = ServerTransport()
    server.feed(b"\xef")
    for payload in (b"", b"abc", b"abcde"):
        with pytest.raises(ValueError):
            server.frame(payload)
    with pytest.raises(ValueError):
        CLIENT_CODECS["full"]().encode(PAYLOAD, quick_ack=True)
