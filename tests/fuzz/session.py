"""Fuzz target: the encrypted session (mtproto/session.py EncryptedSession.receive).

A case is a short conversation of one auth key: packets whose plaintext bodies are valid
service messages, RPCs, containers and gzip_packed values (often mutated), with msg_ids,
seqnos, salts and session ids mostly right and sometimes wrong, encrypted correctly with the
key (as tests/mtproto/session_client.py FakeClient does) so that they get past msg_key. Some
packets reconnect first (a new EncryptedSession over the same sessions), some are corrupted
after encryption. The harness answers the Rpc events as the server would (`result`) and
re-sends on SessionResumed (`resend_pending`). Invariants, after every packet:

- receive returns only the documented events; Close exactly when the packet was corrupted
  or its body length is not a multiple of 4 (the decryption checks refuse it);
- every Reply (and every result / resend_pending packet) decrypts with the key, for the
  packet's session;
- state stays bounded: at most MAX_SESSIONS_PER_KEY sessions; per session at most
  MAX_PENDING messages and MAX_PENDING_BYTES pending (or a single message), pending_bytes
  equal to what is held, at most REMEMBERED_MSG_IDS remembered ids, running requests only
  those the harness has not answered, dropped ones only among them;
- no receive takes more than a second of CPU.

Case layout: layer index (1 byte, 255 = the canonical layer), then records of
flags (1), session index (1), seconds elapsed (1), msg_id (8), seqno (4), body length (4), body.
The clock is the case's (a fixed start plus the elapsed seconds), so a case replays exactly.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import random
import struct

import tl
from mtproto.crypto import auth_key_id, decrypt_message, encrypt_message
from mtproto.salts import SaltPolicy
from mtproto.session import (
    MAX_PENDING,
    MAX_PENDING_BYTES,
    MAX_SESSIONS_PER_KEY,
    REMEMBERED_MSG_IDS,
    AuthKeyDestroyed,
    BadMessage,
    Close,
    DisconnectAfter,
    EncryptedSession,
    QuickAck,
    Reply,
    Rpc,
    SessionCreated,
    SessionDestroyed,
    SessionResumed,
    UndecodableRequest,
)
from tl import functions as F, types as T
from tl.layers import codec_for
from tl.wire import GZIP_PACKED_ID
from tests.tl.tlrandom import RandomTL, layer_schema, tl_bytes

from .mutate import mutate
from .tl_decoder import gzip_packed
from .target import Target

AUTH_KEY = b"".join(hashlib.sha256(b"fuzz auth key %d" % i).digest() for i in range(8))
KEY_ID = auth_key_id(AUTH_KEY)
SALTS = SaltPolicy(b"fuzz salt secret" * 2)
START = 1_700_000_000.0
RECEIVE_CPU_LIMIT = 1.0
CANONICAL = 255
#: More session ids than a key may keep, so that eviction is exercised.
SESSION_POOL = MAX_SESSIONS_PER_KEY + 16
EVENTS = (Reply, Rpc, Close, DisconnectAfter, BadMessage, UndecodableRequest, QuickAck, SessionResumed,
          AuthKeyDestroyed, SessionCreated, SessionDestroyed)

SALT_OK, QUICK_ACK, ANSWER, RECONNECT, CORRUPT = 1, 2, 4, 8, 16
_RECORD = struct.Struct("<BBBqiI")
CONTAINER_ID = 0x73F1F8DC
PING = tl.encode(F.Ping(ping_id=1))
RESULT = tl.encode(T.NearestDc(country="US", this_dc=1, nearest_dc=1))
NOT_CONTENT = {T.MsgsAck.CONSTRUCTOR_ID, CONTAINER_ID}


def session_id(index: int) -> int:
    return struct.unpack("<q", hashlib.sha256(b"session %d" % index).digest()[:8])[0]


@functools.lru_cache(maxsize=1)
def canonical_functions() -> list:
    return [c for c in layer_schema(tl.LAYER).all() if c.is_function]


class Conversation:
    """The generator's view of the client: its clock, msg_ids and seqnos."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = START
        self.last_msg_id = 0
        self.sent: list[int] = []
        self.seq = 0
        #: Spread packets over every session id of the pool (to reach the per-key cap).
        self.spread = False

    def msg_id(self) -> int:
        r = self.rng.random()
        if r < 0.05 and self.sent:
            return self.rng.choice(self.sent)  # a duplicate
        if r < 0.08:
            return (int((self.now - 400) * 2**32) & ~3)  # too old
        if r < 0.11:
            return (int((self.now + 60) * 2**32) & ~3)  # from the future
        if r < 0.14:
            return self.rng.getrandbits(64) - 2**63
        msg_id = max(self.last_msg_id + 4, int(self.now * 2**32) & ~3)
        if r < 0.17:
            msg_id |= self.rng.randint(1, 3)  # wrong low bits
        self.last_msg_id = msg_id & ~3
        self.sent.append(msg_id)
        return msg_id

    def seqno(self, body: bytes) -> int:
        if self.rng.random() < 0.1:
            return self.rng.choice((0, 1, -1, self.seq * 2 + 2, self.rng.getrandbits(31)))
        content = len(body) < 4 or struct.unpack_from("<I", body)[0] not in NOT_CONTENT
        if content:
            self.seq += 1
            return self.seq * 2 - 1
        return self.seq * 2

    def recent(self, count: int) -> list[int]:
        ids = self.sent[-count:]
        return ids + [self.rng.getrandbits(64) - 2**63 for _ in range(self.rng.choice((0, 1, 3)))]

    def message(self, depth: int = 0) -> bytes:
        rng = self.rng
        kind = rng.randrange(16)
        if kind == 0:
            obj = F.Ping(ping_id=rng.getrandbits(63))
        elif kind == 1:
            obj = F.PingDelayDisconnect(ping_id=rng.getrandbits(63), disconnect_delay=rng.choice((0, 35, 75, 2**31 - 1)))
        elif kind == 2:
            obj = T.MsgsAck(msg_ids=self.recent(rng.randint(0, 5)))
        elif kind == 3:
            obj = F.GetFutureSalts(num=rng.choice((0, 1, 32, 64, 65, 2**31 - 1, -1)))
        elif kind == 4:
            obj = T.MsgsStateReq(msg_ids=self.recent(rng.randint(0, 5)))
        elif kind == 5:
            obj = T.MsgResendReq(msg_ids=self.recent(rng.randint(0, 5)) * rng.choice((1, 1, 50)))
        elif kind == 6:
            obj = F.DestroySession(session_id=session_id(rng.randrange(SESSION_POOL)))
        elif kind == 7:
            obj = F.RpcDropAnswer(req_msg_id=rng.choice(self.recent(3) or [0]))
        elif kind == 8 and rng.random() < 0.2:
            obj = F.DestroyAuthKey()
        elif kind == 9:
            obj = T.HttpWait(max_delay=0, wait_after=0, max_wait=rng.choice((0, 25000)))
        elif kind == 10:
            query = F.InitConnection(api_id=1, device_model="fuzz", system_version="1", app_version="1",
                                     system_lang_code="en", lang_pack="", lang_code="en", query=F.help.GetConfig())
            obj = F.InvokeWithLayer(layer=rng.choice((*tl.SHIPPED_LAYERS, 1, 10**6)), query=query)
        elif kind == 11:
            return RandomTL(rng, tl.LAYER, max_depth=2).combinator(rng.choice(canonical_functions()))
        elif kind == 12 and depth == 0:
            return self.container()
        elif kind == 13 and depth < 2:
            if rng.random() < 0.2:
                # A bomb (cached: compressing it costs more than the server's inflating).
                return gzip_packed(PING, rng.choice((1 << 20, 17 << 20)))
            inner = self.message(depth + 1)
            return struct.pack("<I", GZIP_PACKED_ID) + tl_bytes(gzip.compress(inner, 6, mtime=0))
        else:
            obj = rng.choice((F.help.GetConfig(), F.help.GetNearestDc(), F.updates.GetState()))
        return tl.encode(obj)

    def container(self) -> bytes:
        items = []
        for _ in range(self.rng.choice((1, 2, 3, 5))):
            body = self.message(depth=1)
            items.append(struct.pack("<qii", self.msg_id(), self.seqno(body), len(body)) + body)
        return struct.pack("<Ii", CONTAINER_ID, len(items)) + b"".join(items)

    def record(self) -> bytes:
        rng = self.rng
        flags = SALT_OK if rng.random() < 0.9 else 0
        flags |= QUICK_ACK if rng.random() < 0.2 else 0
        flags |= ANSWER if rng.random() < 0.8 else 0
        flags |= RECONNECT if rng.random() < 0.1 else 0
        flags |= CORRUPT if rng.random() < 0.03 else 0
        index = rng.randrange(4) if rng.random() < 0.8 and not self.spread else rng.randrange(SESSION_POOL)
        elapsed = rng.choice((0, 0, 0, 1, 5, 200))
        self.now += elapsed
        body = self.message()
        if rng.random() < 0.5:
            body = mutate(rng, body, max_ops=4)
            if rng.random() < 0.9:
                body += bytes(-len(body) % 4)  # MTProto lengths are 4-aligned; a ragged one is refused
        msg_id = self.msg_id()  # after the body: a container's inner ids come first
        return _RECORD.pack(flags, index, elapsed, msg_id, self.seqno(body) & 0x7FFFFFFF, len(body)) + body


