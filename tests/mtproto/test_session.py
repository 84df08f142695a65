"""The encrypted session layer: every documented reaction, message by message."""

import struct
import time

import pytest

import tl
from mtproto.salts import SaltPolicy
from mtproto.session import Close, DisconnectAfter, EncryptedSession, Reply, Rpc, UndecodableRequest
from tl import functions as F, types as T

from .session_client import FakeClient

SALTS = SaltPolicy(b"s" * 32)


def setup(layer=None):
    client = FakeClient()
    sessions = {}
    server = EncryptedSession(client.auth_key, client.key_id, SALTS, sessions, layer=layer)
    client.salt = SALTS.current(client.key_id, time.time())
    return client, server, sessions


def replies(events):
    return [e for e in events if isinstance(e, Reply)]


def read_all(client, events):
    out = []
    for r in replies(events):
        out += client.read(r.data)
    return out


def objects(client, events):
    return [o for _, _, o in read_all(client, events)]


def test_first_message_creates_a_session_and_is_dispatched():
    client, server, sessions = setup()
    msg_id = client.msg_id()
    events = server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
    rpcs = [e for e in events if isinstance(e, Rpc)]
    assert len(rpcs) == 1 and rpcs[0].msg_id == msg_id and isinstance(rpcs[0].request, F.help.GetConfig)
    created = [o for o in objects(client, events) if isinstance(o, T.NewSessionCreated)]
    assert created and created[0].first_msg_id == msg_id
    assert created[0].server_salt == client.salt
    assert client.session_id in sessions


def test_server_msg_ids_and_seqnos_follow_the_rules():
    client, server, _ = setup()
    msg_id = client.msg_id()
    events = server.receive(client.request(F.Ping(ping_id=5), msg_id=msg_id), time.time())
    messages = read_all(client, events)
    ids = [m for m, _, _ in messages]
    assert ids == sorted(ids)
    for m, s, o in messages:
        if isinstance(o, T.NewSessionCreated):
            assert m % 4 == 3 and s % 2 == 1  # not a response; content-related
        if isinstance(o, T.Pong):
            assert m % 4 == 1 and s % 2 == 0 and o.msg_id == msg_id and o.ping_id == 5


def test_rpc_result_answers_the_request():
    client, server, _ = setup()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
    nearest = T.NearestDc(country="US", this_dc=1, nearest_dc=1)
    packet = server.result(client.session_id, msg_id, tl.encode(nearest), time.time())
    [(m, s, (kind, req, raw))] = client.read(packet)
    assert kind == "rpc_result" and req == msg_id and tl.decode(raw) == nearest and m % 4 == 1 and s % 2 == 1


def test_large_results_are_gzip_packed():
    client, server, _ = setup()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
    big = tl.encode(T.TextPlain(text="a" * 5000))
    [(_, _, (_, _, raw))] = client.read(server.result(client.session_id, msg_id, big, time.time()))
    assert struct.unpack_from("<I", raw)[0] == 0x3072CFA1 and len(raw) < 200
    assert tl.decode(raw) == T.TextPlain(text="a" * 5000)


def test_file_chunks_are_never_gzip_packed():
    # upload.getFile answers are media: compressing them costs CPU for nothing.
    client, server, _ = setup()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
    chunk = tl.encode(T.upload.File(type=T.storage.FileUnknown(), mtime=0, bytes=b"a" * 5000))
    [(_, _, (_, _, raw))] = client.read(server.result(client.session_id, msg_id, chunk, time.time()))
    assert raw == chunk


def test_wrong_salt_gets_bad_server_salt_and_is_not_dispatched():
    client, server, _ = setup()
    msg_id = client.msg_id()
    events = server.receive(client.request(F.help.GetConfig(), msg_id=msg_id, salt=12345), time.time())
    assert not [e for e in events if isinstance(e, Rpc)]
    bad = [o for o in objects(client, events) if isinstance(o, T.BadServerSalt)]
    assert bad[0].bad_msg_id == msg_id and bad[0].error_code == 48 and bad[0].new_server_salt == client.salt


