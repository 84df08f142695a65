"""The encrypted session layer, server side, without I/O.

Rules live here, in one place (https://core.telegram.org/mtproto/description,
/service_messages, /service_messages_about_messages; PROTOCOL.md rules 1–14):

- A packet is decrypted with the connection's auth key and checked (msg_key, padding).
  A packet that does not decrypt closes the connection (`Close`); nothing is answered.
- State belongs to (auth key, session_id): `SessionState`, kept by the caller in a
  dict that outlives connections, so a reconnect finds its unacknowledged messages.
- Each message is checked in this order: session (new → new_session_created), msg_id
  low bits (18), time window −300 s/+30 s (16/17), duplicates (ignored) and ids older
  than the remembered window (20), server salt (48, bad_server_salt, message dropped),
  seqno parity against content-relatedness (34/35) and seqno going backwards (32).
- Service messages are answered here: msgs_ack, ping, ping_delay_disconnect,
  get_future_salts, msgs_state_req, msg_resend_req, destroy_session, rpc_drop_answer,
  http_wait (TCP: nothing to do). Containers are unpacked (at most 1,024 messages, no
  nesting, inner ids below the container's). Everything else is an RPC for the caller
  (`Rpc`), answered later with `result()` / `error()`, which also record how it ended
  for a later invokeAfterMsg (`calls`: mtproto/call_outcomes.py).
- Outgoing: server msg_ids ≡1 mod 4 for answers, ≡3 otherwise, increasing per session;
  seqno 2·(content messages sent) + 1 for content messages; several messages produced
  at once go out in one msg_container; large results go gzip_packed when that is smaller.
  Content messages are kept until the client acks them and re-sent on a new connection.

The clock is always an argument, and randomness (new_session_created's unique_id, the
encryption's padding) comes from `randbytes`: the system CSPRNG unless the caller passes
a seeded one, as for the transport, so that tests can replay a conversation byte for byte.
Server salts are derived (mtproto/salts.py) and msg_ids follow the clock.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

import tl
from tl import functions as F, types as T
from tl.wire import GZIP_PACKED_ID, decode_budget, gzip_compress, write_bytes

from .call_outcomes import CallOutcomes
from .crypto import DecryptionError, decrypt_message_view, encrypt_message, quick_ack_token
from .plain_message import server_msg_id
from .salts import SaltPolicy

MSG_CONTAINER_ID = 0x73F1F8DC
RPC_RESULT_ID = 0xF35C6D01
MSG_COPY_ID = 0xE06046B2
MSGS_ACK_ID = T.MsgsAck.CONSTRUCTOR_ID
INVOKE_WITH_LAYER_ID = F.InvokeWithLayer.CONSTRUCTOR_ID
# Not content-related: a client must send these with even seqno (rule 6).
NOT_CONTENT = {MSGS_ACK_ID, MSG_CONTAINER_ID, MSG_COPY_ID, T.HttpWait.CONSTRUCTOR_ID}
# The MTProto service messages that carry no API content: either parity accepted, as
# Telegram does (PROTOCOL.md rule 6). TDLib, inside the official apps, sends every one
# of them with an even seqno and closes its session on error 35 (reconnecting every
# 1-2 s forever); Pyrogram sends ping even, the docs and other clients odd; mtcute 0.30
# sends msgs_ack odd and resets its session in a loop on error 34. An even one counts as
# not content-related (it does not move the client's seqno), an odd one as content.
EITHER_PARITY = frozenset({
    MSGS_ACK_ID, T.HttpWait.CONSTRUCTOR_ID, F.Ping.CONSTRUCTOR_ID, F.PingDelayDisconnect.CONSTRUCTOR_ID,
    F.GetFutureSalts.CONSTRUCTOR_ID, T.MsgsStateReq.CONSTRUCTOR_ID, T.MsgResendReq.CONSTRUCTOR_ID,
    F.RpcDropAnswer.CONSTRUCTOR_ID, F.DestroySession.CONSTRUCTOR_ID, F.DestroyAuthKey.CONSTRUCTOR_ID,
})

MAX_CONTAINER_MESSAGES = 1024
MAX_IDS_PER_REQUEST = 8192
REMEMBERED_MSG_IDS = 2048
MAX_PENDING = 1000
# ...and at most this many bytes of them: file chunks are up to 1 MB each, and a client
# that never acks must not make the server hold a thousand of them (nor resend them all
# in one container after a reconnect). The oldest go first; a client re-asks for what
# it never got.
MAX_PENDING_BYTES = 16 * 1024 * 1024
# ...and all the sessions of one auth key together this many: a key may have
# MAX_SESSIONS_PER_KEY sessions, which would otherwise hold 64 times MAX_PENDING_BYTES
# of file chunks a client never acks. The least recently active sessions lose their
# oldest first. Counted only once a session holds more than _KEY_CHECK_ABOVE: small
# answers never make a key reach it.
MAX_PENDING_BYTES_PER_KEY = 2 * MAX_PENDING_BYTES
_KEY_CHECK_ABOVE = 1024 * 1024
GZIP_MIN_SIZE = 512
# Results that carry file bytes (upload.file, upload.webFile, upload.cdnFile): media is
# already compressed, and trying gzip on every 512 KB download chunk costs ~20 ms of CPU.
NEVER_GZIP = frozenset({0x096A18D5, 0x21E753BC, 0xA99FCA4F})
PAST_WINDOW = 300
FUTURE_WINDOW = 30
# Sessions one auth key may have at once; over it the least recently active is forgotten
# (clients must cope, rule 5: they get new_session_created). TDLib uses a handful per key.
MAX_SESSIONS_PER_KEY = 64
# A session nobody has used for this long is forgotten (expire_idle_sessions).
SESSION_IDLE_SECONDS = 1800
# msg_resend_req: bytes one session may have re-sent, as a bucket (burst, then per second).
RESEND_BURST = MAX_PENDING_BYTES
RESEND_PER_SECOND = 1024 * 1024
# Decoding one packet (every message of a container together): gzip_packed may inflate to
# this much, object vectors may hold this many elements; and per connection and key,
# inflating is a bucket (burst, then per second).
MAX_INFLATED_PER_PACKET = 16 * 1024 * 1024
MAX_VECTOR_ELEMENTS_PER_PACKET = 16384
INFLATE_BURST = 32 * 1024 * 1024
INFLATE_PER_SECOND = 4 * 1024 * 1024

_u32 = struct.Struct("<I").unpack_from
_HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seqno, length
_INNER = struct.Struct("<qii")  # msg_id, seqno, length


# -- events -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    data: bytes  # an encrypted packet, to frame and send on this connection


@dataclass(frozen=True)
class Rpc:
    session_id: int
    msg_id: int
    request: object  # a canonical TL request (possibly wrapped in invokeWithLayer & co.)


@dataclass(frozen=True)
class Close:
    reason: str


@dataclass(frozen=True)
class DisconnectAfter:
    seconds: int  # ping_delay_disconnect: close unless another ping comes first


@dataclass(frozen=True)
class BadMessage:
    """A bad_msg_notification was sent (for the log: which client sent what)."""

    msg_id: int
    code: int
    constructor_id: int | None


@dataclass(frozen=True)
class UndecodableRequest:
    """A message that decrypted but could not be read in the session's layer
    (INPUT_FETCH_FAIL / INPUT_METHOD_INVALID was answered): for the log, so an operator
    sees which newer-layer object a client sent."""

    msg_id: int
    method_id: int | None  # the message's first constructor (a method or a wrapper)
    constructor_id: int | None  # the one that could not be read
    offset: int | None
    layer: int


@dataclass(frozen=True)
class QuickAck:
    token: int  # the transport frames it (mtproto-transports, quick ack)


@dataclass(frozen=True)
class SessionResumed:
    session_id: int  # a known session on a new connection: re-send what it has not acked


@dataclass(frozen=True)
class AuthKeyDestroyed:
    """destroy_auth_key: the caller forgets the key and closes after sending the reply."""


@dataclass(frozen=True)
class SessionCreated:
    session_id: int


@dataclass(frozen=True)
class SessionDestroyed:
    session_id: int


@dataclass(frozen=True, slots=True)
class Captured:
    """One decrypted message as it crossed the wire (a container is one), handed to the
    session's ``observer`` when it has one: the protocol capture (server/capture/). Not
    an event in the returned lists: the observer sees outgoing messages too, which are
    sealed outside receive()."""

    outgoing: bool
    auth_key_id: int
    session_id: int
    msg_id: int
    seqno: int
    body: bytes
    layer: int | None  # the session's layer when the message crossed
    time: float


# -- state -----------------------------------------------------------------------------


@dataclass(slots=True)
class SessionState:
    session_id: int
    created_at: float
    last_msg_id: int = 0
    content_sent: int = 0
    last_client_seqno: int = -1
    last_client_msg_id: int = 0
    # client msg_id → True once answered; insertion-ordered so the oldest can be forgotten.
    # (Plain dicts, insertion-ordered too: an OrderedDict is twice the size. Every
    # logged-in app has a session, so what it holds while idle counts.)
    seen: dict = field(default_factory=dict)
    # Calls being processed, and those of them whose answer the client dropped: made
    # when the first is added, dropped when emptied (an idle session has neither).
    running: set | None = None
    dropped: set | None = None
    # server msg_id → (seqno, body) of content messages the client has not acked.
    pending: dict = field(default_factory=dict)
    pending_bytes: int = 0
    last_active: float = 0.0
    resend_allowance: float = RESEND_BURST
    resend_at: float = 0.0

    def resend_budget(self, now: float) -> float:
        """Bytes msg_resend_req may re-send now (refilled since the last request)."""
        self.resend_allowance = min(RESEND_BURST, self.resend_allowance + (now - self.resend_at) * RESEND_PER_SECOND)
        self.resend_at = now
        return self.resend_allowance

    def add_pending(self, msg_id: int, seqno: int, body: bytes) -> None:
        self.pending[msg_id] = (seqno, body)
        self.pending_bytes += len(body)
        while len(self.pending) > MAX_PENDING or (self.pending_bytes > MAX_PENDING_BYTES and len(self.pending) > 1):
            self.drop_oldest_pending()

    def drop_oldest_pending(self) -> int:
        """Forgets the oldest unacked message (the client re-asks for what it never got);
        its size."""
        _, dropped = self.pending.pop(next(iter(self.pending)))
        self.pending_bytes -= len(dropped)
        return len(dropped)

    def is_running(self, msg_id: int) -> bool:
        return self.running is not None and msg_id in self.running

    def start(self, msg_id: int) -> None:
        if self.running is None:
            self.running = set()
        self.running.add(msg_id)

    def stop(self, msg_id: int) -> None:
        if self.running is not None:
            self.running.discard(msg_id)
            if not self.running:
                self.running = None

    def drop_answer(self, msg_id: int) -> None:
        if self.dropped is None:
            self.dropped = set()
        self.dropped.add(msg_id)

    def take_dropped(self, msg_id: int) -> bool:
        """Whether the client dropped this call's answer (forgotten once asked)."""
        if self.dropped is None or msg_id not in self.dropped:
            return False
        self.dropped.discard(msg_id)
        if not self.dropped:
            self.dropped = None
        return True

    def acked(self, msg_id: int) -> None:
        found = self.pending.pop(msg_id, None)
        if found is not None:
            self.pending_bytes -= len(found[1])
            if not self.pending:
                self.pending = {}  # an emptied dict keeps its table; a new one has none

    def next_msg_id(self, now: float, response: bool) -> int:
        self.last_msg_id = server_msg_id(now, self.last_msg_id, response)
        return self.last_msg_id

    def next_seqno(self, content: bool) -> int:
        if content:
            self.content_sent += 1
            return self.content_sent * 2 - 1
        return self.content_sent * 2

    def lowest_remembered(self) -> int:
        return next(iter(self.seen)) if len(self.seen) >= REMEMBERED_MSG_IDS else 0


