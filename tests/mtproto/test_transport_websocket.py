"""WebSocket framing (mtproto/transport/websocket.py) and the HTTP request reader
(mtproto/transport/http.py): however the bytes are cut, the same events; masking,
control frames, fragmentation and every bound."""

from __future__ import annotations

import os
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtproto.transport import ObfuscatedClient, Packet, ServerTransport
from mtproto.transport.http import BadRequest, Request, RequestReader
from mtproto.transport.websocket import (
    MESSAGE_TOO_BIG,
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    PROTOCOL_ERROR,
    UNSUPPORTED_DATA,
    CloseReceived,
    Data,
    Ping,
    Pong,
    ProtocolError,
    WebSocketCodec,
    accept_key,
    client_frame,
    encode_frame,
    handshake,
    mask,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in zip(points, points[1:])]


def feed_all(codec: WebSocketCodec, chunks) -> list:
    events = []
    for chunk in chunks:
        events += codec.feed(chunk)
    return events


def merged(events) -> list:
    """Adjacent Data events joined: the stream's content, whatever the cuts."""
    out = []
    for event in events:
        if isinstance(event, Data) and out and isinstance(out[-1], Data):
            out[-1] = Data(out[-1].data + event.data)
        else:
            out.append(event)
    return out


def fragmented(payload: bytes, pieces: int) -> bytes:
    """One binary message in `pieces` frames (continuation frames after the first)."""
    size = max(1, len(payload) // pieces)
    parts = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
    frames = []
    for index, part in enumerate(parts):
        opcode = OP_BINARY if index == 0 else OP_CONTINUATION
        frames.append(client_frame(opcode, part, fin=index == len(parts) - 1))
    return b"".join(frames)


# -- the frame codec ---------------------------------------------------------------------


@FAST
@given(messages=st.lists(st.binary(max_size=70_000), min_size=1, max_size=5),
       pieces=st.lists(st.integers(1, 4), min_size=5, max_size=5),
       cuts=st.lists(st.integers(0, 400_000), max_size=12),
       with_ping=st.booleans())
def test_any_split_of_the_wire_gives_the_same_stream(messages, pieces, cuts, with_ping):
    wire = b"".join(fragmented(m, p) for m, p in zip(messages, pieces))
    if with_ping:
        wire += client_frame(OP_PING, b"still there?") + client_frame(OP_BINARY, b"tail")
    events = merged(feed_all(WebSocketCodec(), split(wire, cuts)))
    whole = b"".join(messages) + (b"tail" if with_ping else b"")
    expected = [Data(b"".join(messages))] if b"".join(messages) else []
    if with_ping:
        expected = (expected + [Ping(b"still there?"), Data(b"tail")])
    assert events == expected
    assert b"".join(e.data for e in events if isinstance(e, Data)) == whole


@FAST
@given(payload=st.binary(max_size=300), key=st.binary(min_size=4, max_size=4), offset=st.integers(0, 7))
def test_masking_is_its_own_inverse_and_follows_the_key_cycle(payload, key, offset):
    assert mask(mask(payload, key, offset), key, offset) == payload
    expected = bytes(b ^ key[(i + offset) % 4] for i, b in enumerate(payload))
    assert mask(payload, key, offset) == expected


def test_byte_by_byte_feeding_unmasks_across_frame_boundaries():
    payload = os.urandom(1000)
    wire = client_frame(OP_BINARY, payload[:300], fin=False) + client_frame(OP_CONTINUATION, payload[300:])
    events = feed_all(WebSocketCodec(), [wire[i:i + 1] for i in range(len(wire))])
    assert b"".join(e.data for e in events) == payload


def test_unmasked_client_frames_are_refused():
    events = WebSocketCodec().feed(encode_frame(OP_BINARY, b"abcd"))
    assert events == [ProtocolError(PROTOCOL_ERROR, "client frames must be masked")]


def test_ping_pong_and_close_frames_are_events():
    codec = WebSocketCodec()
    wire = (client_frame(OP_PING, b"p") + client_frame(OP_PONG, b"q")
            + client_frame(OP_CLOSE, struct.pack("!H", 1000) + b"bye") + client_frame(OP_BINARY, b"late"))
    assert codec.feed(wire) == [Ping(b"p"), Pong(b"q"), CloseReceived(1000, "bye")]
    assert codec.feed(client_frame(OP_BINARY, b"more")) == []


def test_control_frames_may_come_between_fragments():
    wire = (client_frame(OP_BINARY, b"ab", fin=False) + client_frame(OP_PING, b"")
            + client_frame(OP_CONTINUATION, b"cd"))
    assert merged(WebSocketCodec().feed(wire)) == [Data(b"ab"), Ping(b""), Data(b"cd")]


def test_broken_control_frames_are_protocol_errors():
    assert WebSocketCodec().feed(client_frame(OP_PING, b"x" * 126))[0].code == PROTOCOL_ERROR
    assert WebSocketCodec().feed(client_frame(OP_PING, b"", fin=False))[0].code == PROTOCOL_ERROR
    assert WebSocketCodec().feed(client_frame(OP_CLOSE, b"\x03"))[0].code == PROTOCOL_ERROR
    assert WebSocketCodec().feed(client_frame(OP_CLOSE, struct.pack("!H", 1005)))[0].code == PROTOCOL_ERROR


def test_fragmentation_rules():
    assert WebSocketCodec().feed(client_frame(OP_CONTINUATION, b"x"))[0].code == PROTOCOL_ERROR
    wire = client_frame(OP_BINARY, b"x", fin=False) + client_frame(OP_BINARY, b"y")
    assert WebSocketCodec().feed(wire)[-1].code == PROTOCOL_ERROR
    assert WebSocketCodec().feed(client_frame(0x3, b"x"))[0].code == PROTOCOL_ERROR
    rsv = bytearray(client_frame(OP_BINARY, b"x"))
    rsv[0] |= 0x40
    assert WebSocketCodec().feed(bytes(rsv))[0].code == PROTOCOL_ERROR


def test_text_messages_are_refused_as_unsupported_data():
    assert WebSocketCodec().feed(client_frame(OP_TEXT, b"hello"))[0].code == UNSUPPORTED_DATA


def test_oversize_frames_and_messages_are_refused_before_their_bytes():
    codec = WebSocketCodec(max_message_size=1000)
    # Only the header of a 2**40-byte frame: refused at once, nothing buffered.
    header = struct.pack("!BBQ", 0x80 | OP_BINARY, 0x80 | 127, 1 << 40) + os.urandom(4)
    assert codec.feed(header) == [ProtocolError(MESSAGE_TOO_BIG, f"message of {1 << 40} bytes exceeds 1000")]
    codec = WebSocketCodec(max_message_size=1000)
    events = codec.feed(client_frame(OP_BINARY, b"x" * 600, fin=False) + client_frame(OP_CONTINUATION, b"y" * 600))
    assert events[-1].code == MESSAGE_TOO_BIG
    assert codec.feed(client_frame(OP_BINARY, b"z")) == []  # dead after the error
    assert WebSocketCodec(max_message_size=1000).feed(client_frame(OP_BINARY, b"x" * 1000)) == [Data(b"x" * 1000)]


def test_memory_stays_bounded_while_a_big_frame_streams():
    codec = WebSocketCodec()
    wire = client_frame(OP_BINARY, os.urandom(1 << 20))
    for i in range(0, len(wire), 4096):
        codec.feed(wire[i:i + 4096])
        assert len(codec._buffer) <= 14


def test_end_of_stream_without_close_is_an_abnormal_closure():
    codec = WebSocketCodec()
    codec.feed(client_frame(OP_BINARY, b"ab"))
    assert codec.end_of_stream() == [CloseReceived(None, "connection closed without a close frame")]


def test_server_frames_are_unmasked_and_one_per_payload():
    for size in (0, 125, 126, 65535, 65536):
        frame = WebSocketCodec.frame_binary(b"\x01" * size)
        assert frame[0] == 0x80 | OP_BINARY and not frame[1] & 0x80
        assert frame.endswith(b"\x01" * size)


def test_obfuscated2_inside_websocket_messages_cut_anywhere():
    client = ObfuscatedClient("intermediate")
    packets = [os.urandom(n * 4) for n in (4, 100, 7, 3000)]
    stream = b"".join(client.encode(p) for p in packets)
    # The init header and packets cut into messages at arbitrary points, as browsers do.
    wire = b"".join(client_frame(OP_BINARY, part) for part in split(stream, [5, 64, 70, 200, 9000, 9001]))
    transport = ServerTransport()
    received = []
    for event in WebSocketCodec().feed(wire):
        received += transport.feed(event.data)
    assert [e.payload for e in received if isinstance(e, Packet)] == packets
    assert transport.transport_name == "obfuscated2/intermediate"


# -- the upgrade ----------------------------------------------------------------------


def upgrade_request(**overrides) -> Request:
    headers = {"host": "example.org", "upgrade": "websocket", "connection": "keep-alive, Upgrade",
               "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13",
               "sec-websocket-protocol": "binary", "origin": "https://web.example"}
    headers.update(overrides)
    return Request("GET", "/apiws", "HTTP/1.1", {k: v for k, v in headers.items() if v is not None})


def test_upgrade_answers_with_the_rfc_accept_key_and_the_binary_subprotocol():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455, 1.3
    ok, answer = handshake(upgrade_request())
    assert ok and answer.startswith(b"HTTP/1.1 101 ")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in answer
    assert b"Sec-WebSocket-Protocol: binary\r\n" in answer
    ok, answer = handshake(upgrade_request(**{"sec-websocket-protocol": None}))
    assert ok and b"Sec-WebSocket-Protocol" not in answer


def test_bad_upgrades_get_an_http_error():
    assert handshake(upgrade_request(**{"sec-websocket-version": "8"}))[1].startswith(b"HTTP/1.1 426 ")
    assert handshake(upgrade_request(**{"sec-websocket-key": "short"}))[1].startswith(b"HTTP/1.1 400 ")
    assert handshake(upgrade_request(connection="keep-alive"))[1].startswith(b"HTTP/1.1 400 ")
    wrong_path = Request("GET", "/elsewhere", "HTTP/1.1", upgrade_request().headers)
    assert handshake(wrong_path)[1].startswith(b"HTTP/1.1 404 ")


# -- the HTTP request reader ---------------------------------------------------------


@FAST
@given(bodies=st.lists(st.binary(max_size=3000), min_size=1, max_size=4), cuts=st.lists(st.integers(0, 20_000)))
def test_keep_alive_requests_come_out_whole_however_cut(bodies, cuts):
    wire = b"".join(b"POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(b) + b for b in bodies)
    reader = RequestReader()
    got = []
    for chunk in split(wire, cuts):
        reader.feed(chunk)
        while (request := reader.next_request()) is not None:
            got.append(request)
    assert [r.body for r in got] == bodies
    assert all(r.method == "POST" and r.path == "/api" and r.keep_alive for r in got)


def test_request_reader_bounds():
    reader = RequestReader(max_head=100)
    reader.feed(b"GET / HTTP/1.1\r\nX: " + b"a" * 200)
    assert reader.next_request() == BadRequest(431, "request head longer than 100 bytes")
    reader = RequestReader(max_body=10)
    reader.feed(b"POST /api HTTP/1.1\r\nContent-Length: 11\r\n\r\n")
    assert reader.next_request().status == 413
    reader = RequestReader()
    reader.feed(b"POST /api HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert reader.next_request().status == 411
    for head in (b"BREW /pot HTTP/1.1", b"GET / HTTP/2.0", b"GET /", b"GET / HTTP/1.1\r\nbad header"):
        reader = RequestReader()
        reader.feed(head + b"\r\n\r\n")
        assert isinstance(reader.next_request(), BadRequest), head
    reader = RequestReader()
    reader.feed(b"POST /api HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
    assert reader.next_request().status == 400


def test_http_1_0_closes_unless_asked_to_keep_alive():
    assert not Request("POST", "/api", "HTTP/1.0").keep_alive
    assert Request("POST", "/api", "HTTP/1.0", {"connection": "Keep-Alive"}).keep_alive
    assert not Request("POST", "/api", "HTTP/1.1", {"connection": "close"}).keep_alive