def test_previous_slot_salt_is_still_accepted():
    client, server, _ = setup()
    old = SALTS.current(client.key_id, time.time() - 1800)
    events = server.receive(client.request(F.help.GetConfig(), salt=old), time.time())
    assert [e for e in events if isinstance(e, Rpc)]


@pytest.mark.parametrize("offset,code", [(-600, 16), (-301, 16), (60, 17)])
def test_msg_id_outside_the_time_window_is_refused(offset, code):
    client, server, _ = setup()
    msg_id = client.msg_id(offset)
    events = server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
    assert not [e for e in events if isinstance(e, Rpc)]
    bad = [o for o in objects(client, events) if isinstance(o, T.BadMsgNotification)]
    assert bad[0].error_code == code and bad[0].bad_msg_id == msg_id


def test_msg_id_not_divisible_by_4_is_refused_with_18():
    client, server, _ = setup()
    events = server.receive(client.request(F.help.GetConfig(), msg_id=client.msg_id() + 1), time.time())
    assert [o.error_code for o in objects(client, events) if isinstance(o, T.BadMsgNotification)] == [18]


def test_replayed_msg_id_is_ignored():
    client, server, _ = setup()
    packet = client.request(F.help.GetConfig())
    assert [e for e in server.receive(packet, time.time()) if isinstance(e, Rpc)]
    assert server.receive(packet, time.time()) == []


def test_seqno_parity_is_checked():
    client, server, _ = setup()
    events = server.receive(client.request(F.help.GetConfig(), seqno=2), time.time())
    assert [o.error_code for o in objects(client, events) if isinstance(o, T.BadMsgNotification)] == [35]
    container = struct.pack("<Ii", 0x73F1F8DC, 1) + struct.pack("<qii", client.msg_id(), 1, 8) + tl.encode(F.Ping(ping_id=1))
    events = server.receive(client.packet(container, seqno=3), time.time())
    assert 34 in [o.error_code for o in objects(client, events) if isinstance(o, T.BadMsgNotification)]


def test_acks_and_pings_are_accepted_with_either_seqno_parity():
    # mtcute sends msgs_ack content-numbered, Pyrogram ping not: Telegram takes both.
    client, server, _ = setup()
    for obj, seqno in ((T.MsgsAck(msg_ids=[1]), 3), (F.Ping(ping_id=2), 4), (F.Ping(ping_id=3), 5)):
        events = server.receive(client.request(obj, seqno=seqno), time.time())
        assert not [o for o in objects(client, events) if isinstance(o, T.BadMsgNotification)]


@pytest.mark.parametrize("seqno", [2, 3])
@pytest.mark.parametrize("obj", [
    T.MsgsAck(msg_ids=[1]), F.GetFutureSalts(num=1), T.MsgsStateReq(msg_ids=[4]), T.MsgResendReq(msg_ids=[4]),
    F.RpcDropAnswer(req_msg_id=4), F.DestroySession(session_id=5), F.PingDelayDisconnect(ping_id=1, disconnect_delay=75),
    T.HttpWait(max_delay=0, wait_after=0, max_wait=0), F.Ping(ping_id=1),
], ids=lambda o: type(o).__name__)
def test_service_messages_are_accepted_with_either_seqno_parity(obj, seqno):
    # TDLib (the official apps) sends every service message with an even seqno and closes
    # its session on error 35; Telegram accepts both parities.
    client, server, _ = setup()
    server.receive(client.request(F.help.GetConfig(), seqno=1), time.time())
    events = server.receive(client.request(obj, seqno=seqno), time.time())
    assert not [o for o in objects(client, events) if isinstance(o, T.BadMsgNotification)]
    # An API method is still content-related: even is refused with 35.
    events = server.receive(client.request(F.help.GetConfig(), seqno=6), time.time())
    assert [o.error_code for o in objects(client, events) if isinstance(o, T.BadMsgNotification)] == [35]


