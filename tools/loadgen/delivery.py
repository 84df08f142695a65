"""The message delivery scenario: half the clients send private messages, each to its own
paired recipient, and the time from sending messages.sendMessage to the arrival of the
recipient's pushed updateNewMessage is measured.

Every client connects, logs in (invokeWithLayer(initConnection(updates.getState)), after
which the server pushes it updates) and waits for the others; then the clock starts. Each
sender keeps ``window`` messages in flight: a message leaves its slot when the recipient
has it, or ``timeout`` seconds after it was sent (TIMEOUT: no answer to sendMessage;
NOT_DELIVERED: answered but never pushed to the recipient). Closed loop, so the rate is what the server
sustains at that concurrency, and the latency is not inflated by a queue in the client.
After ``seconds`` no new message is sent and the ones in flight are waited for.

With ``rate`` the loop is open instead: the senders together send ``rate`` messages per
second, evenly spaced, however many are in flight, which shows the latency at a given load
below saturation (the closed loop's latency at saturation is just senders / rate).

Throughput counts the messages that arrived within the window; latencies are those of
every message sent within it. Errors are counted by name: RPC errors (FLOOD_WAIT_X, ...),
TIMEOUT, NOT_DELIVERED, updatesTooLong (the server dropped live updates), connection
losses. Server and clients may share the machine: ``client_cpu`` is this process's CPU
time in the window, so a reader can tell whether the clients were the limit.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import secrets
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import trio

from tl import functions as F, types as T

from .client import Account, CallFailed, LoadClient
from .frozen_heap import frozen_heap

TEXT_PREFIX = "loadgen "
CONNECT_CONCURRENCY = 50  # connections opened at once (a burst of 1,000 SYNs overflows backlogs)
LOGIN_TIMEOUT = 120.0


@dataclass
class DeliveryResult:
    clients: int
    seconds: float
    sent: int = 0
    delivered: int = 0  # arrived within the window
    latencies: list[float] = field(default_factory=list)  # seconds, every message sent in the window
    errors: Counter = field(default_factory=Counter)
    client_cpu: float = 0.0  # seconds of this process's CPU in the window
    server_cpu: float | None = None  # filled in by a caller that knows the server process
    server_syscalls: dict[str, int] | None = None  # in the window, by kind (SyscallCounter), if asked

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)

    def errors_text(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.errors.most_common()) or "0"

    def summary(self) -> str:
        cpu = f"client CPU {self.client_cpu / self.seconds:.0%}"
        if self.server_cpu is not None:
            cpu += f", server CPU {self.server_cpu / self.seconds:.0%}"
        return (f"{self.clients} clients, {self.seconds:g} s: sent {self.sent}, delivered {self.delivered} "
                f"({self.rate:.0f}/s); latency p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, "
                f"max {self.percentile(100):.1f} ms; errors: {self.errors_text()}; {cpu}")


def percentile(latencies: list[float], q: float) -> float:
    """Nearest-rank percentile of latencies in seconds, in milliseconds (NaN when none)."""
    if not latencies:
        return math.nan
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000


class _Flights:
    """Messages sent and not yet arrived, by the token in their text."""

    def __init__(self, result: DeliveryResult):
        self.result = result
        self.tokens = itertools.count(1)
        self.in_flight: dict[int, tuple[float, trio.Event]] = {}
        self.window_end = math.inf

    def start(self) -> tuple[int, trio.Event]:
        token = next(self.tokens)
        arrived = trio.Event()
        self.in_flight[token] = (time.perf_counter(), arrived)
        return token, arrived

    def forget(self, token: int) -> None:
        self.in_flight.pop(token, None)

    def on_update(self, updates) -> None:
        """A recipient's pushed updates."""
        now = time.perf_counter()
        if isinstance(updates, T.UpdatesTooLong):
            self.result.errors["updatesTooLong"] += 1
            return
        if isinstance(updates, T.UpdateShortMessage):
            texts = [updates.message]
        else:
            texts = [u.message.message for u in getattr(updates, "updates", ())
                     if isinstance(u, T.UpdateNewMessage) and isinstance(u.message, T.Message)]
        for text in texts:
            if not text.startswith(TEXT_PREFIX):
                continue
            flight = self.in_flight.pop(int(text[len(TEXT_PREFIX):]), None)
            if flight is None:
                continue  # given up on already (counted as NOT_DELIVERED), or a duplicate
            sent_at, arrived = flight
            self.result.latencies.append(now - sent_at)
            if now <= self.window_end:
                self.result.delivered += 1
            arrived.set()


