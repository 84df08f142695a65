"""MTProto over WebSocket (/apiws) and over HTTP (POST /api) against a running server.

The server runs in-process (trio). The WebSocket client speaks obfuscated2 as
Telegram's web clients do (its messages one byte stream, cut anywhere) and checks
that every transport packet the server sends is exactly one binary message. The
HTTP client does the auth key handshake in POSTs, then encrypted calls and
http_wait long polls (tests/mtproto/session_client.py builds the packets).
"""

from __future__ import annotations

import base64
import os
import struct
import time

import pytest
import trio

import tl
from mtproto.crypto import ServerRsaKey
from mtproto.transport import ObfuscatedClient, Packet, QuickAck, RemoteTransportError
from mtproto.transport import websocket as ws
from server import front
from server.app import serve
from server.config import Config
from tl import functions as F, types as T

from ..mtproto.handshake_client import run_handshake
from ..mtproto.session_client import FakeClient
from .test_protocol_live import registered_client

KEY = ServerRsaKey.generate()


@pytest.fixture
async def server(tmp_path, nursery):
    config = Config(host="127.0.0.1", port=0, ws_port=0, data_dir=str(tmp_path), idle_timeout=30)
    return await nursery.start(lambda task_status: serve(config, KEY, task_status=task_status, handle_signals=False))


async def read_head(stream, buffer: bytearray) -> tuple[int, dict[str, str]]:
    while b"\r\n\r\n" not in buffer:
        data = await stream.receive_some(65536)
        assert data, "closed before the response head"
        buffer += data
    end = buffer.index(b"\r\n\r\n")
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    del buffer[: end + 4]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers


# -- WebSocket -------------------------------------------------------------------------


class WsClient:
    """A browser-like WebSocket client carrying obfuscated2/intermediate."""

    def __init__(self, stream, status, headers, buffer):
        self.stream = stream
        self.status = status
        self.headers = headers
        self.buffer = buffer
        self.codec = ObfuscatedClient("intermediate")

    @classmethod
    async def open(cls, port: int, path: str = "/apiws", extra: str = "Sec-WebSocket-Protocol: binary\r\n",
                   tls=None):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        if tls is not None:
            stream = trio.SSLStream(stream, tls, server_hostname="localhost")
        key = base64.b64encode(os.urandom(16)).decode()
        await stream.send_all((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                               f"Origin: https://web.example\r\n{extra}\r\n").encode())
        buffer = bytearray()
        status, headers = await read_head(stream, buffer)
        if status == 101:
            assert headers["sec-websocket-accept"] == ws.accept_key(key)
        return cls(stream, status, headers, buffer)

    async def send_stream(self, data: bytes, cuts: tuple[int, ...] = ()) -> None:
        """Transport bytes as binary messages cut at `cuts` (offsets into `data`)."""
        points = [0, *[c for c in cuts if 0 < c < len(data)], len(data)]
        for a, b in zip(points, points[1:]):
            await self.stream.send_all(ws.client_frame(ws.OP_BINARY, data[a:b]))

    async def frame(self, timeout: float = 5.0) -> tuple[int, bool, bytes]:
        """The next frame the server sent: (opcode, fin, payload); servers never mask."""
        with trio.fail_after(timeout):
            while True:
                if len(self.buffer) >= 2:
                    first, second = self.buffer[0], self.buffer[1]
                    assert not second & 0x80, "server frames must not be masked"
                    size, start = second & 0x7F, 2
                    if size == 126:
                        size, start = struct.unpack_from("!H", self.buffer, 2)[0], 4
                    elif size == 127:
                        size, start = struct.unpack_from("!Q", self.buffer, 2)[0], 10
                    if len(self.buffer) >= start + size:
                        payload = bytes(self.buffer[start:start + size])
                        del self.buffer[:start + size]
                        return first & 0x0F, bool(first & 0x80), payload
                data = await self.stream.receive_some(65536)
                if not data:
                    raise EOFError("closed")
                self.buffer += data

    async def packet_message(self):
        """The next binary message, checked to be exactly one transport packet."""
        opcode, fin, payload = await self.frame()
        assert opcode == ws.OP_BINARY and fin, (opcode, fin)
        events = self.codec.feed(payload)
        assert len(events) == 1 and not self.codec._inner._buffer, f"{len(events)} packets in one message"
        return events[0]