def test_container_messages_are_each_processed():
    client, server, _ = setup()
    ping_id, cfg_id, salts_id = client.msg_id(), client.msg_id(), client.msg_id()
    items = [(ping_id, client.seqno(True), tl.encode(F.Ping(ping_id=1))),
             (cfg_id, client.seqno(True), tl.encode(F.InvokeWithLayer(layer=229, query=F.help.GetConfig()))),
             (salts_id, client.seqno(True), tl.encode(F.GetFutureSalts(num=3)))]
    events = server.receive(client.container(items), time.time())
    assert [e.msg_id for e in events if isinstance(e, Rpc)] == [cfg_id]
    objs = objects(client, events)
    assert any(isinstance(o, T.Pong) and o.msg_id == ping_id for o in objs)
    # future_salts is a service message of its own (not an rpc_result), naming its request.
    future = [o for o in objs if isinstance(o, T.FutureSalts)]
    assert future[0].req_msg_id == salts_id
    assert len(future[0].salts) == 3 and future[0].salts[0].salt == client.salt


def test_container_inside_a_container_is_refused_with_64():
    client, server, _ = setup()
    inner_id = client.msg_id()
    inner = struct.pack("<Ii", 0x73F1F8DC, 1) + struct.pack("<qii", client.msg_id() - 8, 1, 4) + tl.encode(F.help.GetConfig())
    outer = client.container([(inner_id, client.seqno(False), inner)])
    events = server.receive(outer, time.time())
    assert not [e for e in events if isinstance(e, Rpc)]
    assert 64 in [o.error_code for o in objects(client, events) if isinstance(o, T.BadMsgNotification)]


def test_wrong_msg_key_closes_the_connection():
    client, server, _ = setup()
    packet = bytearray(client.request(F.help.GetConfig()))
    packet[10] ^= 1
    assert isinstance(server.receive(bytes(packet), time.time())[0], Close)
    other = FakeClient()
    assert isinstance(server.receive(other.request(F.help.GetConfig()), time.time())[0], Close)


def test_unknown_method_and_garbage_body_get_rpc_errors():
    client, server, _ = setup()
    msg_id = client.msg_id()
    events = server.receive(client.packet(struct.pack("<I", 0x12345678) + b"\0" * 8, msg_id=msg_id), time.time())
    results = [o for o in objects(client, events) if isinstance(o, tuple)]
    assert tl.decode(results[0][2]) == T.RpcError(error_code=400, error_message="INPUT_METHOD_INVALID")
    truncated = struct.pack("<I", F.messages.SendMessage.CONSTRUCTOR_ID) + b"\0" * 4
    events = server.receive(client.packet(truncated), time.time())
    results = [o for o in objects(client, events) if isinstance(o, tuple)]
    assert tl.decode(results[0][2]).error_message == "INPUT_FETCH_FAIL"


def test_an_undecodable_request_names_its_method_constructor_and_layer_for_the_log():
    # A newer-layer object inside a known method: the operator sees which one it was.
    client, server, _ = setup()
    query = tl.encode(F.messages.SendMessage(peer=T.InputPeerSelf(), message="x", random_id=1), layer=158)
    body = bytearray(struct.pack("<Ii", F.InvokeWithLayer.CONSTRUCTOR_ID, 158) + query)
    peer_at = body.index(T.InputPeerSelf.CONSTRUCTOR_ID.to_bytes(4, "little"))
    body[peer_at:peer_at + 4] = (0x0BADF00D).to_bytes(4, "little")
    msg_id = client.msg_id()
    events = server.receive(client.packet(bytes(body), msg_id=msg_id), time.time())
    [event] = [e for e in events if isinstance(e, UndecodableRequest)]
    assert (event.msg_id, event.method_id, event.constructor_id, event.layer) == (
        msg_id, F.InvokeWithLayer.CONSTRUCTOR_ID, 0x0BADF00D, 158)