def generate(rng: random.Random) -> bytes:
    layer_index = rng.randrange(len(tl.SHIPPED_LAYERS)) if rng.random() < 0.3 else CANONICAL
    conversation = Conversation(rng)
    count = rng.randint(1, 12)
    if rng.random() < 0.05:
        conversation.spread, count = True, rng.randint(SESSION_POOL, 2 * SESSION_POOL)
    return bytes([layer_index]) + b"".join(conversation.record() for _ in range(count))


def records(case: bytes):
    p = 1
    while p + _RECORD.size <= len(case):
        flags, index, elapsed, msg_id, seqno, length = _RECORD.unpack_from(case, p)
        p += _RECORD.size
        yield flags, index, elapsed, msg_id, seqno, case[p : p + length]
        p += length


def encrypt(salt: int, sid: int, msg_id: int, seqno: int, body: bytes) -> bytes:
    plain = struct.pack("<qqqii", salt, sid, msg_id, seqno, len(body)) + body
    msg_key, ciphertext = encrypt_message(AUTH_KEY, plain, 0)
    return struct.pack("<q", KEY_ID) + msg_key + ciphertext


def check_server_packet(packet: bytes, sid: int) -> None:
    assert packet[:8] == struct.pack("<q", KEY_ID)
    plain = decrypt_message(AUTH_KEY, packet[8:24], packet[24:], 8)
    _, packet_sid, msg_id, _, length = struct.unpack_from("<qqqii", plain)
    assert packet_sid == sid, f"reply for session {packet_sid}, expected {sid}"
    assert msg_id % 4 in (1, 3) and 0 < length <= len(plain) - 32


