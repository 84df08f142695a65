"""The bus across processes: Redis pub/sub, spoken from trio (storage/bus/resp.py,
storage/bus/redis_connection.py: no asyncio in between).

Per process, whatever the number of subscriptions:

- one connection for PUBLISH, owned by the *publisher* task: ``publish`` queues the
  payload and waits; the publisher sends everything queued in one pipeline (one write
  and one round trip however many tasks publish at once, in queue order) and reports
  back. A caller cancelled while waiting does not break the connection; its payload
  still goes. A connection that Redis closed (seen with a poll before each use) or that
  failed is replaced when next needed;
- one pub/sub connection, subscribed to the union of the channels the local
  subscriptions listen to; what it reads is fanned out locally (`Fanout`).

Three more trio tasks own the pub/sub connection; all live in the bus's nursery:

- the *maintainer* opens the connection, runs the two below, and when they fail opens
  a new one with exponential backoff;
- the *reader* reads messages (whatever one read of the socket brings, parsed at once)
  and hands them to the fan-out; it also counts SUBSCRIBE confirmations;
- the *syncer* is the only writer: it brings the connection's SUBSCRIBE set in line
  with the fan-out's channels whenever they change, sends PING when the connection is
  quiet, and declares it dead when nothing (not even a PONG) came back for
  ``dead_after`` seconds.

Loss: when the connection drops, every subscription is marked ``overflowed`` at once,
and again once the new connection has confirmed its subscriptions (payloads published
in between are gone; see interface.py for what the owner does). A subscription added
while disconnected is marked too and does not wait for Redis.

Redis pub/sub channels are global to the server (the database number does not apply),
so every channel name gets ``prefix`` (default ``mtserver:``) in Redis: deployments (and
test runs) sharing a Redis keep apart by prefix. The server passes its deployment's own
(storage/bus/prefix.py).

Must not: open a Redis connection per subscription, let a subscriber slow the reader
(delivery is ``send_nowait``), or hold more than one reply (at most ``max_reply``
bytes) in a connection's parser.
"""

from __future__ import annotations

import re
import secrets
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import structlog
import trio

from server import metrics

from .errors import BusClosed, BusUnavailable
from .fanout import Fanout
from .interface import DEFAULT_MAX_BUFFER
from .redis_connection import RedisConnection, open_redis_connection
from .redis_url import RedisAddress, parse_redis_url
from .resp import ReplyError, RespError, encode_command, push_message
from .subscription import Subscription

log = structlog.get_logger("mtserver.bus")

DEFAULT_PREFIX = "mtserver:"
# Publishes sent in one pipeline at most, and queued at most (then publish waits).
_PUBLISH_BATCH = 512
_PUBLISH_QUEUE = 10_000
# The largest reply either connection accepts (a pub/sub message is one): far above any
# event the server publishes, far below what would hurt the process.
MAX_REPLY = 16 * 1024 * 1024
MAX_PAYLOAD = MAX_REPLY - 1024  # what a "message" push adds: its kind, prefix, headers
# Errors that mean "this connection is no good": reconnect rather than crash the server.
# (RespError: closed, timed out, unreadable, or Redis refused the login.)
_CONNECTION_ERRORS = (RespError, OSError, trio.BrokenResourceError)
_PING = encode_command("PING")


class _DeadConnection(Exception):
    """The pub/sub connection stopped answering (no PONG, no confirmation)."""


class _Request:
    """One command for the publishing connection (PUBLISH, or PING for health checks)."""

    __slots__ = ("command", "done", "error")

    def __init__(self, command: bytes):
        self.command = command
        self.done = trio.Event()
        self.error: BaseException | None = None

    def finish(self, error: BaseException | None = None) -> None:
        if not self.done.is_set():
            self.error = error
            self.done.set()