def test_invoke_with_layer_decodes_the_query_in_that_layer():
    client, server, _ = setup()
    query = F.InvokeWithLayer(layer=158, query=F.InitConnection(
        api_id=1, device_model="d", system_version="s", app_version="a", system_lang_code="en", lang_pack="",
        lang_code="en", query=F.messages.SendMessage(peer=T.InputPeerSelf(), message="hi", random_id=1)))
    events = server.receive(client.packet(tl.encode(query, 158)), time.time())
    [rpc] = [e for e in events if isinstance(e, Rpc)]
    assert rpc.request.query.query.message == "hi"


def test_ping_delay_disconnect_asks_for_a_timer():
    client, server, _ = setup()
    events = server.receive(client.request(F.PingDelayDisconnect(ping_id=9, disconnect_delay=75)), time.time())
    assert DisconnectAfter(75) in events


def test_msgs_state_req_reports_each_message():
    client, server, _ = setup()
    answered, running = client.msg_id(), client.msg_id()
    server.receive(client.request(F.help.GetConfig(), msg_id=answered), time.time())
    server.result(client.session_id, answered, tl.encode(T.NearestDc(country="", this_dc=1, nearest_dc=1)), time.time())
    server.receive(client.request(F.help.GetConfig(), msg_id=running), time.time())
    unknown = client.msg_id()
    future = int((time.time() + 3600) * 2**32) & ~3
    events = server.receive(client.request(T.MsgsStateReq(msg_ids=[answered, running, unknown, future])), time.time())
    info = [o for o in objects(client, events) if isinstance(o, T.MsgsStateInfo)][0].info
    assert info == bytes([4 | 32 | 64, 4 | 32, 2, 3])


def test_acked_messages_are_not_resent_and_unacked_are():
    client, server, sessions = setup()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
    result = server.result(client.session_id, msg_id, tl.encode(T.NearestDc(country="", this_dc=1, nearest_dc=1)), time.time())
    [(result_id, _, _)] = client.read(result)
    session = sessions[client.session_id]
    assert result_id in session.pending
    resent = [m for m, _, _ in client.read(server.resend_pending(client.session_id, time.time()))]
    assert result_id in resent
    server.receive(client.request(T.MsgsAck(msg_ids=list(session.pending)), content=False), time.time())
    assert server.resend_pending(client.session_id, time.time()) is None


def test_unacked_results_are_kept_up_to_a_byte_limit():
    # A client that downloads 1 MB chunks and never acks must not pile them up in memory.
    from mtproto.session import MAX_PENDING_BYTES

    client, server, sessions = setup()
    chunk = tl.encode(T.upload.File(type=T.storage.FileUnknown(), mtime=0, bytes=b"x" * (1 << 20)))
    for _ in range(40):
        msg_id = client.msg_id()
        server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
        last = server.result(client.session_id, msg_id, chunk, time.time())
    session = sessions[client.session_id]
    assert session.pending_bytes == sum(len(body) for _, body in session.pending.values()) <= MAX_PENDING_BYTES
    assert len(session.pending) >= MAX_PENDING_BYTES // len(chunk) - 1
    [(newest, _, _)] = client.read(last)
    assert newest in session.pending  # the oldest went first
    server.receive(client.request(T.MsgsAck(msg_ids=list(session.pending)), content=False), time.time())
    assert session.pending_bytes == 0 and not session.pending


def test_unacked_results_of_all_a_keys_sessions_are_kept_up_to_a_byte_limit():
    # 64 sessions of one key, each downloading without acks, must not hold 64 x 16 MB.
    from mtproto.session import MAX_PENDING_BYTES_PER_KEY

    first, server, sessions = setup()
    chunk = tl.encode(T.upload.File(type=T.storage.FileUnknown(), mtime=0, bytes=b"x" * (1 << 20)))
    clients = [first] + [FakeClient(first.auth_key) for _ in range(5)]
    for client in clients[1:]:
        client.salt = first.salt
    for round_ in range(12):
        for client in clients:
            msg_id = client.msg_id()
            server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
            last = server.result(client.session_id, msg_id, chunk, time.time())
            [(newest, _, _)] = client.read(last)
            assert newest in sessions[client.session_id].pending  # the answer just made stays
    held = sum(session.pending_bytes for session in sessions.values())
    assert MAX_PENDING_BYTES_PER_KEY - len(chunk) < held <= MAX_PENDING_BYTES_PER_KEY
    assert all(session.pending_bytes == sum(len(b) for _, b in session.pending.values())
               for session in sessions.values())


