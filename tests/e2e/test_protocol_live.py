"""The protocol against a running server, message by message: bad input gets its
documented reaction while a healthy connection beside it keeps working; quick acks,
ping_delay_disconnect, invokeAfterMsg, the api_id allowlist, connection limits, PFS
key binding and destroy_auth_key.

The server runs in-process (trio); raw sockets speak the intermediate transport and
build MTProto packets by hand (tests/mtproto/session_client.py).
"""

import os
import struct
import time

import pytest
import trio

import tl
from mtproto.crypto import ServerRsaKey
from mtproto.transport.client import IntermediateClient
from mtproto.transport.events import Packet, RemoteTransportError
from server.app import serve
from server.config import Config
from server.connection import CHATTY_WITHIN, PARK_AFTER, PARK_AFTER_QUIET
from storage import AuthKeyRecord
from tl import functions as F, types as T

from ..mtproto.session_client import FakeClient

KEY = ServerRsaKey.generate()


class Raw:
    """One TCP connection with the intermediate transport."""

    def __init__(self, stream):
        self.stream = stream
        self.codec = IntermediateClient()

    @classmethod
    async def open(cls, port):
        return cls(await trio.open_tcp_stream("127.0.0.1", port))

    async def send(self, payload: bytes) -> None:
        await self.stream.send_all(self.codec.encode(payload))

    async def recv(self, timeout: float = 3.0):
        """The next packet's payload, a RemoteTransportError, or None when closed."""
        with trio.fail_after(timeout):
            while True:
                data = await self.stream.receive_some(65536)
                if not data:
                    return None
                for event in self.codec.feed(data):
                    if isinstance(event, (Packet, RemoteTransportError)):
                        return event.payload if isinstance(event, Packet) else event

    async def closed(self, timeout: float = 3.0) -> bool:
        with trio.fail_after(timeout):
            while True:
                try:
                    data = await self.stream.receive_some(65536)
                except trio.BrokenResourceError:
                    return True
                if not data:
                    return True


@pytest.fixture
async def server(tmp_path, nursery):
    config = Config(host="127.0.0.1", port=0, data_dir=str(tmp_path), idle_timeout=30)
    state = await nursery.start(lambda task_status: serve(config, KEY, task_status=task_status, handle_signals=False))
    return state


async def registered_client(state, temporary: bool = False) -> FakeClient:
    client = FakeClient()
    now = int(time.time())
    await state.auth_keys.add(AuthKeyRecord(key_id=client.key_id, key=client.auth_key, created_at=now,
                                            temporary=temporary, expires_at=now + 3600 if temporary else None))
    client.salt = state.salts.current(client.key_id, time.time())
    return client


async def answers(conn: Raw, client: FakeClient, count: int = 1):
    out = []
    while len(out) < count:
        payload = await conn.recv()
        assert isinstance(payload, bytes), payload
        out += [o for _, _, o in client.read(payload)]
    return out


async def rpc_answer(conn: Raw, client: FakeClient, msg_id: int):
    for _ in range(5):
        for o in await answers(conn, client):
            if isinstance(o, tuple) and o[1] == msg_id:
                return tl.decode(o[2])
    raise AssertionError(f"no rpc_result for {msg_id}")


async def healthy_ping(state, conn, client, ping_id) -> None:
    await conn.send(client.request(F.Ping(ping_id=ping_id)))
    for _ in range(3):
        for o in await answers(conn, client):
            if isinstance(o, T.Pong) and o.ping_id == ping_id:
                return
    raise AssertionError("no pong")


@pytest.fixture
async def healthy(server):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    await healthy_ping(server, conn, client, 1)
    return conn, client


async def test_random_bytes_close_only_that_connection(server, healthy):
    bad = await Raw.open(server.config.port)
    await bad.stream.send_all(b"\xee\xee\xee\xee" + os.urandom(1) + b"\xff\xff\x7f" + os.urandom(64))
    assert await bad.closed()
    await healthy_ping(server, *healthy, 2)


async def test_truncated_frame_then_close_is_harmless(server, healthy):
    bad = await Raw.open(server.config.port)
    await bad.stream.send_all(b"\xee\xee\xee\xee" + struct.pack("<i", 400) + b"x" * 100)
    await bad.stream.aclose()
    await healthy_ping(server, *healthy, 3)


async def test_unknown_auth_key_gets_404(server, healthy):
    stranger = FakeClient()
    conn = await Raw.open(server.config.port)
    await conn.send(stranger.request(F.help.GetConfig()))
    error = await conn.recv()
    assert isinstance(error, RemoteTransportError) and error.code == -404
    assert await conn.closed()
    await healthy_ping(server, *healthy, 4)


