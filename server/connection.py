"""One client connection: bytes from the socket through the protocol core and back.

The only module (with app.py) that does I/O. While it has something to do it owns, in
one nursery: the reader loop, one task per RPC in flight (bounded: a client that floods
waits for its own answers, which is the backpressure), and a task pushing live updates
while some arrive (server/push_feed.py). A TCP connection with nothing to do (no RPC in
flight, no push being written, no partial frame) ends its task and nursery and parks
in server/idle_connections.py until its socket is readable, its deadline passes or a
push arrives; then `resume` carries on in a new task. What one RPC does, from its request
context to its answer or error, is server/request_runner.py's; this module sends the
answer. Everything that must survive the connection (auth keys, sessions, salts) lives
in `ServerState`.
"""

from __future__ import annotations

import functools
import math
import os
import random
import struct
import time

import structlog
import trio

import tl
from mtproto.handshake import Failed as HandshakeFailed, Handshake, KeyComputed, Reply as HandshakeReply
from mtproto.session import (AuthKeyDestroyed, BadMessage, Close, DisconnectAfter, EncryptedSession, QuickAck, Reply, Rpc,
                             SessionCreated, SessionResumed, UndecodableRequest)
from mtproto.transport import Packet, ServerTransport, TransportError
from rpc import RpcError
from rpc.context import RequestContext
from rpc.updates.presence import mark_offline, mark_online
from rpc.updates.stream import open_key_stream, open_user_stream
from rpc.services.login import identify
from storage.bus import BusError
from storage.small_map import SmallMap
from server import metrics
from tl import functions as F

from .buffer_budget import BufferShare, frame_deadline
from .idle_connections import can_park
from .push_feed import PushFeed
from .request_runner import RequestRunner

log = structlog.get_logger("mtserver.connection")

# Bytes asked of the socket per read: a small frame needs one read; in the middle of a
# frame (an upload part is 512 KB) bigger reads take a quarter of the trips through
# this loop. The buffer budget is checked after every read either way.
READ_SIZE = 65536
READ_SIZE_IN_FRAME = 262144

MAX_RPCS_IN_FLIGHT = 64
PRE_AUTH_MAX_PACKET = 1024 * 1024 + 64 * 1024
PUSH_AUTH_RECHECK = 5.0  # seconds
_u64 = struct.Struct("<q").unpack_from
# A plain message is auth_key_id 0 (8 bytes), msg_id (8), length (4), then the body.
_REQ_DH_PARAMS = F.ReqDHParams.CONSTRUCTOR_ID.to_bytes(4, "little")
_WOKEN = object()  # from _receive_until: no bytes, but the connection may park now
# Seconds without a byte from the peer before an otherwise idle connection parks
# (server/idle_connections.py); a quarter of idle_timeout if that is sooner. A connection
# parks soon (PARK_AFTER_QUIET): what it used while active (its task, nursery, cancel
# scopes, coroutine frames: about 10 KB) is freed before many others are active too, so
# a thousand clients that log in within a second or two do not leave 10 MB of holes in
# the allocator's pools. One in a conversation (a call or push within CHATTY_WITHIN of
# the one before) waits PARK_AFTER: a park and its wake-up cost more than a read, and
# at 1 s a chat of a message a second parked and woke about once per message (1,000
# such clients at 500 msg/s cost 12% more server CPU, and twice the p99 latency, than
# at 2 s or more). Acks and pings alone do not make a conversation. Both measured in
# bench/README.md.
PARK_AFTER_QUIET = 0.25
PARK_AFTER = 3.0
CHATTY_WITHIN = 10.0