def test_rpc_drop_answer():
    client, server, _ = setup()
    running = client.msg_id()
    server.receive(client.request(F.help.GetConfig(), msg_id=running), time.time())
    drop_id = client.msg_id()
    events = server.receive(client.request(F.RpcDropAnswer(req_msg_id=running), msg_id=drop_id), time.time())
    [(_, _, (_, req, raw))] = [m for m in read_all(client, events) if isinstance(m[2], tuple)]
    assert req == drop_id and tl.decode(raw) == T.RpcAnswerDroppedRunning()
    assert server.result(client.session_id, running, b"\0\0\0\0", time.time()) is None


def test_destroy_session():
    client, server, sessions = setup()
    server.receive(client.request(F.Ping(ping_id=1)), time.time())
    other = FakeClient(client.auth_key)
    other.salt = client.salt
    server.receive(other.request(F.Ping(ping_id=1)), time.time())
    events = server.receive(client.request(F.DestroySession(session_id=other.session_id)), time.time())
    raw = [o for o in objects(client, events) if isinstance(o, tuple)][0][2]
    assert tl.decode(raw) == T.DestroySessionOk(session_id=other.session_id)
    assert other.session_id not in sessions and client.session_id in sessions


def test_telethon_reads_our_packets():
    from telethon.crypto import AuthKey
    from telethon.network.mtprotostate import MTProtoState
    import logging

    client, server, _ = setup()
    state = MTProtoState(AuthKey(client.auth_key), {"telethon.network.mtprotostate": logging.getLogger("t")})
    state.id = client.session_id
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
    packet = server.result(client.session_id, msg_id, tl.encode(T.NearestDc(country="NL", this_dc=2, nearest_dc=2)), time.time())
    message = state.decrypt_message_data(packet)
    assert message.obj.req_msg_id == msg_id


def test_the_session_knows_which_calls_run_and_which_failed_for_invoke_after_msg():
    client, server, sessions = setup()
    ok_id, failing_id, dropped_id = client.msg_id(), client.msg_id(), client.msg_id()
    unknown = client.msg_id()
    items = [(m, client.seqno(True), tl.encode(F.help.GetNearestDc())) for m in (ok_id, failing_id, dropped_id)]
    server.receive(client.container(items), time.time())
    calls = server.calls
    assert calls.pending([unknown, ok_id]) and calls.pending([failing_id]) and not calls.pending([unknown])
    server.receive(client.request(F.RpcDropAnswer(req_msg_id=dropped_id)), time.time())
    nearest = tl.encode(T.NearestDc(country="", this_dc=1, nearest_dc=1))
    server.result(client.session_id, ok_id, nearest, time.time())
    server.error(client.session_id, failing_id, 400, "PEER_ID_INVALID", time.time())
    assert server.result(client.session_id, dropped_id, nearest, time.time()) is None
    assert not calls.pending([ok_id, failing_id, dropped_id])
    # A dropped answer still succeeded; only an error fails the calls that wait for it.
    assert not calls.failed([ok_id, dropped_id, unknown]) and calls.failed([ok_id, failing_id])
    # A new connection's view of the key waits for none of the earlier connection's calls.
    later = EncryptedSession(client.auth_key, client.key_id, SALTS, sessions)
    assert not later.calls.failed([failing_id]) and not later.calls.pending([failing_id])


def test_call_outcomes_are_remembered_up_to_a_limit():
    from mtproto.call_outcomes import CallOutcomes

    calls = CallOutcomes(remembered=3)
    for msg_id in (4, 8, 12, 16):
        calls.started(msg_id)
        calls.finished(msg_id, ok=False)
    assert not calls.failed([4]) and calls.failed([8]) and calls.failed([16])
