"""Byte-for-byte agreement with Telethon 1.45's transport codecs, a client that talks to
Telegram's own servers every day (telethon/network/connection/*.py)."""

from __future__ import annotations

import asyncio
import random
import struct
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telethon.network.connection import tcpmtproxy, tcpobfuscated
from telethon.network.connection.tcpabridged import AbridgedPacketCodec
from telethon.network.connection.tcpfull import FullPacketCodec
from telethon.network.connection.tcpintermediate import (
    IntermediatePacketCodec,
    RandomizedIntermediatePacketCodec,
)
from telethon.network.connection.tcpmtproxy import MTProxyIO
from telethon.network.connection.tcpobfuscated import ObfuscatedIO

from mtproto.transport import CLIENT_CODECS, Packet, ServerTransport
from mtproto.transport.client import make_init_header

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class FakeReader:
    """Telethon codecs read through ``await reader.readexactly(n)``; serve it from memory."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = bytearray(data)

    async def readexactly(self, n: int) -> bytes:
        if len(self.data) < n:
            raise asyncio.IncompleteReadError(bytes(self.data), n)
        chunk = bytes(self.data[:n])
        del self.data[:n]
        return chunk


class FakeWriter:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data


def run(coro):
    """Drive a coroutine that never actually waits (FakeReader has its bytes already)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("coroutine suspended")


def fake_connection(codec_class):
    return SimpleNamespace(_reader=FakeReader(), _writer=FakeWriter(), packet_codec=codec_class)