def make_check(target: Target):
    def check(case: bytes) -> None:
        layer = None if case[0] == CANONICAL else tl.SHIPPED_LAYERS[case[0] % len(tl.SHIPPED_LAYERS)]
        sessions: dict = {}
        server = EncryptedSession(AUTH_KEY, KEY_ID, SALTS, sessions, layer=layer)
        outstanding: dict[int, set[int]] = {}  # session id → Rpc msg_ids not answered yet
        now = START
        for flags, index, elapsed, msg_id, seqno, body in records(case):
            now += elapsed
            if flags & RECONNECT:
                server = EncryptedSession(AUTH_KEY, KEY_ID, SALTS, sessions, layer=layer)
            sid = session_id(index % SESSION_POOL)
            salt = SALTS.current(KEY_ID, now) if flags & SALT_OK else ~SALTS.current(KEY_ID, now)
            packet = encrypt(salt, sid, msg_id, seqno, body)
            if flags & CORRUPT:
                packet = packet[:-1] + bytes([packet[-1] ^ 1])
            quick_ack = bool(flags & QUICK_ACK)
            events = target.timed(RECEIVE_CPU_LIMIT, "EncryptedSession.receive", server.receive, packet, now, quick_ack)
            for event in events:
                assert isinstance(event, EVENTS), f"undocumented event {event!r}"
            if flags & CORRUPT or len(body) % 4:
                assert len(events) == 1 and isinstance(events[0], Close), f"undecryptable packet gave {events}"
                continue
            assert not any(isinstance(e, Close) for e in events), f"valid packet closed: {events}"
            assert any(isinstance(e, QuickAck) for e in events) == quick_ack
            for event in events:
                if isinstance(event, Reply):
                    check_server_packet(event.data, sid)
                elif isinstance(event, Rpc):
                    assert event.session_id == sid
                    outstanding.setdefault(sid, set()).add(event.msg_id)
                elif isinstance(event, SessionResumed):
                    resent = server.resend_pending(event.session_id, now)
                    if resent is not None:
                        check_server_packet(resent, event.session_id)
            if flags & ANSWER:
                for answered in sorted(outstanding.get(sid, ())):
                    outstanding[sid].discard(answered)
                    packet = server.result(sid, answered, RESULT, now)
                    if packet is not None:
                        check_server_packet(packet, sid)
            check_bounds(sessions, outstanding)

    return check


def check_bounds(sessions: dict, outstanding: dict) -> None:
    assert len(sessions) <= MAX_SESSIONS_PER_KEY, f"{len(sessions)} sessions for one key"
    for sid, state in sessions.items():
        assert state.session_id == sid
        held = sum(len(body) for _, body in state.pending.values())
        assert state.pending_bytes == held, f"pending_bytes {state.pending_bytes}, holding {held}"
        assert len(state.pending) <= MAX_PENDING
        assert held <= MAX_PENDING_BYTES or len(state.pending) == 1, f"{held} pending bytes"
        assert len(state.seen) <= REMEMBERED_MSG_IDS
        # The sets exist only while they hold something (an idle session has neither).
        assert state.running is None or state.running, "an empty running set kept"
        assert state.dropped is None or state.dropped, "an empty dropped set kept"
        running, dropped = state.running or set(), state.dropped or set()
        assert running <= outstanding.get(sid, set()), f"running {running - outstanding.get(sid, set())}"
        assert dropped <= running, "dropped answers of requests no longer running"


def prepare() -> None:
    canonical_functions()
    for layer in tl.SHIPPED_LAYERS:
        codec_for(layer)
    for junk in (1 << 20, 17 << 20):
        gzip_packed(PING, junk)


TARGET = Target(
    name="session",
    summary="EncryptedSession.receive with a real key: mutated bodies encrypted correctly, bounded state",
    generate=generate,
    check=lambda case: None,
    prepare=prepare,
)
TARGET.check = make_check(TARGET)