async def test_websocket_upgrade_on_the_main_port_carries_obfuscated2(server):
    client = await registered_client(server)
    conn = await WsClient.open(server.config.port)
    assert conn.status == 101 and conn.headers["sec-websocket-protocol"] == "binary"
    # Five pings with quick acks in one byte stream: the 64-byte header cut in two, two
    # packets merged into one message, one packet cut across three messages.
    packets = [conn.codec.encode(client.request(F.Ping(ping_id=i)), quick_ack=True) for i in range(5)]
    data = b"".join(packets)
    first = len(packets[0])
    await conn.send_stream(data, cuts=(30, 100, first + len(packets[1]) + len(packets[2]), len(data) - 20,
                                       len(data) - 7))
    acks, pongs = 0, set()
    while acks < 5 or len(pongs) < 5:
        event = await conn.packet_message()
        if isinstance(event, QuickAck):
            acks += 1
        else:
            assert isinstance(event, Packet)
            pongs |= {o.ping_id for _, _, o in client.read(event.payload) if isinstance(o, T.Pong)}
    assert pongs == set(range(5))


async def test_websocket_rpc_answers_and_control_frames(server):
    client = await registered_client(server)
    conn = await WsClient.open(server.config.port, extra="")  # no subprotocol offered: none chosen
    assert conn.status == 101 and "sec-websocket-protocol" not in conn.headers
    msg_id = client.msg_id()
    await conn.send_stream(conn.codec.encode(client.request(F.help.GetConfig(), msg_id=msg_id)))
    await conn.stream.send_all(ws.client_frame(ws.OP_PING, b"are you there"))
    got_pong, config = False, None
    while not (got_pong and config):
        opcode, fin, payload = await conn.frame()
        if opcode == ws.OP_PONG:
            assert payload == b"are you there"
            got_pong = True
            continue
        event = conn.codec.feed(payload)
        assert len(event) == 1 and isinstance(event[0], Packet)
        for _, _, o in client.read(event[0].payload):
            if isinstance(o, tuple) and o[1] == msg_id:
                config = tl.decode(o[2])
    assert isinstance(config, T.Config)
    await conn.stream.send_all(ws.client_frame(ws.OP_CLOSE, struct.pack("!H", 1000)))
    opcode, _, payload = await conn.frame()
    assert opcode == ws.OP_CLOSE and payload[:2] == struct.pack("!H", 1000)


async def test_websocket_transport_error_is_its_own_message_then_close(server):
    conn = await WsClient.open(server.config.port)
    await conn.send_stream(conn.codec.encode(FakeClient().request(F.help.GetConfig())))
    event = await conn.packet_message()
    assert event == RemoteTransportError(-404)
    opcode, _, _ = await conn.frame()
    assert opcode == ws.OP_CLOSE


@pytest.mark.parametrize("bad,code", [
    (ws.encode_frame(ws.OP_BINARY, b"unmasked"), ws.PROTOCOL_ERROR),
    (ws.client_frame(ws.OP_TEXT, b"hello"), ws.UNSUPPORTED_DATA),
    (struct.pack("!BBQ", 0x82, 0xFF, 1 << 32) + os.urandom(4), ws.MESSAGE_TOO_BIG),
])
async def test_websocket_protocol_errors_close_with_their_code(server, bad, code):
    conn = await WsClient.open(server.config.port)
    await conn.stream.send_all(bad)
    opcode, _, payload = await conn.frame()
    assert opcode == ws.OP_CLOSE and struct.unpack("!H", payload[:2])[0] == code


async def test_the_web_port_serves_websocket_but_not_raw_mtproto(server):
    assert server.web_port and server.web_port != server.config.port
    client = await registered_client(server)
    conn = await WsClient.open(server.web_port)
    await conn.send_stream(conn.codec.encode(client.request(F.Ping(ping_id=7))))
    event = await conn.packet_message()
    assert any(isinstance(o, T.Pong) for _, _, o in client.read(event.payload))
    raw = await trio.open_tcp_stream("127.0.0.1", server.web_port)
    await raw.send_all(b"\xee\xee\xee\xee" + b"\x00" * 40)
    with trio.fail_after(5):
        assert await raw.receive_some(100) == b""