async def run_delivery(host: str, port: int, accounts: list[Account], *, seconds: float, window: int = 1,
                       rate: float | None = None, timeout: float = 60.0,
                       server_pid: int | None = None, count_syscalls: bool = False) -> DeliveryResult:
    """Drive ``accounts`` (an even number: the first half send to the second half). ``rate``
    (messages per second, all senders together) switches to the open loop. With
    ``server_pid`` (Linux) the server's CPU time in the window is reported too."""
    pairs = len(accounts) // 2
    result = DeliveryResult(clients=2 * pairs, seconds=seconds)
    flights = _Flights(result)
    ready = Countdown(2 * pairs)
    go, stop_sending, done = trio.Event(), trio.Event(), trio.Event()
    connect_slots = trio.Semaphore(CONNECT_CONCURRENCY)
    senders_left = Countdown(pairs)

    async def sender(me: Account, peer: Account) -> None:
        try:
            async with logged_in(host, port, me, lambda _: None, connect_slots, ready, result) as client:
                await go.wait()
                if client is None:
                    return
                target = T.InputPeerUser(user_id=peer.user_id, access_hash=peer.access_hash)
                async with trio.open_nursery() as slots:
                    if rate:
                        slots.start_soon(_paced_loop, client, target, flights, stop_sending, result, timeout,
                                         pairs / rate)
                    else:
                        for _ in range(window):
                            slots.start_soon(_send_loop, client, target, flights, stop_sending, result, timeout)
        finally:
            senders_left.count_down()

    async def recipient(me: Account) -> None:
        async with logged_in(host, port, me, flights.on_update, connect_slots, ready, result) as client:
            if client is not None:
                await done.wait()

    async with trio.open_nursery() as nursery:
        for me, peer in zip(accounts[:pairs], accounts[pairs:2 * pairs]):
            nursery.start_soon(recipient, peer)
            nursery.start_soon(sender, me, peer)
        with trio.fail_after(LOGIN_TIMEOUT):
            await ready.finished.wait()
        with frozen_heap():
            cpu_start = time.process_time()
            server_cpu_start = process_cpu_seconds(server_pid)
            counter = SyscallCounter(server_pid) if count_syscalls and server_pid is not None else None
            if counter is not None:
                counter.start()
            flights.window_end = time.perf_counter() + seconds
            go.set()
            await trio.sleep(seconds)
            stop_sending.set()
            result.client_cpu = time.process_time() - cpu_start
            if server_cpu_start is not None:
                result.server_cpu = process_cpu_seconds(server_pid) - server_cpu_start
            if counter is not None:
                result.server_syscalls = counter.stop()
            await senders_left.finished.wait()  # the messages in flight arrive or time out
            done.set()
    return result


async def _send_loop(client: LoadClient, target, flights: _Flights, stop: trio.Event, result: DeliveryResult,
                     timeout: float) -> None:
    """Closed loop: the next message once this one has arrived."""
    while not stop.is_set() and await _send_one(client, target, flights, result, timeout):
        pass


async def _paced_loop(client: LoadClient, target, flights: _Flights, stop: trio.Event, result: DeliveryResult,
                      timeout: float, interval: float) -> None:
    """Open loop: one message every ``interval`` seconds, however many are in flight."""
    await paced(client, stop, interval, lambda: _send_one(client, target, flights, result, timeout),
                first_in=random.uniform(0, interval))  # senders out of step


async def paced(client: LoadClient, stop: trio.Event, interval: float, send: Callable[[], Awaitable],
                first_in: float = 0.0) -> None:
    """Open loop: ``send()`` started every ``interval`` seconds (the first after
    ``first_in``), however many are still running, until ``stop`` or the connection ends;
    returns when the last one has."""
    async with trio.open_nursery() as nursery:
        next_at = trio.current_time() + first_in
        while True:
            with trio.move_on_at(next_at):
                await stop.wait()
            if stop.is_set() or client.closed:
                return
            nursery.start_soon(send)
            next_at += interval


