"""Captured messages → records: decoded in the session's layer, answers linked, never raising."""

import struct
import time

import tl
from mtproto.salts import SaltPolicy
from mtproto.session import EncryptedSession
from server.capture.records import Recorder
from tl import functions as F, types as T

from tests.mtproto.session_client import FakeClient

SALTS = SaltPolicy(b"s" * 32)


def capturing_session(layer=None):
    client = FakeClient()
    server = EncryptedSession(client.auth_key, client.key_id, SALTS, {}, layer=layer)
    client.salt = SALTS.current(client.key_id, time.time())
    seen = []
    server.observer = seen.append
    return client, server, seen


def records_of(seen, recorder=None):
    recorder = recorder or Recorder()
    return [r for cap in seen for r in recorder.records(cap)]


def test_the_session_hands_every_message_both_ways_to_its_observer():
    client, server, seen = capturing_session()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
    server.result(client.session_id, msg_id, tl.encode(T.NearestDc(country="US", this_dc=2, nearest_dc=2)),
                  time.time())
    assert [c.outgoing for c in seen] == [False, True, True]  # request, new_session_created, result
    records = records_of(seen)
    request, created, result = records
    assert request["kind"] == "request" and request["method"] == "help.getNearestDc"
    assert request["direction"] == "in" and request["msg_id"] == msg_id
    assert request["auth_key_id"] == client.key_id and request["session_id"] == client.session_id
    assert created["kind"] == "service" and created["obj"]["_"] == "new_session_created"
    assert result["kind"] == "result" and result["req_msg_id"] == msg_id
    assert result["method"] == "help.getNearestDc" and result["latency_ms"] >= 0
    assert result["obj"] == {"_": "nearestDc", "country": "US", "this_dc": 2, "nearest_dc": 2}
    assert list(result["obj"])[0] == "_"


def test_containers_are_unpacked_and_acks_and_pings_are_service_records():
    client, server, seen = capturing_session()
    ack = (client.msg_id(), client.seqno(False), tl.encode(T.MsgsAck(msg_ids=[1 << 40])))
    ping = (client.msg_id(), client.seqno(True), tl.encode(F.Ping(ping_id=7)))
    server.receive(client.container([ack, ping]), time.time())
    records = records_of(seen)
    container = records[0]
    assert container["kind"] == "container" and container["messages"] == [ack[0], ping[0]]
    inner = [r for r in records[1:3]]
    assert [r["obj"]["_"] for r in inner] == ["msgs_ack", "ping"]
    assert all(r["kind"] == "service" and r["container"] == container["msg_id"] for r in inner)
    pong = next(r for r in records if r.get("obj", {}).get("_") == "pong")
    assert pong["direction"] == "out" and pong["req_msg_id"] == ping[0]


def test_vector_results_are_read_with_their_request_type_and_errors_are_linked():
    client, server, seen = capturing_session()
    first, second = client.msg_id(), client.msg_id()
    server.receive(client.request(F.messages.ReceivedMessages(max_id=5), msg_id=first), time.time())
    server.receive(client.request(F.help.GetConfig(), msg_id=second), time.time())
    server.result(client.session_id, first, tl.encode_result(F.messages.ReceivedMessages(max_id=5), []), time.time())
    server.error(client.session_id, second, 420, "FLOOD_WAIT_3", time.time())
    records = records_of(seen)
    result = next(r for r in records if r.get("req_msg_id") == first)
    assert result["kind"] == "result" and result["obj"] == []
    error = next(r for r in records if r.get("req_msg_id") == second)
    assert error["kind"] == "error" and error["error"] == {"code": 420, "message": "FLOOD_WAIT_3"}
    assert error["method"] == "help.getConfig"


def test_gzip_packed_results_are_read():
    client, server, seen = capturing_session()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id), time.time())
    big = T.NearestDc(country="X" * 4000, this_dc=1, nearest_dc=1)
    server.result(client.session_id, msg_id, tl.encode(big), time.time())
    assert struct.unpack_from("<I", seen[-1].body, 12)[0] == 0x3072CFA1  # it went out gzip_packed
    assert records_of(seen)[-1]["obj"]["country"] == "X" * 4000


def test_requests_inside_invoke_with_layer_are_read_in_that_layer_and_named_by_their_query():
    client, server, seen = capturing_session()
    wrapped = F.InvokeWithLayer(layer=158, query=F.InitConnection(
        api_id=1, device_model="d", system_version="s", app_version="a", system_lang_code="en", lang_pack="",
        lang_code="en", query=F.help.GetConfig()))
    server.receive(client.packet(tl.encode(wrapped, 158)), time.time())
    request = records_of(seen)[0]
    assert request["method"] == "help.getConfig" and request["layer"] == 158
    assert request["obj"]["_"] == "invokeWithLayer" and request["obj"]["query"]["query"]["_"] == "help.getConfig"


def test_undecodable_messages_are_recorded_in_hex_with_the_error():
    client, server, seen = capturing_session()
    garbage = b"\xde\xad\xbe\xef" + b"\x00" * 12
    server.receive(client.packet(garbage), time.time())
    record = records_of(seen)[0]
    assert record["kind"] == "undecodable" and record["hex"] == garbage.hex()
    assert "0xefbeadde" in record["decode_error"]
    # An answer to a request never seen whose bytes read as nothing: hex too, no exception.
    cap = seen[0]
    from mtproto.session import Captured

    odd = Captured(True, cap.auth_key_id, cap.session_id, 4, 1, struct.pack("<Iq", 0xF35C6D01, 99) + b"\x01", None, 0)
    [record] = Recorder().records(odd)
    assert record["kind"] == "undecodable" and record["req_msg_id"] == 99