async def test_bad_upgrades_and_paths_get_http_errors(server):
    assert (await WsClient.open(server.config.port, path="/other")).status == 404
    assert (await WsClient.open(server.config.port, extra="Sec-WebSocket-Version: 8\r\n")).status in (400, 426)


# -- HTTP transport ----------------------------------------------------------------------


class HttpClient:
    def __init__(self, stream):
        self.stream = stream
        self.buffer = bytearray()

    @classmethod
    async def open(cls, port: int):
        return cls(await trio.open_tcp_stream("127.0.0.1", port))

    async def request(self, body: bytes, method: str = "POST", path: str = "/api",
                      timeout: float = 30) -> tuple[int, dict, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
        await self.stream.send_all(head.encode() + body)
        with trio.fail_after(timeout):
            status, headers = await read_head(self.stream, self.buffer)
            size = int(headers.get("content-length", "0"))
            while len(self.buffer) < size:
                data = await self.stream.receive_some(65536)
                assert data
                self.buffer += data
        answer = bytes(self.buffer[:size])
        del self.buffer[:size]
        return status, headers, answer

    async def post(self, body: bytes, **kw) -> bytes:
        status, _, answer = await self.request(body, **kw)
        assert status == 200, status
        return answer


def http_wait(client: FakeClient, max_wait_ms: int, *more: bytes) -> bytes:
    """A container: `more` content messages (already encoded bodies) and an http_wait."""
    items = [(client.msg_id(), client.seqno(True), body) for body in more]
    items.append((client.msg_id(), client.seqno(False), tl.encode(T.HttpWait(max_delay=0, wait_after=0,
                                                                              max_wait=max_wait_ms))))
    return client.container(items)


async def http_logged_client(server) -> FakeClient:
    """An auth key made by a handshake over POST /api (its three steps on one keep-alive
    connection), with the server salt learnt from bad_server_salt."""
    http = await HttpClient.open(server.config.port)
    auth_key, answer = await trio.to_thread.run_sync(
        lambda: run_handshake(None, KEY, send=lambda packet: trio.from_thread.run(http.post, packet)))
    assert isinstance(answer, T.DhGenOk)
    client = FakeClient(auth_key)
    messages = client.read(await http.post(client.request(F.Ping(ping_id=1), salt=0)))
    salts = [o.new_server_salt for _, _, o in messages if isinstance(o, T.BadServerSalt)]
    # No session is kept for a message with a wrong salt: new_session_created comes with
    # the first message that passes the checks.
    assert salts and not any(isinstance(o, T.NewSessionCreated) for _, _, o in messages)
    client.salt = salts[0]
    messages = client.read(await http.post(client.request(F.Ping(ping_id=2))))
    assert any(isinstance(o, T.NewSessionCreated) for _, _, o in messages)
    await http.stream.aclose()
    return client


async def test_http_transport_handshake_then_get_config(server):
    client = await http_logged_client(server)
    http = await HttpClient.open(server.config.port)
    msg_id = client.msg_id()
    # No http_wait: the defaults (answer as soon as something is queued) bring the result.
    answer = await http.post(client.request(F.InvokeWithLayer(layer=229, query=F.InitConnection(
        api_id=1, device_model="d", system_version="s", app_version="1", system_lang_code="en",
        lang_pack="", lang_code="en", query=F.help.GetConfig())), msg_id=msg_id))
    results = [tl.decode(o[2]) for _, _, o in client.read(answer) if isinstance(o, tuple) and o[1] == msg_id]
    assert len(results) == 1 and isinstance(results[0], T.Config)


async def test_http_wait_long_poll_times_out_with_an_empty_container_and_carries_later_answers(server):
    client = await http_logged_client(server)
    poll = await HttpClient.open(server.config.port)
    started = time.monotonic()
    answer = await poll.post(http_wait(client, 1500))
    assert 1.3 < time.monotonic() - started < 10
    assert client.read(answer) == []  # an empty container
    # An RPC sent with max_wait 0 answers at once; its result rides on whichever of the
    # two requests is open when it is ready: the long poll, if not the request itself.
    rpc_conn = await HttpClient.open(server.config.port)
    seen = []
    async with trio.open_nursery() as nursery:
        async def long_poll():
            seen.extend(client.read(await poll.post(http_wait(client, 10_000))))
        nursery.start_soon(long_poll)
        await trio.sleep(0.2)
        seen.extend(client.read(await rpc_conn.post(http_wait(client, 0, tl.encode(F.help.GetConfig())))))
    results = [o for _, _, o in seen if isinstance(o, tuple) and o[0] == "rpc_result"]
    assert [tl.decode(r[2]).__class__ for r in results] == [T.Config]


async def test_http_session_outlives_its_tcp_connections(server):
    client = await http_logged_client(server)
    for _ in range(2):
        http = await HttpClient.open(server.config.port)
        messages = client.read(await http.post(client.request(F.Ping(ping_id=5))))
        assert any(isinstance(o, T.Pong) for _, _, o in messages)
        assert not any(isinstance(o, T.NewSessionCreated) for _, _, o in messages)
        await http.stream.aclose()


async def test_http_transport_errors_are_status_codes(server):
    http = await HttpClient.open(server.config.port)
    status, _, _ = await http.request(FakeClient().request(F.help.GetConfig()))
    assert status == 404  # unknown auth key
    status, _, _ = await http.request(b"\x01\x02\x03")
    assert status == 404
    status, headers, _ = await http.request(b"", method="OPTIONS")
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert (await http.request(b"", method="GET"))[0] == 405
    assert (await http.request(b"x" * 8, path="/elsewhere"))[0] == 404
    # A packet that does not decrypt fails its own request, not the key's other requests.
    client = await http_logged_client(server)
    garbage = client.request(F.Ping(ping_id=1))[:24] + os.urandom(64)
    assert (await http.request(garbage))[0] == 404
    assert any(isinstance(o, T.Pong) for _, _, o in client.read(await http.post(client.request(F.Ping(ping_id=2)))))


async def test_request_heads_are_bounded_in_size_and_time(server, monkeypatch):
    http = await HttpClient.open(server.config.port)
    await http.stream.send_all(b"POST /api HTTP/1.1\r\nX-Pad: " + b"a" * 20_000)
    with trio.fail_after(5):
        status, _ = await read_head(http.stream, http.buffer)
    assert status == 431
    monkeypatch.setattr(front, "HEAD_TIMEOUT", 0.3)
    slow = await HttpClient.open(server.config.port)
    await slow.stream.send_all(b"GET /apiws HTTP/1.1\r\nHost: x\r\n")
    with trio.fail_after(5):
        status, _ = await read_head(slow.stream, slow.buffer)
        assert status == 408
        assert await slow.stream.receive_some(100) == b""


# -- TLS on the web port -------------------------------------------------------------


def self_signed(tmp_path):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


async def test_wss_and_https_on_the_web_port_with_a_certificate(tmp_path, nursery):
    import ssl

    cert, key = self_signed(tmp_path)
    config = Config(host="127.0.0.1", port=0, ws_port=0, tls_cert=cert, tls_key=key, data_dir=str(tmp_path),
                    idle_timeout=30)
    state = await nursery.start(lambda task_status: serve(config, KEY, task_status=task_status, handle_signals=False))
    context = ssl.create_default_context(cafile=cert)
    context.check_hostname = False
    client = await registered_client(state)

    tcp = await trio.open_tcp_stream("127.0.0.1", state.web_port)
    http = HttpClient(trio.SSLStream(tcp, context, server_hostname="localhost"))
    answer = await http.post(client.request(F.Ping(ping_id=9)))
    assert any(isinstance(o, T.Pong) for _, _, o in client.read(answer))

    conn = await WsClient.open(state.web_port, tls=context)
    assert conn.status == 101
    await conn.send_stream(conn.codec.encode(client.request(F.Ping(ping_id=10))))
    event = await conn.packet_message()
    assert any(isinstance(o, T.Pong) for _, _, o in client.read(event.payload))