async def _send_one(client: LoadClient, target, flights: _Flights, result: DeliveryResult, timeout: float) -> bool:
    """Sends one message and waits for it to arrive; False when the connection is gone."""
    token, arrived = flights.start()
    result.sent += 1
    deadline = time.monotonic() + timeout  # for the answer and the arrival together
    request = F.messages.SendMessage(peer=target, message=f"{TEXT_PREFIX}{token}", random_id=secrets.randbits(63))
    try:
        await client.call(request, timeout=timeout)
    except CallFailed as exc:
        flights.forget(token)
        if client.closed:
            return False  # counted once, as the connection's error
        result.errors[exc.name] += 1
        await trio.sleep(0.1)  # an error is not a reason to spin
        return True
    with trio.move_on_at(trio.current_time() + max(0.0, deadline - time.monotonic())):
        await arrived.wait()
    if not arrived.is_set():
        flights.forget(token)
        result.errors["NOT_DELIVERED"] += 1
    return True


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of another process, from /proc (None where unavailable)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime fields 14 and 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The server's system calls by kind, counted by the kernel's tracepoints (perf stat):
# counts, unlike CPU time, that another job on the machine does not change.
SYSCALL_EVENTS = ("sendto", "recvfrom", "epoll_wait", "epoll_ctl", "write", "read")


class SyscallCounter:
    """``perf stat`` attached to another process from start() to stop(): its system calls
    (all, and each of SYSCALL_EVENTS) and context switches. Counts nothing (stop()
    gives None) where perf or its tracepoints are unavailable."""

    def __init__(self, pid: int):
        self.pid = pid
        self._proc: subprocess.Popen | None = None

    def start(self) -> None:
        events = ["raw_syscalls:sys_enter", "context-switches",
                  *(f"syscalls:sys_enter_{name}" for name in SYSCALL_EVENTS)]
        try:
            self._proc = subprocess.Popen(["perf", "stat", "-x", ",", "-p", str(self.pid),
                                           *(arg for e in events for arg in ("-e", e))],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError:
            self._proc = None

    def stop(self) -> dict[str, int] | None:
        if self._proc is None:
            return None
        self._proc.send_signal(signal.SIGINT)
        _, err = self._proc.communicate(timeout=30)
        counts = {}
        for line in err.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[0].isdigit():
                name = fields[2].removeprefix("syscalls:sys_enter_")
                counts["syscalls" if name == "raw_syscalls:sys_enter" else name] = int(fields[0])
        return counts or None


class Countdown:
    """Set ``finished`` once ``count_down`` has been called ``count`` times."""

    def __init__(self, count: int):
        self.count = count
        self.finished = trio.Event()
        if count <= 0:
            self.finished.set()

    def count_down(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.finished.set()


@asynccontextmanager
async def logged_in(host: str, port: int, account: Account, on_update, slots: trio.Semaphore, ready: Countdown,
                    result) -> AsyncIterator[LoadClient | None]:
    """A connected, logged-in client, or None (the error is counted in ``result.errors``,
    a Counter). ``slots`` bounds how many connect and log in at once; ``ready`` is told
    either way. Shared by the scenarios (delivery here, channel.py)."""
    await slots.acquire()
    try:
        stream = await trio.open_tcp_stream(host, port)
    except OSError as exc:
        slots.release()
        result.errors[f"connect {type(exc).__name__}"] += 1
        ready.count_down()
        yield None
        return
    async with stream, trio.open_nursery() as nursery:
        client: LoadClient | None = LoadClient(stream, account, on_update)
        nursery.start_soon(client.read_loop)
        try:
            await client.login()
        except CallFailed as exc:
            result.errors[f"login {exc.name}"] += 1
            client = None
        finally:
            slots.release()
            ready.count_down()
        try:
            yield client
        finally:
            if client is not None and client.closed:
                result.errors[client.closed] += 1  # the server hung up or broke the connection
            nursery.cancel_scope.cancel()


__all__ = ["CONNECT_CONCURRENCY", "Countdown", "DeliveryResult", "LOGIN_TIMEOUT", "TEXT_PREFIX", "logged_in", "paced",
           "percentile", "process_cpu_seconds", "SyscallCounter", "run_delivery"]