@dataclass(frozen=True)
class _Out:
    body: bytes
    content: bool
    response: bool = True


class EncryptedSession:
    """One connection's view of one auth key and its sessions."""

    # One per connection and auth key: no per-instance dict.
    __slots__ = ("auth_key", "auth_key_id", "salts", "sessions", "layer", "initial_salt", "initial_salt_until",
                 "session", "calls", "_seen_here", "_unkept_last_msg_id", "_inflate_allowance", "_inflate_at",
                 "_events", "_key_id_bytes", "_randbytes", "observer")

    def __init__(self, auth_key: bytes, auth_key_id: int, salts: SaltPolicy,
                 sessions: MutableMapping[int, SessionState], *, layer: int | None = None,
                 initial_salt: int | None = None, initial_salt_until: float = 0,
                 randbytes: Callable[[int], bytes] = os.urandom):
        # Called with a `Captured` for every message decrypted or encrypted here; must not
        # block or raise (server/capture/ only queues it).
        self.observer = None
        self.auth_key = auth_key
        self.auth_key_id = auth_key_id
        self.salts = salts
        self.sessions = sessions
        self.layer = layer
        self.initial_salt = initial_salt
        self.initial_salt_until = initial_salt_until
        self.session: SessionState | None = None
        self.calls = CallOutcomes()  # the Rpcs handed out here, for invokeAfterMsg(s)
        # The sessions seen on this connection: a tuple, as most connections carry one
        # (a set of one is 216 bytes more for each idle connection).
        self._seen_here: tuple[int, ...] = ()
        # The msg_id last used for replies from a session not (yet) kept, so that the
        # session, once kept, continues after it.
        self._unkept_last_msg_id = 0
        self._inflate_allowance = float(INFLATE_BURST)
        self._inflate_at: float | None = None
        self._events: list | None = None  # the events of the packet being received, during receive()
        self._key_id_bytes = struct.pack("<q", auth_key_id)
        self._randbytes = randbytes

    # -- receiving ---------------------------------------------------------------------

    def receive(self, payload: bytes, now: float, quick_ack: bool = False) -> list:
        if len(payload) < 24 or payload[:8] != self._key_id_bytes:
            return [Close("packet is not for this auth key")]
        try:
            plain = decrypt_message_view(self.auth_key, payload[8:24], payload[24:], 0)
        except DecryptionError as exc:
            return [Close(f"decryption failed: {exc}")]
        salt, session_id, msg_id, seqno, length = _HEADER.unpack_from(plain)
        # A view: the only copy of a message's bytes from here on is the one its decoded
        # object keeps (an upload part's bytes field).
        body = plain[32 : 32 + length]
        if self.observer is not None:
            self.observer(Captured(False, self.auth_key_id, session_id, msg_id, seqno, bytes(body), self.layer, now))
        events: list = []
        self._events = events
        if quick_ack:
            events.append(QuickAck(quick_ack_token(self.auth_key, payload[8:24], payload[24:])))
        out: list[_Out] = []
        seen_here = session_id in self._seen_here
        session = self.sessions.get(session_id)
        if session is None:
            # A session is kept only for a message that passes the checks: state is not
            # created for every random session_id (each would stay, with its buffers).
            session = SessionState(session_id, now, last_msg_id=self._unkept_last_msg_id)
            if self._salt_ok(salt, now) and self._in_window(msg_id, now):
                self._keep(session)
                events.append(SessionCreated(session_id))
                unique_id = int.from_bytes(self._randbytes(8), "little") >> 1  # 63 random bits
                out.append(_Out(tl.encode(T.NewSessionCreated(first_msg_id=msg_id, unique_id=unique_id,
                                                             server_salt=self.salts.current(self.auth_key_id, now))),
                                content=True, response=False))
        elif not seen_here:
            events.append(SessionResumed(session_id))
        if session_id in self.sessions:
            if not seen_here:
                self._seen_here += (session_id,)
            session.last_active = now
        self.session = session
        with decode_budget(self._inflate_budget(now), MAX_VECTOR_ELEMENTS_PER_PACKET) as budget:
            granted = budget.inflate
            if not self._salt_ok(salt, now):
                if self._check_msg_id(session, msg_id, seqno, now, out) is not None:
                    bad = T.BadServerSalt(bad_msg_id=msg_id, bad_msg_seqno=seqno, error_code=48,
                                          new_server_salt=self.salts.current(self.auth_key_id, now))
                    out.append(_Out(tl.encode(bad), content=False))
            else:
                self._message(session, msg_id, seqno, body, now, out, events, in_container=False)
        self._inflate_allowance -= granted - budget.inflate
        if out:
            events.insert(1 if quick_ack else 0, Reply(self._pack(session, out, now)))
        if session_id not in self.sessions:
            self._unkept_last_msg_id = session.last_msg_id
        self._events = None  # an idle connection keeps nothing of its last packet
        return events

    def _keep(self, session: SessionState) -> None:
        """Store a new session; over MAX_SESSIONS_PER_KEY the least recently active goes."""
        self.sessions[session.session_id] = session
        if len(self.sessions) > MAX_SESSIONS_PER_KEY:
            oldest = min((s for s in self.sessions.values() if s is not session), key=lambda s: s.last_active)
            del self.sessions[oldest.session_id]
            self._seen_here = tuple(s for s in self._seen_here if s != oldest.session_id)

    def _inflate_budget(self, now: float) -> int:
        if self._inflate_at is not None:
            self._inflate_allowance = min(INFLATE_BURST,
                                          self._inflate_allowance + (now - self._inflate_at) * INFLATE_PER_SECOND)
        self._inflate_at = now
        return int(min(MAX_INFLATED_PER_PACKET, max(0.0, self._inflate_allowance)))

    @staticmethod
    def _in_window(msg_id: int, now: float) -> bool:
        return msg_id % 4 == 0 and now - PAST_WINDOW <= msg_id >> 32 <= now + FUTURE_WINDOW

    def _salt_ok(self, salt: int, now: float) -> bool:
        # The handshake's salt first: a new key's first messages carry it, and the check
        # costs no HMAC (the derived salts cost two).
        if salt == self.initial_salt and now < self.initial_salt_until:
            return True
        return self.salts.is_valid(self.auth_key_id, salt, now)

    def _bad_msg(self, msg_id: int, seqno: int, code: int, out: list, constructor_id: int | None = None) -> None:
        self._events.append(BadMessage(msg_id, code, constructor_id))
        # Notifications need no ack: not content-related (rule 10).
        out.append(_Out(tl.encode(T.BadMsgNotification(bad_msg_id=msg_id, bad_msg_seqno=seqno, error_code=code)),
                        content=False))

    def _check_msg_id(self, session: SessionState, msg_id: int, seqno: int, now: float, out: list) -> bool | None:
        """True: new and acceptable; False: a duplicate to ignore; None: refused (notified)."""
        if msg_id % 4 != 0:
            self._bad_msg(msg_id, seqno, 18, out)
            return None
        sent_at = msg_id >> 32
        if sent_at < now - PAST_WINDOW:
            self._bad_msg(msg_id, seqno, 16, out)
            return None
        if sent_at > now + FUTURE_WINDOW:
            self._bad_msg(msg_id, seqno, 17, out)
            return None
        if msg_id in session.seen:
            return False
        if msg_id < session.lowest_remembered():
            self._bad_msg(msg_id, seqno, 20, out)
            return None
        return True

    def _message(self, session, msg_id, seqno, body, now, out, events, in_container) -> None:
        verdict = self._check_msg_id(session, msg_id, seqno, now, out)
        if not verdict:
            return
        cid = _u32(body, 0)[0] if len(body) >= 4 else None
        content = cid not in NOT_CONTENT
        if cid in EITHER_PARITY:
            content = seqno % 2 == 1
        if content and seqno % 2 == 0:
            self._bad_msg(msg_id, seqno, 35, out, cid)
            return
        if not content and seqno % 2 == 1:
            self._bad_msg(msg_id, seqno, 34, out, cid)
            return
        if content and msg_id > session.last_client_msg_id and seqno < session.last_client_seqno:
            self._bad_msg(msg_id, seqno, 32, out, cid)
            return
        self._remember(session, msg_id, seqno, content)
        if cid == MSG_CONTAINER_ID:
            if in_container:
                self._bad_msg(msg_id, seqno, 64, out)
                return
            self._container(session, msg_id, seqno, body, now, out, events)
            return
        try:
            obj = self._decode_body(session, body)
        except tl.TLDecodeError as exc:
            if exc.constructor_id is not None and exc.offset == 0:
                self._rpc_error_out(session, msg_id, 400, "INPUT_METHOD_INVALID", out)
            else:
                self._rpc_error_out(session, msg_id, 400, "INPUT_FETCH_FAIL", out)
            events.append(UndecodableRequest(msg_id, cid, exc.constructor_id, exc.offset,
                                             exc.layer if exc.layer is not None else self.layer))
            return
        self._dispatch(session, msg_id, obj, now, out, events)

    def _remember(self, session, msg_id, seqno, content) -> None:
        session.seen[msg_id] = False
        if len(session.seen) > REMEMBERED_MSG_IDS:
            del session.seen[next(iter(session.seen))]
        if content and msg_id > session.last_client_msg_id:
            session.last_client_msg_id = msg_id
            session.last_client_seqno = seqno

    def _container(self, session, container_id, container_seqno, body, now, out, events) -> None:
        try:
            count = _u32(body, 4)[0]
            if count > MAX_CONTAINER_MESSAGES:
                raise ValueError("too many messages")
            items = []
            p = 8
            for _ in range(count):
                msg_id, seqno, length = _INNER.unpack_from(body, p)
                p += 16
                if length < 0 or p + length > len(body):
                    raise ValueError("message longer than the container")
                items.append((msg_id, seqno, body[p : p + length]))
                p += length
        except (struct.error, ValueError):
            self._bad_msg(container_id, container_seqno, 64, out)
            return
        for msg_id, seqno, inner in items:
            if msg_id >= container_id:
                # Rule 3: a container's id is greater than those of its messages.
                self._bad_msg(msg_id, seqno, 64, out)
                continue
            self._message(session, msg_id, seqno, inner, now, out, events, in_container=True)

    def _decode_body(self, session, body):
        layer = self.layer
        if len(body) >= 8 and _u32(body, 0)[0] == INVOKE_WITH_LAYER_ID:
            # The query inside is written in the layer this wrapper names.
            layer = tl.serving_layer(struct.unpack_from("<i", body, 4)[0])
        return tl.decode(body, layer)

    # -- service messages ---------------------------------------------------------------

    def _dispatch(self, session, msg_id, obj, now, out, events) -> None:
        if isinstance(obj, T.MsgsAck):
            for acked in obj.msg_ids[:MAX_IDS_PER_REQUEST]:
                session.acked(acked)
        elif isinstance(obj, (F.Ping, F.PingDelayDisconnect)):
            pong = T.Pong(msg_id=msg_id, ping_id=obj.ping_id)
            out.append(_Out(tl.encode(pong), content=False))
            self._answered(session, msg_id)
            if isinstance(obj, F.PingDelayDisconnect):
                events.append(DisconnectAfter(obj.disconnect_delay))
        elif isinstance(obj, F.GetFutureSalts):
            salts = [T.FutureSalt(valid_since=a, valid_until=b, salt=s)
                     for a, b, s in self.salts.future(self.auth_key_id, now, obj.num)]
            answer = T.FutureSalts(req_msg_id=msg_id, now=int(now), salts=salts)
            # A service message of its own, not an rpc_result: its req_msg_id says what it
            # answers (TDLib, Telethon and mtcute all expect it so; mtcute reports a
            # wrapped one as an error).
            out.append(_Out(tl.encode(answer), content=True))
            self._answered(session, msg_id)
        elif isinstance(obj, T.MsgsStateReq):
            info = bytes(self._state_of(session, i, now) for i in obj.msg_ids[:MAX_IDS_PER_REQUEST])
            out.append(_Out(tl.encode(T.MsgsStateInfo(req_msg_id=msg_id, info=info)), content=True))
        elif isinstance(obj, T.MsgResendReq):
            # Each id once, and within the session's resend budget: an id repeated a
            # thousand times must not send its answer a thousand times. A re-sent message
            # goes out under a new msg_id, which the client acks instead of the old one.
            budget = session.resend_budget(now)
            missing = []
            for wanted in dict.fromkeys(obj.msg_ids[:MAX_IDS_PER_REQUEST]):
                entry = session.pending.get(wanted)
                if entry is None or len(entry[1]) > budget:
                    missing.append(wanted)
                    continue
                budget -= len(entry[1])
                session.acked(wanted)
                out.append(_Out(entry[1], content=True))
            session.resend_allowance = budget
            if missing:
                info = bytes(self._state_of(session, i, now) for i in missing)
                out.append(_Out(tl.encode(T.MsgsStateInfo(req_msg_id=msg_id, info=info)), content=True))
        elif isinstance(obj, F.DestroySession):
            # Only another session can be destroyed; the current one answers "none".
            target = obj.session_id
            existed = target != session.session_id and self.sessions.pop(target, None) is not None
            answer = (T.DestroySessionOk if existed else T.DestroySessionNone)(session_id=target)
            out.append(_Out(self._rpc_result_body(msg_id, tl.encode(answer)), content=True))
            if existed:
                events.append(SessionDestroyed(target))
        elif isinstance(obj, F.RpcDropAnswer):
            req = obj.req_msg_id
            if session.is_running(req):
                session.drop_answer(req)
                answer = T.RpcAnswerDroppedRunning()
            else:
                answer = T.RpcAnswerUnknown()
            out.append(_Out(self._rpc_result_body(msg_id, tl.encode(answer)), content=True))
        elif isinstance(obj, F.DestroyAuthKey):
            # Answered as a plain service message, like destroy_session's peers in
            # other servers and as TDLib reads it (not inside rpc_result).
            out.append(_Out(tl.encode(T.DestroyAuthKeyOk()), content=False))
            events.append(AuthKeyDestroyed())
        elif isinstance(obj, T.HttpWait):
            pass  # long polling is an HTTP transport feature; over TCP nothing waits
        elif isinstance(obj, tl.TLRequest) or isinstance(obj, tl.LegacyObject):
            session.start(msg_id)
            self.calls.started(msg_id)
            events.append(Rpc(session.session_id, msg_id, obj))
        else:
            # A type, not a method: nothing to invoke.
            self._rpc_error_out(session, msg_id, 400, "INPUT_METHOD_INVALID", out)

    def _state_of(self, session, msg_id: int, now: float) -> int:
        """msgs_state_info status byte (service_messages_about_messages): 1 forgotten,
        2 not received, 3 not received (id from the future), 4 received; +32 the query
        is being or has been processed, +64 its answer has been generated."""
        if msg_id >> 32 > now + FUTURE_WINDOW:
            return 3
        if msg_id < session.lowest_remembered():
            return 1
        if msg_id not in session.seen:
            return 2
        if session.is_running(msg_id):
            return 4 | 32
        return 4 | 32 | 64 if session.seen[msg_id] else 4

    def _answered(self, session, msg_id) -> None:
        if msg_id in session.seen:
            session.seen[msg_id] = True
        session.stop(msg_id)

    # -- sending ---------------------------------------------------------------------------

    def result(self, session_id: int, req_msg_id: int, result_bytes: bytes, now: float) -> bytes | None:
        """The encrypted rpc_result for an Rpc that succeeded; None if the client dropped
        the answer or the session is gone."""
        self.calls.finished(req_msg_id, ok=True)
        return self._answer(session_id, req_msg_id, result_bytes, now)

    def error(self, session_id: int, req_msg_id: int, code: int, message: str, now: float) -> bytes | None:
        """The encrypted rpc_error for an Rpc that failed; None as for `result`."""
        self.calls.finished(req_msg_id, ok=False)
        return self._answer(session_id, req_msg_id, tl.encode(T.RpcError(error_code=code, error_message=message)), now)

    def _answer(self, session_id: int, req_msg_id: int, result_bytes: bytes, now: float) -> bytes | None:
        session = self.sessions.get(session_id)
        if session is None:
            return None
        session.stop(req_msg_id)
        if session.take_dropped(req_msg_id):
            return None
        self._answered(session, req_msg_id)
        return self._pack(session, [_Out(self._rpc_result_body(req_msg_id, result_bytes), content=True)], now)

    def push(self, session_id: int, body: bytes, now: float) -> bytes | None:
        """A server-initiated content message (an update) in that session."""
        session = self.sessions.get(session_id)
        if session is None:
            return None
        return self._pack(session, [_Out(body, content=True, response=False)], now)

    def resend_pending(self, session_id: int, now: float) -> bytes | None:
        """Content messages the client never acked, for a new connection (rule 7)."""
        session = self.sessions.get(session_id)
        if session is None or not session.pending:
            return None
        items = [(msg_id, seqno, body) for msg_id, (seqno, body) in session.pending.items()]
        return self._encrypt(session, self._container_body(items), *self._container_ids(session, now), now)

    def _rpc_error_out(self, session, msg_id, code, message, out) -> None:
        self._answered(session, msg_id)
        out.append(_Out(self._rpc_result_body(msg_id, tl.encode(T.RpcError(error_code=code, error_message=message))),
                        content=True))

    @staticmethod
    def _rpc_result_body(req_msg_id: int, result: bytes) -> bytes:
        if len(result) >= GZIP_MIN_SIZE and int.from_bytes(result[:4], "little") not in NEVER_GZIP:
            packed = gzip_compress(result)
            if len(packed) + 8 < len(result):
                out = bytearray(struct.pack("<I", GZIP_PACKED_ID))
                write_bytes(out, packed)
                result = bytes(out)
        return struct.pack("<Iq", RPC_RESULT_ID, req_msg_id) + result

    def _pack(self, session, items: list[_Out], now: float) -> bytes:
        numbered = []
        for item in items:
            msg_id = session.next_msg_id(now, item.response)
            seqno = session.next_seqno(item.content)
            if item.content:
                session.add_pending(msg_id, seqno, item.body)
            numbered.append((msg_id, seqno, item.body))
        if session.pending_bytes > _KEY_CHECK_ABOVE and len(self.sessions) > 1:
            self._bound_key_pending(session)
        return self._seal(session, numbered, now)

    def _bound_key_pending(self, current: SessionState) -> None:
        """The key's sessions hold MAX_PENDING_BYTES_PER_KEY at most: the least recently
        active lose their oldest first, `current` last (and keeps its newest)."""
        total = sum(s.pending_bytes for s in self.sessions.values())
        if total <= MAX_PENDING_BYTES_PER_KEY:
            return
        for other in sorted((s for s in self.sessions.values() if s is not current), key=lambda s: s.last_active):
            while other.pending and total > MAX_PENDING_BYTES_PER_KEY:
                total -= other.drop_oldest_pending()
            if total <= MAX_PENDING_BYTES_PER_KEY:
                return
        while len(current.pending) > 1 and total > MAX_PENDING_BYTES_PER_KEY:
            total -= current.drop_oldest_pending()

    def _seal(self, session, numbered: list, now: float):
        """Numbered messages into one encrypted packet (the HTTP transport defers this:
        mtproto/http_session.py)."""
        if len(numbered) == 1:
            msg_id, seqno, body = numbered[0]
            return self._encrypt(session, body, msg_id, seqno, now)
        return self._encrypt(session, self._container_body(numbered), *self._container_ids(session, now), now)

    @staticmethod
    def _container_body(items) -> bytes:
        parts = [struct.pack("<Ii", MSG_CONTAINER_ID, len(items))]
        for msg_id, seqno, body in items:
            parts.append(_INNER.pack(msg_id, seqno, len(body)))
            parts.append(body)
        return b"".join(parts)

    @staticmethod
    def _container_ids(session, now) -> tuple[int, int]:
        # The container comes after its messages and is not content-related.
        return session.next_msg_id(now, False), session.next_seqno(False)

    def _encrypt(self, session, body: bytes, msg_id: int, seqno: int, now: float) -> bytes:
        salt = self.salts.current(self.auth_key_id, now)
        header = _HEADER.pack(salt, session.session_id, msg_id, seqno, len(body))
        if self.observer is not None:
            self.observer(Captured(True, self.auth_key_id, session.session_id, msg_id, seqno, body, self.layer, now))
        msg_key, ciphertext = encrypt_message(self.auth_key, (header, body), 8, randbytes=self._randbytes)
        return self._key_id_bytes + msg_key + ciphertext


def expire_idle_sessions(sessions_by_key: dict[int, MutableMapping[int, SessionState]], now: float,
                         idle: float = SESSION_IDLE_SECONDS, in_use: frozenset[int] | set[int] = frozenset()) -> int:
    """Forget sessions nobody used for `idle` seconds, and the entries of keys left
    without any unless a connection holds them (`in_use`: it shares that key's dict);
    returns how many sessions went. The caller runs it now and then."""
    forgotten = 0
    for key_id in list(sessions_by_key):
        sessions = sessions_by_key[key_id]
        for session_id in [sid for sid, s in sessions.items() if s.last_active < now - idle]:
            del sessions[session_id]
            forgotten += 1
        if not sessions and key_id not in in_use:
            del sessions_by_key[key_id]
    return forgotten


__all__ = ["EncryptedSession", "expire_idle_sessions", "SessionState", "Reply", "Rpc", "Close", "DisconnectAfter", "QuickAck", "BadMessage",
           "SessionResumed",
           "SessionCreated", "SessionDestroyed", "AuthKeyDestroyed", "Captured"]