@st.composite
def mtproto_payloads(draw, max_size: int = 300_000) -> bytes:
    rng = random.Random(draw(st.integers(0, 2**32)))
    if draw(st.booleans()):
        data = rng.randbytes(4 * draw(st.integers(0, 150) | st.integers(0, (max_size - 20) // 4)))
        return bytes(8) + rng.randbytes(8) + struct.pack("<I", len(data)) + data
    blocks = draw(st.integers(1, 40) | st.integers(1, (max_size - 24) // 16))
    return rng.randbytes(7) + b"\x01" + rng.randbytes(16 + 16 * blocks)


payload_lists = st.lists(mtproto_payloads(), min_size=1, max_size=3)


PLAIN = [
    ("abridged", AbridgedPacketCodec, b"\xef"),
    ("intermediate", IntermediatePacketCodec, b"\xee\xee\xee\xee"),
    ("full", FullPacketCodec, b""),
]


@pytest.mark.parametrize("name, telethon_codec, tag", PLAIN)
@FAST
@given(payloads=payload_lists)
def test_our_client_frames_exactly_like_telethon(name, telethon_codec, tag, payloads):
    theirs = telethon_codec(None)
    ours = CLIENT_CODECS[name]()
    expected = tag + b"".join(theirs.encode_packet(p) for p in payloads)
    assert b"".join(ours.encode(p) for p in payloads) == expected


@pytest.mark.parametrize("name, telethon_codec, tag", PLAIN)
@FAST
@given(payloads=payload_lists)
def test_server_reads_telethon_packets_and_telethon_reads_ours(name, telethon_codec, tag, payloads):
    theirs = telethon_codec(None)
    server = ServerTransport()
    wire = tag + b"".join(theirs.encode_packet(p) for p in payloads)
    assert server.feed(wire) == [Packet(p) for p in payloads]

    # Server framing is the client framing without the marker: Telethon's encoder must agree.
    replies = [server.frame(p) for p in payloads]
    mirror = telethon_codec(None)  # a second encoder, so full's seqno also starts at 0
    assert replies == [mirror.encode_packet(p) for p in payloads]
    reader = FakeReader(b"".join(replies))
    assert [run(theirs.read_packet(reader)) for _ in payloads] == payloads
    assert not reader.data


@FAST
@given(payloads=payload_lists)
def test_server_strips_telethon_random_padding_and_telethon_strips_ours(payloads):
    # Telethon's RandomizedIntermediatePacketCodec has no plain tag (it is meant for MTProxy),
    # so the 0xdddddddd marker is written here as the page prescribes.
    theirs = RandomizedIntermediatePacketCodec(None)
    server = ServerTransport()
    wire = b"\xdd\xdd\xdd\xdd" + b"".join(theirs.encode_packet(p) for p in payloads)
    assert server.feed(wire) == [Packet(p) for p in payloads]

    reader = FakeReader(b"".join(server.frame(p) for p in payloads))
    assert [run(theirs.read_packet(reader)) for _ in payloads] == payloads


@pytest.mark.parametrize(
    "name, telethon_codec, tag",
    PLAIN + [("padded_intermediate", RandomizedIntermediatePacketCodec, b"\xdd" * 4)],
)
def test_telethon_reads_our_transport_error_as_a_bare_int32(name, telethon_codec, tag):
    server = ServerTransport()
    server.feed(tag)
    if name == "full":
        server.feed(CLIENT_CODECS["full"]().encode(bytes(20)))
    body = run(telethon_codec(None).read_packet(FakeReader(server.frame_error(-404))))
    assert body == struct.pack("<i", -404)


OBFUSCATED = [
    ("abridged", AbridgedPacketCodec),
    ("intermediate", IntermediatePacketCodec),
    ("padded_intermediate", RandomizedIntermediatePacketCodec),
]


@pytest.mark.parametrize("inner, telethon_codec", OBFUSCATED)
@settings(max_examples=10, deadline=None)
@given(payloads=st.lists(mtproto_payloads(max_size=3000), min_size=1, max_size=3))
def test_server_speaks_obfuscated2_with_telethon_in_both_directions(inner, telethon_codec, payloads):
    # Payloads stay small: Telethon's AES-CTR is pure Python (pyaes).
    connection = fake_connection(telethon_codec)
    obfuscation = ObfuscatedIO(connection)
    codec = telethon_codec(connection)
    connection._writer.write(obfuscation.header)
    for payload in payloads:
        obfuscation.write(codec.encode_packet(payload))

    server = ServerTransport()
    assert server.feed(bytes(connection._writer.data)) == [Packet(p) for p in payloads]
    assert server.transport_name == f"obfuscated2/{inner}"

    obfuscation._reader = FakeReader(b"".join(server.frame(p) for p in payloads))
    assert [run(codec.read_packet(obfuscation)) for _ in payloads] == payloads


def scripted_urandom(seed: int):
    rng = random.Random(seed)
    return lambda n: rng.randbytes(n)


@pytest.mark.parametrize("inner, telethon_codec", OBFUSCATED)
@pytest.mark.parametrize("seed", range(5))
def test_our_init_header_and_keystreams_match_telethons_for_the_same_random_bytes(
    inner, telethon_codec, seed, monkeypatch
):
    monkeypatch.setattr(tcpobfuscated, "os", SimpleNamespace(urandom=scripted_urandom(seed)))
    header, their_encrypt, their_decrypt = ObfuscatedIO.init_header(telethon_codec)
    ours, our_encrypt, our_decrypt = make_init_header(
        telethon_codec.obfuscate_tag, randbytes=scripted_urandom(seed)
    )
    assert ours == bytes(header)
    sample = bytes(range(256)) * 3
    assert our_encrypt.update(sample) == their_encrypt.encrypt(sample)
    assert our_decrypt.update(sample) == their_decrypt.encrypt(sample)


@pytest.mark.parametrize("seed", range(5))
def test_mtproxy_header_with_secret_and_dc_id_matches_telethon(seed, monkeypatch):
    secret = bytes.fromhex("00112233445566778899aabbccddeeff")
    monkeypatch.setattr(tcpmtproxy, "os", SimpleNamespace(urandom=scripted_urandom(seed)))
    header, their_encrypt, _ = MTProxyIO.init_header(
        b"\xdd" + secret, -4, RandomizedIntermediatePacketCodec
    )
    ours, _, _ = make_init_header(b"\xdd" * 4, dc_id=-4, secret=secret, randbytes=scripted_urandom(seed))
    assert ours == bytes(header)

    payload = bytes(8) + bytes(8) + struct.pack("<I", 8) + b"\x01" * 8
    framed = RandomizedIntermediatePacketCodec(None).encode_packet(payload)
    wire = bytes(header) + their_encrypt.encrypt(framed)
    server = ServerTransport(secret=secret)
    assert server.feed(wire) == [Packet(payload)]
    assert server.dc_id == -4