class Connection:
    # The HTTP transport's connections queue numbered messages instead (server/http_outbox.py).
    session_class = EncryptedSession
    # One per client connection: no per-instance dict.
    __slots__ = ("state", "initial", "refuse_with", "stream", "peer", "transport", "proven", "buffer_share",
                 "handshake", "new_key", "encrypted", "send_lock", "rpc_slots", "scope", "disconnect_at", "closing",
                 "push_user", "push_target", "push_feed", "push_check_due", "key_push_target", "key_push_feed",
                 "runner", "nursery", "address", "opened_at", "last_packet", "parked_until", "last_exchange",
                 "park_after", "pending")

    def __init__(self, state, stream: trio.abc.Stream, peer: str, refuse_with: int | None = None,
                 initial: bytes = b"", address: str | None = None):
        self.state = state
        # Bytes the front (server/front.py) read to choose between MTProto and HTTP.
        self.initial = initial
        self.refuse_with = refuse_with
        self.stream = stream
        self.peer = peer
        # Until a packet has decrypted with a known auth key, frames are kept small: a
        # handshake step or a first request fits (a 512 KB upload part too); then the full size.
        self.transport = ServerTransport(max_packet_size=min(state.max_packet_size, PRE_AUTH_MAX_PACKET))
        self.proven = False
        self.buffer_share = BufferShare(state)  # its incomplete frames, in the server-wide budget
        self.handshake: Handshake | None = None
        self.new_key = None  # storage.AuthKeyRecord of the key this connection's handshake made
        self.encrypted: SmallMap = SmallMap()  # auth_key_id → EncryptedSession: one key, nearly always
        # Made while in use, dropped when free (an idle connection holds neither): see
        # _send_raw and _take_rpc_slot.
        self.send_lock: trio.Lock | None = None
        self.rpc_slots: trio.Semaphore | None = None
        self.scope: trio.CancelScope | None = None  # reading: its deadline is the current read's
        self.disconnect_at = math.inf  # set by DisconnectAfter; reading stops then
        self.closing = False
        # Live updates: the user logged in on this connection, and the session that
        # last asked for updates (not invokeWithoutUpdates) receives them.
        self.push_user: int | None = None
        self.push_target: tuple[EncryptedSession, int] | None = None
        self.push_feed: PushFeed | None = None
        self.push_check_due = -math.inf  # when the login behind the pushes is checked next
        # Before login: the session that exported a QR login token gets the updates
        # addressed to its auth key (updateLoginToken).
        self.key_push_target: tuple[EncryptedSession, int] | None = None
        self.key_push_feed: PushFeed | None = None
        self.runner: RequestRunner | None = None  # runs the RPCs, once the nursery is open
        self.nursery: trio.Nursery | None = None  # while active (not parked)
        # The client address counted in state.per_address, released when the connection
        # ends (server/front.py; None when not counted).
        self.address = address
        self.opened_at = 0.0
        self.last_packet = 0.0  # trio's clock: the idle timeout counts from it
        self.parked_until: float | None = None  # its deadline while parked (set and cleared by IdleConnections)
        self.last_exchange = -math.inf  # trio's clock: its last call or push
        self.park_after = PARK_AFTER_QUIET  # quiet seconds before it parks (see PARK_AFTER)
        # Tasks asked for while no nursery was open (a push for a parked connection).
        self.pending: list | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def run(self) -> None:
        """The connection from its first byte; it may return while the connection lives
        on, parked (server/idle_connections.py), to be carried on by `resume`."""
        log.info("connection_open", peer=self.peer)
        self.opened_at = time.monotonic()
        self.last_packet = trio.current_time()
        self.runner = RequestRunner(self.state, self)
        if self.refuse_with is None:
            self.state.register(self)
        await self.resume()

    async def resume(self) -> None:
        """One active stretch: until the connection ends, or parks again."""
        parked = False
        try:
            async with trio.open_nursery() as nursery:
                self.nursery = nursery
                if self.pending is not None:
                    pending, self.pending = self.pending, None
                    for task in pending:
                        nursery.start_soon(task)
                try:
                    with trio.CancelScope() as scope:
                        self.scope = scope
                        parked = await self._read_loop()
                finally:
                    self.scope = None
                    if not parked:
                        # Reading stopped: the RPCs in flight finish (bounded by shutdown's
                        # grace); nothing more is pushed. (Also when reading failed: the
                        # feeds' subscriptions start tasks in this nursery.)
                        self.closing = True
                        self._stop_push()
            # Parked: the nursery had no task (the read loop parks only then); a task
            # that comes while it closes waits in `pending` (spawn), and wakes it.
        # except*: errors from the connection's tasks arrive in exception groups
        # (strict groups, trio >= 0.25). A peer that vanished is normal; anything else
        # is logged. Either way only this connection ends, never the server.
        except* (trio.BrokenResourceError, trio.ClosedResourceError):
            parked = False
        except* Exception:
            parked = False
            log.exception("connection_crashed", peer=self.peer)
        finally:
            self.nursery = None
            if parked:
                parked = self._park()
                if parked and self.pending is not None:  # arrived while the stretch ended
                    self.state.idle.wake(self.stream.socket.fileno())
            if not parked:
                await self._end()

    def _park(self) -> bool:
        until = min(self.last_packet + self.state.config.idle_timeout, self.disconnect_at)
        try:
            self.state.idle.park(self, self.stream.socket.fileno(), until)
        except OSError:
            log.exception("connection_park_failed", peer=self.peer)
            return False
        return True

    async def _end(self) -> None:
        self.closing = True
        self._stop_push()
        self.state.unregister(self)
        if self.address is not None:
            self.state.leave_address(self.address)
            self.address = None
        with trio.CancelScope(shield=True):
            await self.stream.aclose()
            await self._went_offline()
        log.info("connection_close", peer=self.peer, transport=self.transport.transport_name,
                 seconds=round(time.monotonic() - self.opened_at, 3))

    def abandon(self) -> None:
        """The server stops while this connection is parked: close without waiting."""
        self._stop_push()
        self.state.unregister(self)
        self.stream.socket.close()

    def _exchanged(self) -> None:
        """A call came or a push left: a second within CHATTY_WITHIN makes it a conversation."""
        now = trio.current_time()
        self.park_after = PARK_AFTER if now - self.last_exchange < CHATTY_WITHIN else PARK_AFTER_QUIET
        self.last_exchange = now

    def spawn(self, task) -> None:
        """Start `task` (an async function of no arguments) in the connection's nursery;
        a parked connection is resumed for it."""
        if self.nursery is not None:
            try:
                self.nursery.start_soon(task)
                return
            except RuntimeError:  # closed to new arrivals: the stretch is ending (resume parks or ends)
                pass
        if self.pending is None:
            self.pending = []
        self.pending.append(task)
        if self.parked_until is not None:
            self.state.idle.wake(self.stream.socket.fileno())

    async def _went_offline(self) -> None:
        """The user's last connection on this process closed: they are offline now, and
        their contacts hear it (updateUserStatus). Another process's connection of the
        same user refreshes the status with its next account.updateStatus."""
        user_id = self.push_user
        if user_id is None or any(c.push_user == user_id for c in self.state.connections):
            return
        with trio.move_on_after(2):
            try:
                await mark_offline(self.state, user_id)
            except Exception:
                log.exception("offline_status_failed", user_id=user_id)

    def stop_reading(self) -> None:
        self.disconnect_at = -math.inf  # a stretch about to start stops at once too
        if self.scope is not None:
            self.scope.cancel()
        elif self.parked_until is not None:
            self.state.idle.wake(self.stream.socket.fileno())

    def _parks(self) -> bool:
        """A TCP connection parks when idle; one over WebSocket or HTTP never does."""
        return can_park(self.state.idle, self.stream)

    def _can_park(self) -> bool:
        """Nothing to do but wait for bytes: the task and nursery can go."""
        return (self._parks() and not self.closing and self.transport.buffered == 0 and not self.nursery.child_tasks
                and self.send_lock is None and self.pending is None
                # Its deadline still ahead: else it would be woken at once, and park again.
                and trio.current_time() < min(self.last_packet + self.state.config.idle_timeout, self.disconnect_at))

    async def _read_loop(self) -> bool | None:
        """True when the connection parks (_can_park: a new stretch, `resume`, carries on).
        Else reads until the peer leaves, goes idle (no complete packet for idle_timeout:
        bytes that never make a frame do not count) or is too slow with a frame (it must
        arrive within frame_timeout of its first byte, plus a second per 4 KB; the first
        packet within frame_timeout of the connection opening)."""
        config = self.state.config
        # The first packet is due like a frame from the moment the connection opens: a
        # peer that connects (or sends a transport marker) and then nothing holds a slot
        # only that long, not for the whole idle timeout. A resumed connection had
        # seen packets and had no partial frame (it parks only then).
        seen_packet = self.proven or self.handshake is not None
        frame_started: float | None = None if seen_packet else self.last_packet
        quiet = False  # nothing read for PARK_AFTER: park if nothing else is going on
        try:
            while True:
                if self.initial:
                    data, self.initial = self.initial, b""
                else:
                    # Only after a quiet read: a resumed connection was woken for its
                    # bytes (or its deadline, or a push to write), and goes on a while.
                    if quiet and self._can_park():
                        return True
                    quiet = False
                    deadline = self.last_packet + config.idle_timeout
                    if frame_started is not None:
                        deadline = min(deadline, frame_deadline(config, frame_started, self.transport.buffered))
                    data = await self._receive_until(deadline, "connection_idle" if frame_started is None
                                                     else "frame_too_slow", seen_packet and frame_started is None)
                    if data is None:
                        return
                    if data is _WOKEN:
                        quiet = True
                        continue
                events = self.transport.feed(data) if data else self.transport.end_of_stream()
                if not self.buffer_share.update(self.transport.buffered):
                    log.info("buffer_budget_exceeded", peer=self.peer, buffered=self.transport.buffered)
                    await self._send_raw(self.transport.frame_error(-429))
                    return
                now = trio.current_time()
                if any(isinstance(event, Packet) for event in events):
                    self.last_packet = now
                    frame_started = None
                    seen_packet = True
                if self.transport.buffered == 0:
                    frame_started = frame_started if not seen_packet else None
                elif frame_started is None:
                    frame_started = now
                for event in events:
                    if not await self._on_transport_event(event) or self.closing:
                        return
                if not data:
                    return
        finally:
            self.buffer_share.release()

    async def _receive_until(self, deadline: float, timeout_event: str, parkable: bool) -> bytes | None:
        """The peer's next bytes, None when reading must stop (the deadline passed, or
        stop_reading) just as they came, or _WOKEN when the last task ended during the
        wait (`parkable`: the connection may park now). The deadline is the read scope's
        own, which goes back to `disconnect_at` after the read. Passing the deadline
        cancels the read scope, which ends the read loop."""
        scope = self.scope
        until = min(deadline, self.disconnect_at)
        try:
            if parkable and self._parks():
                # A connection parks once quiet for a while, not after each packet: an
                # active chat would pay a park and a wake-up (a task, its nursery, epoll)
                # for every message it sends or receives.
                quiet_until = trio.current_time() + min(self.park_after, self.state.config.idle_timeout / 4)
                # The read scope gets the deadline only when it comes first: a deadline
                # set and reset stays in trio's deadline heap until it passes (minutes,
                # for the idle timeout), holding the scope, for every read of every
                # connection.
                if until < quiet_until:
                    scope.deadline = until
                with trio.CancelScope(deadline=quiet_until) as wait:
                    data = await self.stream.receive_some(READ_SIZE_IN_FRAME if self.transport.buffered else READ_SIZE)
                if wait.cancelled_caught:
                    scope.deadline = self.disconnect_at
                    return _WOKEN
            else:
                scope.deadline = until
                data = await self.stream.receive_some(READ_SIZE_IN_FRAME if self.transport.buffered else READ_SIZE)
        except trio.Cancelled:
            self._log_timeout(deadline, timeout_event)
            raise
        if scope.cancel_called:
            self._log_timeout(deadline, timeout_event)
            return None
        scope.deadline = self.disconnect_at
        return data

    def _log_timeout(self, deadline: float, timeout_event: str) -> None:
        if trio.current_time() >= deadline:
            log.info(timeout_event, peer=self.peer, buffered=self.transport.buffered)

    # -- transport events -------------------------------------------------------------------

    async def _on_transport_event(self, event) -> bool:
        if isinstance(event, TransportError):
            log.info("transport_error", peer=self.peer, reason=event.reason, code=event.code)
            await self._send_raw(self.transport.frame_error(event.code))
            return False
        if not isinstance(event, Packet):
            return True
        if self.refuse_with is not None:
            log.info("connection_refused", peer=self.peer, code=self.refuse_with)
            await self._send_raw(self.transport.frame_error(self.refuse_with))
            return False
        payload = event.payload
        if len(payload) < 8:
            await self._send_raw(self.transport.frame_error(-404))
            return False
        key_id = _u64(payload, 0)[0]
        if key_id == 0:
            return await self._on_plain(payload)
        return await self._on_encrypted(key_id, payload, event.quick_ack)

    async def _on_plain(self, payload: bytes) -> bool:
        if self.handshake is None:
            self.handshake = Handshake(self.state.rsa_keys)
        address = self.peer.rpartition(":")[0]
        if (self.state.handshakes is not None and payload[20:24] == _REQ_DH_PARAMS
                and self.state.config.limits_apply_to(address)):
            try:
                self.state.handshakes.hit(address)
            except RpcError as exc:
                log.info("handshake_refused", peer=self.peer, reason=exc.message)
                await self._send_raw(self.transport.frame_error(-429))
                return False
        now = time.time()
        event = self.handshake.receive(payload, now)
        if isinstance(event, KeyComputed):
            # The key is stored before dh_gen_ok leaves: the client's next packet uses it.
            # Storing it is the uniqueness check too (None: the id is taken, dh_gen_retry).
            record = await self.state.add_auth_key(self.handshake.proposed_key(now))
            event = self.handshake.confirm(record is not None, now)
            if record is not None:
                # The client's first encrypted packet comes here: its session and its
                # first call start from this record instead of reading it back.
                self.new_key = record
                if self.runner is not None:
                    self.runner.records[record.key_id] = record
                log.info("handshake_done", peer=self.peer, auth_key_id=record.key_id, temporary=record.temporary)
                metrics.HANDSHAKES_COMPLETED.inc()
        if isinstance(event, HandshakeFailed):
            log.info("handshake_failed", peer=self.peer, reason=event.reason)
            metrics.HANDSHAKES_FAILED.inc()
            await self._send_raw(self.transport.frame_error(-404))
            return False
        assert isinstance(event, HandshakeReply)
        await self.send(event.data)
        return True

    async def _on_encrypted(self, key_id: int, payload: bytes, quick_ack: bool) -> bool:
        session = self.encrypted.get(key_id)
        if session is None:
            record = self.new_key if self.new_key is not None and self.new_key.key_id == key_id else None
            if record is None:
                record = await self.state.auth_keys.get(key_id)
            # The session and the RPCs share the one record: not read again for the first
            # call, nor held twice (the key's 256 bytes) by an idle connection.
            if record is not None and self.runner is not None:
                record = self.runner.keep_record(record)
            session = await self.state.open_session(key_id, self.session_class, record) if record else None
            if session is None:
                # An auth key we do not know: the client must create a new one.
                log.info("unknown_auth_key", peer=self.peer, auth_key_id=key_id)
                await self._send_raw(self.transport.frame_error(-404))
                return False
            self.encrypted[key_id] = session
        events = session.receive(payload, time.time(), quick_ack)
        if not self.proven and not any(isinstance(event, Close) for event in events):
            self.proven = True  # it holds a key the server knows: full-size frames from now on
            self.transport.set_max_packet_size(self.state.max_packet_size)
        for event in events:
            if isinstance(event, QuickAck):
                await self._send_raw(self.transport.frame_quick_ack(event.token))
            elif isinstance(event, Reply):
                await self.send(event.data)
            elif isinstance(event, Rpc):
                self._exchanged()
                await self._take_rpc_slot()
                self.spawn(functools.partial(self._run_rpc, session, event))
            elif isinstance(event, SessionResumed):
                resent = session.resend_pending(event.session_id, time.time())
                if resent:
                    await self.send(resent)
            elif isinstance(event, DisconnectAfter):
                self.disconnect_at = trio.current_time() + event.seconds
                self.scope.deadline = self.disconnect_at
            elif isinstance(event, BadMessage):
                log.info("bad_msg", peer=self.peer, auth_key_id=key_id, msg_id=event.msg_id, code=event.code,
                         constructor=_hex(event.constructor_id))
            elif isinstance(event, UndecodableRequest):
                log.info("request_undecodable", peer=self.peer, auth_key_id=key_id, msg_id=event.msg_id,
                         method=_hex(event.method_id), constructor=_hex(event.constructor_id), offset=event.offset,
                         layer=event.layer)
            elif isinstance(event, SessionCreated):
                log.info("session_created", peer=self.peer, auth_key_id=key_id, session_id=event.session_id)
            elif isinstance(event, AuthKeyDestroyed):
                await self.state.forget_auth_key(key_id)
                log.info("auth_key_destroyed", peer=self.peer, auth_key_id=key_id)
                return False
            elif isinstance(event, Close):
                log.info("session_close", peer=self.peer, auth_key_id=key_id, reason=event.reason)
                return False
        return True

    # -- RPCs ------------------------------------------------------------------------------

    async def _run_rpc(self, session: EncryptedSession, call: Rpc) -> None:
        try:
            packet = await self.runner.run(session, call, self.transport.dc_id)
        finally:
            self._free_rpc_slot()
        if packet is not None:
            try:
                await self.send(packet)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass  # the client left; the answer stays pending in its session

    async def _take_rpc_slot(self) -> None:
        if self.rpc_slots is None:
            self.rpc_slots = trio.Semaphore(MAX_RPCS_IN_FLIGHT)
        try:
            self.rpc_slots.acquire_nowait()  # a free slot costs no scheduler pass
        except trio.WouldBlock:
            await self.rpc_slots.acquire()

    def _free_rpc_slot(self) -> None:
        # The semaphore is the one taken from: it is dropped only once every slot is free.
        self.rpc_slots.release()
        if self.rpc_slots.value == MAX_RPCS_IN_FLIGHT:
            self.rpc_slots = None

    async def after_call(self, session: EncryptedSession, session_id: int, ctx: RequestContext) -> None:
        """A call succeeded (server/request_runner.py): whom live updates go to now,
        settled before its answer is made."""
        self._note_updates_target(session, session_id, ctx)
        if ctx.listen_as_key and ctx.user_id is None:
            await self._listen_as_key(session, session_id)

    # -- live updates ----------------------------------------------------------------

    def _note_updates_target(self, session: EncryptedSession, session_id: int, ctx: RequestContext) -> None:
        if ctx.user_id is None:
            if self.push_user is not None:  # logged out on this connection
                self._stop_push()
                self.push_user = None
            return
        if not ctx.no_updates:
            self.push_target = (session, session_id)
        if self.push_user != ctx.user_id and not self.closing:
            self._stop_push()  # the key's own channel too: it is logged in now
            self.push_user = ctx.user_id
            self.spawn(functools.partial(self._came_online, ctx.user_id))
            if self.state.bus is not None:
                # The connection is the feed's owner, not partials over the user id:
                # push_user is that user for as long as the feed lives (a change stops it).
                self.push_feed = feed = PushFeed(self)
                self.spawn(functools.partial(feed.open, functools.partial(
                    open_user_stream, self.state.bus, self.state.storage, ctx.user_id, receiver=self._push_receiver,
                    authorised=self._still_logged_in)))

    async def _came_online(self, user_id: int) -> None:
        """A logged-in session is here: contacts see the user online (and offline again
        when their last connection closes, _went_offline)."""
        try:
            await mark_online(self.state, user_id)
        except Exception:
            log.exception("online_status_failed", user_id=user_id)

    def _stop_push(self) -> None:
        if self.push_feed is not None:
            self.push_feed.stop()
            self.push_feed = None
        if self.key_push_feed is not None:
            self.key_push_feed.stop()
            self.key_push_feed = None

    def own_row(self, session_id: int, pts: int) -> None:
        if self.push_feed is not None:
            self.push_feed.own_row(session_id, pts)

    def _push_receiver(self) -> tuple[EncryptedSession, int] | None:
        return self.push_target

    def _key_push_receiver(self) -> tuple[EncryptedSession, int] | None:
        return self.key_push_target

    def logged_out(self, feed: PushFeed) -> None:
        """The user's pushes stopped (their feed did): the key is no longer logged in as them."""
        if feed is not self.push_feed:
            return
        log.info("push_stopped_logged_out", peer=self.peer, user_id=self.push_user)
        self.push_user = None
        self.push_feed = None

    async def _listen_as_key(self, session: EncryptedSession, session_id: int) -> None:
        """Subscribe (before the answer leaves, so nothing published after it is missed)
        to the updates addressed to this auth key; this session receives them."""
        self.key_push_target = (session, session_id)
        if self.key_push_feed is None and self.state.bus is not None and not self.closing:
            self.key_push_feed = feed = PushFeed(self)
            try:
                await self.nursery.start(feed.open, functools.partial(
                    open_key_stream, self.state.bus, self.state.storage, session.auth_key_id,
                    receiver=self._key_push_receiver))
            except BusError as exc:
                # The token is still good; without the update the client re-exports it.
                log.warning("key_subscribe_failed", auth_key_id=session.auth_key_id, error=str(exc))
                if self.key_push_feed is feed:
                    self.key_push_feed = None

    async def _still_logged_in(self) -> bool:
        """Whether the key is still logged in as the user it pushes for, checked at most every
        PUSH_AUTH_RECHECK seconds: a device revoked elsewhere (another device, the admin
        API, a ban) stops receiving live updates within that time, not only at its next
        request. Each check's next is due after half to all of that time, at random: a
        thousand connections that got their first push at once do not check together again."""
        now = trio.current_time()
        if now < self.push_check_due or self.push_target is None:
            return True
        # The key's record as this connection's calls use it; the login behind it comes
        # through the authorizations' cache, which every process empties at a revocation.
        record = await self.runner.key_record(self.push_target[0].auth_key_id)
        _, current, _ = await identify(self.state.storage, record)
        self.push_check_due = now + PUSH_AUTH_RECHECK * (1.0 - 0.5 * random.random())
        return current == self.push_user

    async def push(self, session: EncryptedSession, session_id: int, updates) -> None:
        try:
            body = tl.encode(updates, session.layer)
        except tl.TLEncodeError as exc:
            log.warning("push_unencodable", error=str(exc), layer=session.layer)
            return
        packet = session.push(session_id, body, time.time())
        if packet is not None:
            self._exchanged()
            try:
                await self.send(packet)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                self._stop_push()

    # -- sending ---------------------------------------------------------------------------

    async def send(self, payload: bytes) -> None:
        await self._send_raw(self.transport.frame(payload))

    async def _send_raw(self, data: bytes) -> None:
        if not data:
            return
        # One writer at a time; a slow reader blocks its own RPC tasks here. The lock
        # lives while someone holds it: a release with a task waiting hands it over (it
        # stays locked), so an unlocked lock has no one waiting and can go.
        lock = self.send_lock
        if lock is None:
            lock = self.send_lock = trio.Lock()
        try:
            try:
                # A free lock is taken without a scheduler pass (send_all checkpoints
                # itself): every answer, and each of a handshake's three, is one pass cheaper.
                lock.acquire_nowait()
            except trio.WouldBlock:
                await lock.acquire()
            try:
                if type(self.stream) is trio.SocketStream:
                    data = _write_now(self.stream, data)
                if data:
                    await self.stream.send_all(data)
            finally:
                lock.release()
        finally:
            if self.send_lock is lock and not lock.locked():
                self.send_lock = None


def _write_now(stream: trio.SocketStream, data: bytes) -> bytes | memoryview:
    """Writes what the socket takes at once and returns the rest (empty: all sent), with
    no scheduler pass: trio's send_all costs one (and its checkpoints' context managers)
    even when the kernel takes everything, as it does for nearly every packet, a
    handshake's replies and a key's first answer among them. The caller holds the send
    lock, so nothing else writes meanwhile; the errors are send_all's."""
    fd = stream.socket.fileno()
    if fd < 0:
        raise trio.ClosedResourceError("the connection was closed")
    try:
        sent = os.write(fd, data)
    except BlockingIOError:
        return data  # the socket is full: send_all waits for it
    except OSError as exc:
        raise trio.BrokenResourceError(f"socket connection broken: {exc}") from exc
    return memoryview(data)[sent:] if sent < len(data) else b""


def _hex(constructor_id: int | None) -> str | None:
    return None if constructor_id is None else f"{constructor_id:#010x}"


__all__ = ["Connection"]
