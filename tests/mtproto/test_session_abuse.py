"""The encrypted session under attack by a peer that only made an auth key (hardening
items 1-3): decompression bombs, resend amplification, session floods. Each test does
what the attack did, against the sans-IO session, and checks the cost is bounded."""

from __future__ import annotations

import gzip
import random
import struct
import time

import tl
from mtproto import session as S
from mtproto.session import Rpc, UndecodableRequest, expire_idle_sessions
from tl import functions as F, types as T
from tl.wire import GZIP_PACKED_ID, VECTOR_ID, write_bytes

from .session_client import FakeClient
from .test_session import objects, read_all, setup

MIB = 1024 * 1024


def gzip_packed(obj, padding: int) -> bytes:
    """obj, then `padding` zero bytes, gzip_packed: a few KB on the wire."""
    out = bytearray(struct.pack("<I", GZIP_PACKED_ID))
    write_bytes(out, gzip.compress(tl.encode(obj) + bytes(padding), 9))
    return bytes(out)


def peer_dialogs(items: list[bytes]) -> bytes:
    return (struct.pack("<I", F.messages.GetPeerDialogs.CONSTRUCTOR_ID) + struct.pack("<Ii", VECTOR_ID, len(items))
            + b"".join(items))


def errors(client, events) -> list[str]:
    return [tl.decode(o[2]).error_message for o in objects(client, events) if isinstance(o, tuple)]


def test_one_message_of_many_gzip_bombs_inflates_at_most_the_packet_budget():
    client, server, _ = setup()
    bomb = gzip_packed(T.InputDialogPeer(peer=T.InputPeerSelf()), 4 * MIB)  # ~4 KB each
    body = peer_dialogs([bomb] * 400)  # 1.6 GB if each were inflated
    assert len(body) < 2 * MIB
    started = time.process_time()
    events = server.receive(client.packet(body), time.time())
    assert time.process_time() - started < 2.0
    assert errors(client, events) == ["INPUT_FETCH_FAIL"]
    assert [e for e in events if isinstance(e, UndecodableRequest)]
    # The connection's allowance paid for what was inflated: at most one packet's budget.
    assert S.INFLATE_BURST - server._inflate_allowance <= S.MAX_INFLATED_PER_PACKET + 4 * MIB


def test_inflating_is_a_bucket_per_connection():
    client, server, _ = setup()
    body = peer_dialogs([gzip_packed(T.InputDialogPeer(peer=T.InputPeerSelf()), 3 * MIB)] * 4)  # 12 MiB
    now = time.time()
    outcomes = [errors(client, server.receive(client.packet(body), now)) for _ in range(4)]
    assert outcomes[:2] == [[], []] and outcomes[3] == ["INPUT_FETCH_FAIL"]  # 32 MiB burst
    later = now + 12 / (S.INFLATE_PER_SECOND / MIB) + 1  # refilled: one more fits
    assert errors(client, server.receive(client.packet(body, msg_id=client.msg_id(later - now)), later)) == []


def test_two_million_tiny_objects_are_refused_without_building_them():
    client, server, _ = setup()
    item = struct.pack("<II", T.InputDialogPeer.CONSTRUCTOR_ID, T.InputPeerEmpty.CONSTRUCTOR_ID)
    started = time.process_time()
    events = server.receive(client.packet(peer_dialogs([item] * (2 * 1024 * 1024))), time.time())
    assert time.process_time() - started < 1.0  # decoding them all took ~9 s
    assert errors(client, events) == ["INPUT_FETCH_FAIL"]
    fits = server.receive(client.packet(peer_dialogs([item] * S.MAX_VECTOR_ELEMENTS_PER_PACKET)), time.time())
    assert [e for e in fits if isinstance(e, Rpc)]


def test_a_resend_request_repeating_one_id_sends_the_answer_once():
    client, server, sessions = setup()
    msg_id = client.msg_id()
    server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
    answer = random.Random(1).randbytes(182_000)  # incompressible: not gzipped
    server.result(client.session_id, msg_id, answer, time.time())
    [pending_id] = [m for m, (_, body) in sessions[client.session_id].pending.items() if len(body) > 100_000]
    events = server.receive(client.request(T.MsgResendReq(msg_ids=[pending_id] * 1000)), time.time())
    reply = sum(len(r.data) for r in events if isinstance(r, S.Reply))
    assert len(answer) < reply < 2 * len(answer)
    # Re-sent under a new msg_id: the old one is no longer pending (not kept twice).
    assert pending_id not in sessions[client.session_id].pending


def test_resends_are_a_bucket_per_session():
    client, server, sessions = setup()
    ids = []
    for _ in range(3):
        msg_id = client.msg_id()
        server.receive(client.request(F.help.GetConfig(), msg_id=msg_id), time.time())
        server.result(client.session_id, msg_id, random.Random(2).randbytes(MIB), time.time())
    state = sessions[client.session_id]
    ids = [m for m, (_, body) in state.pending.items() if len(body) >= MIB]
    state.resend_allowance, state.resend_at = 2.5 * MIB, time.time()
    events = server.receive(client.request(T.MsgResendReq(msg_ids=ids)), state.resend_at)
    resent = [o for o in objects(client, events) if isinstance(o, tuple)]
    assert len(resent) == 2  # the third answer did not fit: reported as a state instead
    assert [o for o in objects(client, events) if isinstance(o, T.MsgsStateInfo)]


def test_random_session_ids_keep_no_state_unless_checked_and_at_most_the_cap():
    client, server, sessions = setup()
    now = time.time()
    # With a wrong salt (what an attacker without the salt sends): answered, nothing kept.
    for i in range(200):
        probe = FakeClient(client.auth_key, session_id=i + 1)
        events = server.receive(probe.request(F.Ping(ping_id=i), salt=12345), now)
        assert [o for o in objects(probe, events) if isinstance(o, T.BadServerSalt)]
    assert sessions == {}
    # With the salt: each is a real session, but one key keeps at most the cap.
    for i in range(3 * S.MAX_SESSIONS_PER_KEY):
        probe = FakeClient(client.auth_key, session_id=10_000 + i)
        probe.salt = client.salt
        server.receive(probe.request(F.Ping(ping_id=i)), now + i / 1000)
    assert len(sessions) == S.MAX_SESSIONS_PER_KEY
    assert 10_000 + 3 * S.MAX_SESSIONS_PER_KEY - 1 in sessions  # the newest stayed, the oldest went
    # Idle ones are forgotten, and the key's entry with them.
    by_key = {client.key_id: sessions}
    assert expire_idle_sessions(by_key, now + S.SESSION_IDLE_SECONDS + 10) == S.MAX_SESSIONS_PER_KEY
    assert by_key == {}


def test_a_session_kept_after_a_bad_salt_continues_its_msg_ids():
    client, server, sessions = setup()
    now = time.time()
    first = read_all(client, server.receive(client.request(F.Ping(ping_id=1), salt=999), now))
    second = read_all(client, server.receive(client.request(F.Ping(ping_id=2)), now))
    assert client.session_id in sessions
    assert max(m for m, _, _ in first) < min(m for m, _, _ in second)
    assert any(isinstance(o, T.NewSessionCreated) for _, _, o in second)


def test_a_key_in_use_by_a_connection_keeps_its_entry():
    # The connection's EncryptedSession shares that dict: a new one would split the key's sessions.
    sessions = {7: {}}
    assert expire_idle_sessions(sessions, time.time(), in_use={7}) == 0 and 7 in sessions