async def test_wrong_msg_key_closes_without_answer(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    packet = bytearray(client.request(F.Ping(ping_id=1)))
    packet[12] ^= 0xFF
    await conn.send(bytes(packet))
    assert await conn.recv() is None
    await healthy_ping(server, *healthy, 5)


async def test_replayed_msg_id_is_answered_once(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    packet = client.request(F.Ping(ping_id=77))
    await conn.send(packet)
    first = await answers(conn, client)
    assert any(isinstance(o, T.Pong) for o in first)
    await conn.send(packet)
    with pytest.raises(trio.TooSlowError):
        await conn.recv(timeout=0.5)
    await healthy_ping(server, *healthy, 6)


async def test_msg_id_from_ten_minutes_ago_gets_16(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    old = client.msg_id(-600)
    client.last_msg_id = 0
    await conn.send(client.request(F.Ping(ping_id=1), msg_id=old))
    objs = await answers(conn, client)
    assert [o.error_code for o in objs if isinstance(o, T.BadMsgNotification)] == [16]


async def test_wrong_salt_gets_bad_server_salt(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    await conn.send(client.request(F.Ping(ping_id=1), salt=42))
    objs = await answers(conn, client)
    bad = [o for o in objs if isinstance(o, T.BadServerSalt)]
    assert bad and bad[0].new_server_salt == client.salt
    await conn.send(client.request(F.Ping(ping_id=2)))  # the retry with the right salt works
    assert any(isinstance(o, T.Pong) for o in await answers(conn, client))


async def test_container_in_container_gets_64(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    inner_ping = client.msg_id()
    inner = struct.pack("<Ii", 0x73F1F8DC, 1) + struct.pack("<qii", inner_ping, 1, 12) + tl.encode(F.Ping(ping_id=1))
    await conn.send(client.container([(client.msg_id(), client.seqno(False), inner)]))
    objs = await answers(conn, client)
    assert 64 in [o.error_code for o in objs if isinstance(o, T.BadMsgNotification)]
    await healthy_ping(server, *healthy, 7)


async def test_ping_delay_disconnect_closes_after_the_delay(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    start = trio.current_time()
    await conn.send(client.request(F.PingDelayDisconnect(ping_id=1, disconnect_delay=1)))
    assert any(isinstance(o, T.Pong) for o in await answers(conn, client))
    assert await conn.closed(timeout=5)
    assert 0.9 <= trio.current_time() - start < 4
    await healthy_ping(server, *healthy, 8)


async def test_unimplemented_method_is_a_clear_error_and_counted(server, healthy):
    from rpc import UNIMPLEMENTED

    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    msg_id = client.msg_id()
    await conn.send(client.request(F.help.GetPremiumPromo(), msg_id=msg_id))
    assert await rpc_answer(conn, client, msg_id) == T.RpcError(error_code=400, error_message="METHOD_NOT_IMPLEMENTED")
    assert UNIMPLEMENTED["help.getPremiumPromo"] >= 1
    msg_id = client.msg_id()
    await conn.send(client.request(F.messages.GetDialogFilters(), msg_id=msg_id))
    assert await rpc_answer(conn, client, msg_id) == T.RpcError(error_code=401, error_message="AUTH_KEY_UNREGISTERED")


async def test_quick_ack_is_sent_when_asked(server, healthy):
    import hashlib

    from mtproto.transport.events import QuickAck

    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    packet = client.request(F.Ping(ping_id=1))
    await conn.stream.send_all(conn.codec.encode(packet, quick_ack=True))
    with trio.fail_after(3):
        events = []
        while not any(isinstance(e, QuickAck) for e in events):
            events += conn.codec.feed(await conn.stream.receive_some(65536))
    token = next(e.token for e in events if isinstance(e, QuickAck))
    # Recompute from the packet we sent: SHA256(auth_key[88:120] + plaintext with padding).
    from mtproto.crypto import derive_aes_key_iv, ige256_decrypt

    key, iv = derive_aes_key_iv(client.auth_key, packet[8:24], 0)
    plain = ige256_decrypt(packet[24:], key, iv)
    expected = int.from_bytes(hashlib.sha256(client.auth_key[88:120] + plain).digest()[:4], "little") | 1 << 31
    assert token == expected


@pytest.fixture
async def strict_server(tmp_path, nursery):
    config = Config(host="127.0.0.1", port=0, data_dir=str(tmp_path), idle_timeout=1, max_connections=2,
                    api_id_allowlist=[4242])
    return await nursery.start(lambda task_status: serve(config, KEY, task_status=task_status, handle_signals=False))


async def test_api_id_outside_the_allowlist_is_refused(strict_server):
    client = await registered_client(strict_server)
    conn = await Raw.open(strict_server.config.port)

    def init(api_id, msg_id):
        return client.request(F.InvokeWithLayer(layer=229, query=F.InitConnection(
            api_id=api_id, device_model="d", system_version="s", app_version="1", system_lang_code="en",
            lang_pack="", lang_code="en", query=F.help.GetNearestDc())), msg_id=msg_id)

    bad = client.msg_id()
    await conn.send(init(1, bad))
    assert await rpc_answer(conn, client, bad) == T.RpcError(error_code=400, error_message="API_ID_INVALID")
    good = client.msg_id()
    await conn.send(init(4242, good))
    assert isinstance(await rpc_answer(conn, client, good), T.NearestDc)


async def test_idle_connections_are_closed_and_too_many_get_429(strict_server):
    first = await Raw.open(strict_server.config.port)
    second = await Raw.open(strict_server.config.port)
    await trio.sleep(0.1)
    third = await Raw.open(strict_server.config.port)
    await third.send(FakeClient().request(F.Ping(ping_id=1)))
    assert (await third.recv()).code == -429
    start = trio.current_time()
    assert await first.closed(timeout=5) and await second.closed(timeout=5)
    assert trio.current_time() - start < 3


async def test_invoke_after_msg_waits_for_the_earlier_call(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    first, second = client.msg_id(), client.msg_id()
    items = [(first, client.seqno(True), tl.encode(F.help.GetNearestDc())),
             (second, client.seqno(True), tl.encode(F.InvokeAfterMsg(msg_id=first, query=F.help.GetSupport())))]
    await conn.send(client.container(items))
    assert isinstance(await rpc_answer(conn, client, first), T.NearestDc)
    third = client.msg_id()
    await conn.send(client.request(F.InvokeAfterMsg(msg_id=second, query=F.help.GetNearestDc()), msg_id=third))
    assert await rpc_answer(conn, client, third) == T.RpcError(error_code=400, error_message="MSG_WAIT_FAILED")


def binding_request(perm: FakeClient, temp: FakeClient, msg_id: int, *, session_id=None, nonce=5, expires_at=None):
    from mtproto.crypto import encrypt_message_v1

    expires_at = expires_at or int(time.time()) + 3600
    inner = tl.encode(T.BindAuthKeyInner(nonce=nonce, temp_auth_key_id=temp.key_id, perm_auth_key_id=perm.key_id,
                                         temp_session_id=temp.session_id if session_id is None else session_id,
                                         expires_at=expires_at))
    plain = os.urandom(16) + struct.pack("<qii", msg_id, 0, len(inner)) + inner
    msg_key, ciphertext = encrypt_message_v1(perm.auth_key, plain)
    return F.auth.BindTempAuthKey(perm_auth_key_id=perm.key_id, nonce=5, expires_at=expires_at,
                                  encrypted_message=struct.pack("<q", perm.key_id) + msg_key + ciphertext)


async def test_temporary_key_is_bound_to_the_permanent_one(server, healthy):
    perm = await registered_client(server)
    temp = await registered_client(server, temporary=True)
    conn = await Raw.open(server.config.port)
    wrong = temp.msg_id()
    await conn.send(temp.request(binding_request(perm, temp, wrong, session_id=123), msg_id=wrong))
    assert (await rpc_answer(conn, temp, wrong)).error_message == "ENCRYPTED_MESSAGE_INVALID"
    client_msg = temp.msg_id()
    await conn.send(temp.request(binding_request(perm, temp, client_msg), msg_id=client_msg))
    assert await rpc_answer(conn, temp, client_msg) is True
    assert (await server.auth_keys.get(temp.key_id)).perm_key_id == perm.key_id
    # A permanent key cannot be bound to anything.
    pconn = await Raw.open(server.config.port)
    msg_id = perm.msg_id()
    await pconn.send(perm.request(binding_request(perm, perm, msg_id), msg_id=msg_id))
    assert (await rpc_answer(pconn, perm, msg_id)).error_message == "TEMP_AUTH_KEY_EMPTY"


async def test_destroy_auth_key_forgets_the_key(server, healthy):
    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    await conn.send(client.request(F.DestroyAuthKey()))
    objs = await answers(conn, client)
    assert T.DestroyAuthKeyOk() in objs
    assert await conn.closed()
    again = await Raw.open(server.config.port)
    await again.send(client.request(F.Ping(ping_id=1)))
    assert (await again.recv()).code == -404
    await healthy_ping(server, *healthy, 9)


async def test_a_peer_that_resets_mid_answer_ends_only_its_connection(server, healthy):
    import socket

    client = await registered_client(server)
    conn = await Raw.open(server.config.port)
    # Many requests at once, then an abortive close (RST) while the answers are written:
    # the server's writes fail on that socket, and must not take the server down.
    packets = b"".join(conn.codec.encode(client.request(F.Ping(ping_id=i))) for i in range(200))
    await conn.stream.send_all(packets)
    conn.stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await conn.stream.aclose()
    await trio.sleep(0.3)
    await healthy_ping(server, *healthy, 10)
    fresh = await Raw.open(server.config.port)
    await healthy_ping(server, fresh, await registered_client(server), 11)


async def parked(state, count: int) -> None:
    with trio.fail_after(PARK_AFTER + 2):
        while len(state.idle) != count:
            await trio.sleep(0.01)


async def test_an_idle_connection_parks_without_a_task_and_carries_on(server, healthy):
    conn, client = healthy
    await parked(server, 1)  # the ping answered, nothing in flight: no task holds it
    assert len(server.connections) == 1
    await healthy_ping(server, conn, client, 2)  # its bytes resume it
    await parked(server, 1)
    msg_id = client.msg_id()  # an RPC: parked again once it has answered
    await conn.send(client.request(F.help.GetNearestDc(), msg_id=msg_id))
    assert isinstance(await rpc_answer(conn, client, msg_id), T.NearestDc)
    await parked(server, 1)
    await conn.stream.aclose()  # leaving while parked closes it
    with trio.fail_after(3):
        while server.connections:
            await trio.sleep(0.01)
    assert len(server.idle) == 0


async def test_a_quiet_connection_parks_soon_and_one_in_a_conversation_later(server, healthy):
    conn, client = healthy
    await parked(server, 1)
    await healthy_ping(server, conn, client, 2)  # pings and acks make no conversation
    woke = trio.current_time()
    await parked(server, 1)
    assert trio.current_time() - woke < PARK_AFTER_QUIET + 1
    for _ in range(2):  # two calls within CHATTY_WITHIN do
        msg_id = client.msg_id()
        await conn.send(client.request(F.help.GetNearestDc(), msg_id=msg_id))
        assert isinstance(await rpc_answer(conn, client, msg_id), T.NearestDc)
    assert CHATTY_WITHIN > PARK_AFTER > PARK_AFTER_QUIET * 4
    await trio.sleep(PARK_AFTER_QUIET * 4)
    assert len(server.idle) == 0  # still active: it waits PARK_AFTER
    await parked(server, 1)


async def test_a_parked_connection_still_times_out(strict_server):
    client = await registered_client(strict_server)
    conn = await Raw.open(strict_server.config.port)
    await healthy_ping(strict_server, conn, client, 1)
    await parked(strict_server, 1)
    start = trio.current_time()
    assert await conn.closed(timeout=5)
    assert trio.current_time() - start < 3  # idle_timeout=1
    assert len(strict_server.idle) == 0 and not strict_server.connections


async def test_shutdown_closes_parked_connections(server, healthy):
    from server.app import shutdown

    await parked(server, 1)
    await shutdown(server, trio.CancelScope())
    assert await healthy[0].closed(timeout=3)
    assert not server.connections


async def test_a_new_connection_waits_for_its_first_bytes_without_a_task(server):
    from server.app import shutdown

    silent = [await Raw.open(server.config.port) for _ in range(3)]
    await parked(server, 3)  # connected, nothing said yet: parked, no task
    assert server.unrouted == 3  # counted against the connection limits all the same
    client = await registered_client(server)
    await healthy_ping(server, silent[0], client, 1)  # its first bytes carry on as ever
    await silent[1].stream.aclose()  # leaving before a byte: released
    with trio.fail_after(3):
        while server.unrouted != 1:
            await trio.sleep(0.01)
    await shutdown(server, trio.CancelScope())  # one still silent, one parked after its ping
    server.nursery.cancel_scope.cancel()
    assert await silent[2].closed(timeout=3) and await silent[0].closed(timeout=3)
    assert server.unrouted == 0 and not server.per_address