class RedisBus:
    """Use through :func:`open_redis_bus` (or ``storage.bus.open_bus``), which owns the
    background tasks; see the module docstring for how it works."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        ping_interval: float = 5.0,
        dead_after: float = 15.0,
        backoff_min: float = 0.1,
        backoff_max: float = 5.0,
        socket_timeout: float = 5.0,
    ):
        if max_buffer < 1:
            raise ValueError(f"max_buffer must be at least 1, got {max_buffer}")
        if dead_after <= ping_interval:
            raise ValueError("dead_after must be longer than ping_interval")
        self.max_buffer = max_buffer
        self.prefix = prefix
        self._prefix_bytes = prefix.encode()
        self._where = _redacted(url)
        try:
            self._address: RedisAddress = parse_redis_url(url)
        except ValueError as exc:
            raise ValueError(f"Redis bus {self._where}: {exc}") from None
        self._ping_interval = ping_interval
        self._dead_after = dead_after
        self._backoff_min = backoff_min
        self._backoff_max = backoff_max
        self._socket_timeout = self._address.timeout or socket_timeout
        self._fanout = Fanout(f"Redis bus {self._where}")
        self._outbox_send, self._outbox = trio.open_memory_channel[_Request](_PUBLISH_QUEUE)
        self._started = False  # set by open_redis_bus once its tasks run
        self._publisher: RedisConnection | None = None  # owned by _publish_queued
        self._cancel_scope: trio.CancelScope | None = None
        self._maintainer_done = trio.Event()
        # (publisher, subscriber) connection names, as CLIENT LIST shows them.
        self.client_names = ("", "")
        # State of the current pub/sub connection (reset when it is lost):
        self._connected = False
        # channel -> set when Redis confirmed the latest SUBSCRIBE we sent for it.
        self._remote: dict[str, trio.Event] = {}
        # channel -> SUBSCRIBEs sent and not yet confirmed, oldest first.
        self._unconfirmed: dict[str, deque[trio.Event]] = {}
        self._last_received = 0.0
        # _dirty: the fan-out's channels changed (wakes the syncer).
        # _changed: _remote or the connection changed (wakes `ready` waiters).
        self._dirty = trio.Event()
        self._changed = trio.Event()

    def __repr__(self) -> str:
        state = "connected" if self._connected else "disconnected"
        return f"<RedisBus {self._where} {state} subscriptions={len(self._fanout)}>"

    @property
    def connected(self) -> bool:
        """True while the pub/sub connection is up (for health checks)."""
        return self._connected and not self._fanout.closed

    # -- Bus ------------------------------------------------------------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        if len(payload) + len(channel) > MAX_PAYLOAD:
            # Every subscriber's parser would refuse it and drop its connection.
            raise ValueError(f"a bus payload is at most {MAX_PAYLOAD} bytes, got {len(payload)}")
        error = await self._request(
            encode_command("PUBLISH", self.prefix + channel, bytes(payload)),
            f"publish to {channel!r}",
        )
        if error is not None:
            raise BusUnavailable(
                f"publish to {channel!r} on Redis {self._where} failed: {error!r}"
            ) from error
        metrics.BUS_PUBLISHED.inc()

    async def ping(self) -> None:
        """One round trip to Redis on the publishing connection (for health checks);
        raises BusUnavailable when it fails or the pub/sub connection is down."""
        if not self.connected:
            raise BusUnavailable(f"Redis bus {self._where}: not connected")
        error = await self._request(_PING, "ping")
        if error is not None:
            raise BusUnavailable(f"Redis {self._where}: {error!r}") from error

    async def _request(self, command: bytes, what: str) -> BaseException | None:
        """Queue one command for the publisher and wait for its outcome."""
        if self._fanout.closed or not self._started:
            raise BusClosed(f"Redis bus {self._where} is closed ({what})")
        request = _Request(command)
        try:
            await self._outbox_send.send(request)
        except trio.ClosedResourceError:
            raise BusClosed(f"Redis bus {self._where} is closed ({what})") from None
        await request.done.wait()
        if isinstance(request.error, BusClosed):
            raise BusClosed(f"Redis bus {self._where} closed before it could {what}")
        return request.error

    def subscribe(self, *channels: str, max_buffer: int | None = None) -> Subscription:
        return Subscription(self, channels, self.max_buffer if max_buffer is None else max_buffer)

    async def close(self) -> None:
        self._fanout.close()
        self._notify_changed()
        if self._cancel_scope is not None:
            self._cancel_scope.cancel()
        self._outbox_send.close()
        while True:
            try:
                self._outbox.receive_nowait().finish(BusClosed())
            except (trio.WouldBlock, trio.EndOfChannel):
                break
        with trio.move_on_after(self._socket_timeout) as scope:
            scope.shield = True
            if self._cancel_scope is not None:
                # The maintainer closes its pub/sub connection on the way out; let it.
                await self._maintainer_done.wait()
            publisher, self._publisher = self._publisher, None
            if publisher is not None:
                await publisher.aclose()

    # -- Hub (for Subscription) ------------------------------------------------------------

    def join(self, sub: Subscription) -> None:
        self._fanout.join(sub)
        self._dirty.set()

    def leave(self, sub: Subscription) -> None:
        self._fanout.leave(sub)
        self._dirty.set()

    def attach(self, sub: Subscription, channel: str) -> None:
        self._fanout.attach(sub, channel)
        self._dirty.set()

    def detach(self, sub: Subscription, channel: str) -> None:
        self._fanout.detach(sub, channel)
        self._dirty.set()

    async def ready(self, sub: Subscription, channels: Iterable[str]) -> None:
        channels = list(channels)
        while True:
            if self._fanout.closed:
                break
            if not self._connected:
                # Redis will get the SUBSCRIBE when it is back; till then, say so.
                sub._mark_overflowed()
                break
            changed = self._changed
            waiting_on: trio.Event | None = None
            wanted = self._fanout.channels
            for channel in channels:
                if channel not in wanted:
                    continue  # removed again meanwhile: nothing to wait for
                confirmed = self._remote.get(channel)
                if confirmed is None:
                    waiting_on = changed  # the syncer has not sent it yet
                    break
                if not confirmed.is_set():
                    waiting_on = confirmed
                    break
            if waiting_on is None:
                break
            await waiting_on.wait()
        await trio.lowlevel.checkpoint()

    # -- publishing -------------------------------------------------------------------------

    async def _publish_queued(self) -> None:
        batch: list[_Request] = []
        try:
            async for first in self._outbox:
                batch = [first]
                while len(batch) < _PUBLISH_BATCH:
                    try:
                        batch.append(self._outbox.receive_nowait())
                    except (trio.WouldBlock, trio.EndOfChannel):
                        break
                try:
                    replies = await self._send_batch([request.command for request in batch])
                except _CONNECTION_ERRORS as exc:
                    # No retry: the pipeline may have been partly carried out, and a
                    # retry could deliver twice (the bus promises at most once).
                    log.warning(
                        "bus.redis.publish_failed",
                        redis=self._where,
                        error=repr(exc),
                        payloads=len(batch),
                    )
                    for request in batch:
                        request.finish(exc)
                else:
                    for request, reply in zip(batch, replies):
                        request.finish(reply if isinstance(reply, ReplyError) else None)
        finally:
            for request in batch:
                request.finish(BusClosed())
            if self._publisher is not None:
                await self._publisher.aclose()

    async def _send_batch(self, commands: list[bytes]) -> list[Any]:
        """One pipeline on the publishing connection, (re)connecting first if needed."""
        connection = self._publisher
        if connection is not None and connection.looks_closed():
            # Redis closed it while it was idle (a restart, CLIENT KILL): nothing of
            # this batch was sent yet, so a new connection loses nothing.
            await connection.aclose()
            connection = self._publisher = None
        try:
            with trio.fail_after(self._socket_timeout):
                if connection is None:
                    connection = self._publisher = await self._open(self.client_names[0])
                return await connection.round_trip(commands)
        except BaseException as exc:
            # Half a pipeline may be in flight: this connection is done.
            publisher, self._publisher = self._publisher, None
            if publisher is not None:
                await publisher.aclose()
            if isinstance(exc, trio.TooSlowError):
                raise _Timeout(f"no answer from Redis {self._where} in {self._socket_timeout} s") from None
            raise

    async def _open(self, name: str) -> RedisConnection:
        return await open_redis_connection(
            self._address, name=name, timeout=self._socket_timeout, max_reply=MAX_REPLY
        )

    # -- the pub/sub connection -------------------------------------------------------------

    async def _maintain(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        try:
            await self._keep_connected(task_status)
        finally:
            self._maintainer_done.set()

    async def _keep_connected(self, task_status: Any) -> None:
        delay = self._backoff_min
        first = True
        while True:
            try:
                connection = await self._open(self.client_names[1])
            except _CONNECTION_ERRORS as exc:
                if first:
                    raise BusUnavailable(f"cannot connect to Redis {self._where}: {exc!r}") from exc
                log.warning(
                    "bus.redis.connect_failed", redis=self._where, error=repr(exc), retry_in=delay
                )
                await trio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)
                continue
            opened_at = trio.current_time()
            if first:
                log.info("bus.redis.connected", redis=self._where, prefix=self.prefix)
            else:
                channels = len(self._fanout.channels)
                log.info("bus.redis.reconnected", redis=self._where, channels=channels)
            try:
                error = await self._run_connection(
                    connection, after_loss=not first, task_status=task_status
                )
            finally:
                self._connection_lost()
                await connection.aclose()
            first = False
            task_status = trio.TASK_STATUS_IGNORED
            log.warning("bus.redis.connection_lost", redis=self._where, error=repr(error))
            if trio.current_time() - opened_at > self._backoff_max:
                delay = self._backoff_min  # it had been up for a while: retry soon
            await trio.sleep(delay)
            delay = min(delay * 2, self._backoff_max)

    async def _run_connection(
        self, connection: RedisConnection, *, after_loss: bool, task_status: Any
    ) -> BaseException:
        """Run the reader and the syncer until one of them finds the connection broken."""
        self._connected = True
        self._last_received = trio.current_time()
        self._notify_changed()
        errors: list[BaseException] = []
        async with trio.open_nursery() as nursery:

            async def guarded(run: Any, *args: Any) -> None:
                try:
                    await run(*args)
                except (*_CONNECTION_ERRORS, _DeadConnection) as exc:
                    errors.append(exc)
                    nursery.cancel_scope.cancel()

            nursery.start_soon(guarded, self._read, connection)
            nursery.start_soon(guarded, self._sync, connection, after_loss)
            task_status.started()
        return errors[0]

    def _connection_lost(self) -> None:
        self._connected = False
        # Wake whoever waits for a confirmation that will not come; `ready` sees
        # `_connected` is False and marks their subscriptions.
        for confirmed in self._remote.values():
            confirmed.set()
        for queue in self._unconfirmed.values():
            for confirmed in queue:
                confirmed.set()
        self._remote.clear()
        self._unconfirmed.clear()
        self._fanout.mark_all_overflowed()
        self._notify_changed()

    async def _read(self, connection: RedisConnection) -> None:
        while True:
            batch = await connection.receive()
            self._last_received = trio.current_time()
            for reply in batch:
                self._handle(reply)

    def _handle(self, reply: Any) -> None:
        # The common case first, without building a Push: ["message", channel, payload].
        if type(reply) is list and len(reply) == 3 and reply[0] == b"message":
            name = reply[1]
            if type(name) is bytes and name.startswith(self._prefix_bytes):
                channel = name[len(self._prefix_bytes) :].decode("utf-8", "replace")
                if type(reply[2]) is bytes:
                    self._fanout.deliver(channel, reply[2])
            return
        if isinstance(reply, ReplyError):
            raise reply  # an error on the pub/sub connection: start afresh
        push = push_message(reply)
        if push is None or push.kind != "subscribe" or push.channel is None:
            return  # unsubscribe confirmations and PONGs need nothing beyond _last_received
        channel = push.channel[len(self._prefix_bytes) :].decode("utf-8", "replace")
        queue = self._unconfirmed.get(channel)
        if queue:
            queue.popleft().set()
            if not queue:
                del self._unconfirmed[channel]

    async def _sync(self, connection: RedisConnection, after_loss: bool) -> None:
        async def execute(*command: str) -> None:
            # Only the reader reads this connection: the replies are pushes it handles.
            with trio.move_on_after(self._socket_timeout) as scope:
                await connection.send(encode_command(*command))
            if scope.cancelled_caught:
                raise _Timeout(f"Redis {self._where} took no {command[0]} in {self._socket_timeout} s")

        first_pass = True
        while True:
            if self._dirty.is_set():
                self._dirty = trio.Event()
            wanted = self._fanout.channels
            drop = [channel for channel in self._remote if channel not in wanted]
            add = [channel for channel in wanted if channel not in self._remote]
            for chunk in _chunks(drop):
                for channel in chunk:
                    del self._remote[channel]
                await execute("UNSUBSCRIBE", *(self.prefix + channel for channel in chunk))
            for chunk in _chunks(add):
                for channel in chunk:
                    confirmed = trio.Event()
                    self._remote[channel] = confirmed
                    self._unconfirmed.setdefault(channel, deque()).append(confirmed)
                await execute("SUBSCRIBE", *(self.prefix + channel for channel in chunk))
            if drop or add:
                self._notify_changed()
            if first_pass and after_loss:
                await self._wait_confirmed(list(self._remote.values()))
                # Payloads published while we were away are gone: say so once more,
                # now that a catch-up will be followed by live delivery.
                self._fanout.mark_all_overflowed()
            first_pass = False
            if drop or add:
                continue  # the fan-out may have changed while we were sending
            quiet = trio.current_time() - self._last_received
            if quiet > self._dead_after:
                raise _DeadConnection(f"nothing from Redis {self._where} for {quiet:.1f} s")
            if quiet >= self._ping_interval:
                await execute("PING")
            with trio.move_on_after(self._ping_interval):
                await self._dirty.wait()

    async def _wait_confirmed(self, events: list[trio.Event]) -> None:
        with trio.move_on_after(self._dead_after):
            for confirmed in events:
                await confirmed.wait()
            return
        raise _DeadConnection(
            f"Redis {self._where} did not confirm SUBSCRIBE in {self._dead_after} s"
        )

    def _notify_changed(self) -> None:
        self._changed.set()
        self._changed = trio.Event()


class _Timeout(RespError):
    """Redis took longer than ``socket_timeout`` to take a command or answer it."""


def _chunks(channels: list[str], size: int = 1000) -> Iterable[list[str]]:
    """(After a reconnect there may be many channels: keep each command modest.)"""
    for start in range(0, len(channels), size):
        yield channels[start : start + size]


@asynccontextmanager
async def open_redis_bus(url: str, **options: Any) -> AsyncIterator[RedisBus]:
    """A connected Redis bus whose tasks live in this context; closed on exit.

    Raises BusUnavailable when Redis cannot be reached at start-up (later losses are
    retried with backoff), ValueError for a URL it cannot use (see redis_url.py).
    ``options`` are RedisBus's keyword arguments.
    """
    bus = RedisBus(url, **options)
    # Connection names make this process's connections easy to find in CLIENT LIST.
    tag = secrets.token_hex(4)
    bus.client_names = (f"mtserver-bus-pub-{tag}", f"mtserver-bus-sub-{tag}")
    async with trio.open_nursery() as nursery:
        bus._cancel_scope = nursery.cancel_scope
        try:
            await nursery.start(bus._maintain)
            nursery.start_soon(bus._publish_queued)
            bus._started = True
            error = await bus._request(_PING, "ping")
            if error is not None:
                raise BusUnavailable(f"cannot connect to Redis {bus._where}: {error!r}") from error
            yield bus
        finally:
            await bus.close()


def _redacted(url: str) -> str:
    """The URL without its password, for logs and errors."""
    url = re.sub(r"([?&]password=)[^&#]*", r"\1***", url)
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.partition(":")[0]
    return f"{scheme}://{user + ':***@' if user else '***@'}{location}"
