"""The channel scenario (issue 11): one poster, a supergroup or broadcast channel of many
members, some of them connected.

Setup (:func:`create_channel`, straight into the server's storage as accounts.py does):
the poster, the channel's creator, and the connected followers are logged-in accounts;
the other members are users without keys (accounts.create_users), all added at once by
storage/channel_participants.py add_members_in_bulk. A follower's connection listens to the
channel from its login on (the server follows every channel its user is in).

Load (:func:`run_channel`): the poster posts messages.sendMessage at ``rate`` posts per
second for ``seconds`` (open loop, evenly spaced, however many answers are outstanding);
a push is an updateNewChannelMessage arriving at a follower, its latency the time from
sending the post to the arrival. After the window the pushes still due are waited for
(up to ``timeout``); one missing then is NOT_DELIVERED. The server's CPU (and, given the
database's name, its PostgreSQL backends': :class:`DatabaseCpu`) is counted from the first
post to the last push and divided by posts and by pushes.

Catch-up (:func:`post_many`, :func:`catch_up`): with nobody connected the poster posts
``count`` messages, then one member calls updates.getChannelDifference from the pts before
them, ``limit`` log rows per call, until ``final``, as a client back from being offline does.

What a post writes (:func:`table_counts`): rows per table (count(*): every table, both
backends) and, on PostgreSQL, the rows inserted, updated and deleted per table
(pg_stat_user_tables), taken before and after the load by the caller.
"""

from __future__ import annotations

import math
import os
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import trio

from storage.channel_participants import add_members_in_bulk
from tl import functions as F, types as T

from .accounts import create_accounts, create_users
from .client import Account, CallFailed, LoadClient
from .delivery import (CONNECT_CONCURRENCY, LOGIN_TIMEOUT, TEXT_PREFIX, Countdown, logged_in, paced, percentile,
                       process_cpu_seconds)
from .frozen_heap import frozen_heap

# PostgreSQL (15+) backends send their table statistics at most once a second, and an idle
# one only after 10 s: counts are read this long after the last write.
PG_STATS_SETTLE = 11.0


@dataclass(frozen=True)
class LoadChannel:
    id: int
    access_hash: int
    broadcast: bool
    members: int
    poster: Account
    followers: list[Account]  # the members that connect

    @property
    def input_peer(self):
        return T.InputPeerChannel(channel_id=self.id, access_hash=self.access_hash)

    @property
    def input_channel(self):
        return T.InputChannel(channel_id=self.id, access_hash=self.access_hash)


async def create_channel(storage, *, members: int, connected: int, broadcast: bool = False) -> LoadChannel:
    """A new channel of ``members`` members (the creator among them), ``connected`` of
    whom (fewer if the channel is smaller) are logged-in accounts to connect."""
    from rpc.channels.rights import creator_flags  # the rights channels.createChannel gives

    connected = max(0, min(connected, members - 1))
    accounts = await create_accounts(storage, connected + 1)
    poster, followers = accounts[0], accounts[1:]
    created = await storage.channels.create(
        poster.user_id, f"loadgen {members}", date=int(time.time()), broadcast=broadcast, megagroup=not broadcast,
        creator_rights=creator_flags(broadcast=broadcast))
    others = await create_users(storage, members - 1 - connected)
    if followers or others:
        await add_members_in_bulk(
            storage.db, created.channel.id, [a.user_id for a in followers] + others, inviter_id=poster.user_id,
            date=int(time.time()))
    return LoadChannel(id=created.channel.id, access_hash=created.channel.access_hash, broadcast=broadcast,
                       members=members, poster=poster, followers=followers)


# -- load ---------------------------------------------------------------------------------


@dataclass
class ChannelResult:
    members: int
    connected: int  # followers logged in
    seconds: float
    rate: float  # posts per second asked
    posts: int = 0  # answered
    pushes: int = 0  # arrived within the window
    latencies: list[float] = field(default_factory=list)  # seconds, every push
    post_latencies: list[float] = field(default_factory=list)  # seconds, each sendMessage's answer
    errors: Counter = field(default_factory=Counter)
    busy: float = 0.0  # seconds from the first post to the last push (or the timeout)
    client_cpu: float = 0.0  # this process, over `busy`
    server_cpu: float | None = None  # the server process, over `busy`
    database_cpu: float | None = None  # the PostgreSQL backends serving the server, over `busy`
    counts_before: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    counts_after: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    @property
    def push_rate(self) -> float:
        return self.pushes / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)

    def errors_text(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.errors.most_common()) or "0"

    def per_post(self) -> dict[str, tuple[float, float | None]]:
        """table: (rows added, rows written) per post, for the tables a post changed."""
        out = {}
        for table, (rows, writes) in sorted(self.counts_after.items()):
            rows0, writes0 = self.counts_before.get(table, (0, None))
            added = rows - rows0
            written = None if writes is None or writes0 is None else writes - writes0
            if (added or written) and self.posts:
                out[table] = (added / self.posts, None if written is None else written / self.posts)
        return out


class _Posts:
    """Posts by the token in their text: when each was sent and how many pushes it had."""

    def __init__(self, result: ChannelResult):
        self.result = result
        self.tokens = iter(range(1, 1 << 62))
        self.sent_at: dict[int, float] = {}
        self.arrivals: Counter = Counter()
        self.window_end = math.inf
        self.last_arrival = 0.0

    def on_update(self, updates) -> None:
        now = time.perf_counter()
        if isinstance(updates, T.UpdatesTooLong):
            self.result.errors["updatesTooLong"] += 1
            return
        for update in getattr(updates, "updates", ()):
            if not (isinstance(update, T.UpdateNewChannelMessage) and isinstance(update.message, T.Message)
                    and update.message.message.startswith(TEXT_PREFIX)):
                continue
            token = int(update.message.message[len(TEXT_PREFIX):])
            sent_at = self.sent_at.get(token)
            if sent_at is None:
                continue  # refused, or from an earlier run
            self.arrivals[token] += 1
            self.result.latencies.append(now - sent_at)
            if now <= self.window_end:
                self.result.pushes += 1
            self.last_arrival = now

    async def post_one(self, client: LoadClient, peer, timeout: float) -> None:
        token = next(self.tokens)
        self.sent_at[token] = sent_at = time.perf_counter()
        request = F.messages.SendMessage(peer=peer, message=f"{TEXT_PREFIX}{token}", random_id=secrets.randbits(63))
        try:
            await client.call(request, timeout=timeout)
        except CallFailed as exc:
            del self.sent_at[token]
            self.result.errors[exc.name] += 1
            return
        self.result.post_latencies.append(time.perf_counter() - sent_at)
        self.result.posts += 1


async def run_channel(host: str, port: int, channel: LoadChannel, *, rate: float, seconds: float,
                      timeout: float = 60.0, server_pid: int | None = None,
                      counts: Callable[[], Awaitable[dict]] | None = None,
                      database: str | None = None) -> ChannelResult:
    """The poster posts at ``rate`` for ``seconds`` to the connected followers. ``counts``
    (e.g. :func:`table_counts` over the server's storage) is taken once everyone is
    logged in and again after the last push. ``database``: the PostgreSQL database's name,
    for its backends' CPU time (:class:`DatabaseCpu`)."""
    result = ChannelResult(members=channel.members, connected=0, seconds=seconds, rate=rate)
    posts = _Posts(result)
    ready = Countdown(len(channel.followers) + 1)
    go, stop_posting, done = trio.Event(), trio.Event(), trio.Event()
    posted = trio.Event()
    slots = trio.Semaphore(CONNECT_CONCURRENCY)

    async def poster() -> None:
        try:
            async with logged_in(host, port, channel.poster, lambda _: None, slots, ready, result) as client:
                await go.wait()
                if client is not None:
                    await paced(client, stop_posting, 1 / rate, lambda: posts.post_one(client, channel.input_peer,
                                                                                      timeout))
        finally:
            posted.set()

    async def follower(me: Account) -> None:
        async with logged_in(host, port, me, posts.on_update, slots, ready, result) as client:
            if client is not None:
                result.connected += 1
                await done.wait()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(poster)
        for me in channel.followers:
            nursery.start_soon(follower, me)
        with trio.fail_after(LOGIN_TIMEOUT):
            await ready.finished.wait()
        with frozen_heap():
            if counts is not None:
                result.counts_before = await counts()
            cpu_start, server_cpu_start = time.process_time(), process_cpu_seconds(server_pid)
            database_cpu = DatabaseCpu(database)
            database_cpu.start()
            nursery.start_soon(database_cpu.watch, done)
            started = time.perf_counter()
            posts.window_end = started + seconds
            go.set()
            await trio.sleep(seconds)
            stop_posting.set()
            await posted.wait()
            # The pushes still due, until the last arrives or nothing has come for `timeout`.
            due = result.posts * result.connected
            while sum(posts.arrivals.values()) < due and time.perf_counter() - max(
                    posts.last_arrival, posts.window_end) < timeout:
                await trio.sleep(0.01)
            ended = max(posts.last_arrival, posts.window_end)
            result.busy = ended - started
            result.client_cpu = time.process_time() - cpu_start
            if server_cpu_start is not None:
                result.server_cpu = process_cpu_seconds(server_pid) - server_cpu_start
            result.database_cpu = database_cpu.spent()
            missing = sum(max(0, result.connected - posts.arrivals[t]) for t in posts.sent_at)
            if missing:
                result.errors["NOT_DELIVERED"] += missing
            if counts is not None:
                result.counts_after = await counts()
            done.set()
    return result


# -- catching up --------------------------------------------------------------------------


@dataclass
class CatchUpResult:
    behind: int  # posts missed
    limit: int  # log rows asked per call
    calls: int = 0
    messages: int = 0  # new messages received
    seconds: float = 0.0  # wall time of the calls
    server_cpu: float | None = None  # the server's CPU seconds over them
    database_cpu: float | None = None  # its PostgreSQL backends' CPU seconds over them
    final: bool = False
    errors: Counter = field(default_factory=Counter)


async def post_many(host: str, port: int, channel: LoadChannel, count: int, *, in_flight: int = 8,
                    timeout: float = 60.0) -> int:
    """The poster posts ``count`` messages (``in_flight`` at a time); the channel's pts
    before the first of them (what a member who missed them holds)."""
    result = ChannelResult(members=channel.members, connected=0, seconds=0.0, rate=0.0)
    posts = _Posts(result)
    first_pts: list[int] = []
    async with await trio.open_tcp_stream(host, port) as stream, trio.open_nursery() as nursery:
        client = LoadClient(stream, channel.poster, lambda _: None)
        nursery.start_soon(client.read_loop)
        await client.login()
        left = iter(range(count))

        async def worker() -> None:
            for _ in left:
                token = next(posts.tokens)
                answer = await client.call(F.messages.SendMessage(
                    peer=channel.input_peer, message=f"{TEXT_PREFIX}{token}", random_id=secrets.randbits(63)),
                    timeout=timeout)
                first_pts.extend(u.pts for u in answer.updates if isinstance(u, T.UpdateNewChannelMessage))

        async with trio.open_nursery() as workers:
            for _ in range(in_flight):
                workers.start_soon(worker)
        nursery.cancel_scope.cancel()
    return min(first_pts) - 1


async def catch_up(host: str, port: int, member: Account, channel: LoadChannel, pts: int, *, behind: int,
                   limit: int = 100, server_pid: int | None = None, timeout: float = 60.0,
                   database: str | None = None) -> CatchUpResult:
    """``member`` connects and calls updates.getChannelDifference from ``pts`` until final."""
    result = CatchUpResult(behind=behind, limit=limit)
    async with await trio.open_tcp_stream(host, port) as stream, trio.open_nursery() as nursery:
        client = LoadClient(stream, member, lambda _: None)
        nursery.start_soon(client.read_loop)
        await client.login()
        server_cpu_start, database_cpu = process_cpu_seconds(server_pid), DatabaseCpu(database)
        database_cpu.start()
        started = time.perf_counter()
        while not result.final:
            try:
                answer = await client.call(F.updates.GetChannelDifference(
                    channel=channel.input_channel, filter=T.ChannelMessagesFilterEmpty(), pts=pts, limit=limit),
                    timeout=timeout)
            except CallFailed as exc:
                result.errors[exc.name] += 1
                break
            result.calls += 1
            if not isinstance(answer, (T.updates.ChannelDifference, T.updates.ChannelDifferenceEmpty)):
                result.errors[type(answer).__name__] += 1  # channelDifferenceTooLong: no catching up
                break
            result.messages += len(getattr(answer, "new_messages", ()))
            result.final, pts = bool(answer.final), answer.pts
        result.seconds = time.perf_counter() - started
        if server_cpu_start is not None:
            result.server_cpu = process_cpu_seconds(server_pid) - server_cpu_start
        result.database_cpu = database_cpu.spent()
        nursery.cancel_scope.cancel()
    return result


# -- what the database spends ------------------------------------------------------------


class DatabaseCpu:
    """CPU seconds of the PostgreSQL backends serving one database since :meth:`start`
    (a server on this machine; Linux /proc: the backends' process titles name the
    database). A pool may replace a connection (asyncpg did after 50,000 queries), so while
    :meth:`watch` runs the backends are read every ``SAMPLE`` seconds and each one's last
    reading counts: of a backend that ends, under ``SAMPLE`` seconds are lost."""

    SAMPLE = 0.5

    def __init__(self, database: str | None):
        self.database = database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _read(self) -> dict[int, float]:
        title = f" {self.database} ".encode()
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    command = f.read()
            except OSError:
                continue
            if command.startswith(b"postgres: ") and title in command:
                cpu = process_cpu_seconds(int(entry.name))
                if cpu is not None:
                    found[int(entry.name)] = cpu
        return found

    def start(self) -> None:
        if self.database:
            self.first = self._read()
            self.last = dict(self.first)

    async def watch(self, stop: trio.Event) -> None:
        while self.database and not stop.is_set():
            with trio.move_on_after(self.SAMPLE):
                await stop.wait()
            self.last.update(self._read())

    def spent(self) -> float | None:
        """Seconds since start (None without a database)."""
        if not self.database:
            return None
        self.last.update(self._read())
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


# -- what a post writes -------------------------------------------------------------------


async def table_counts(storage, *, settle: bool = True) -> dict[str, tuple[int, int | None]]:
    """table: (rows, rows inserted + updated + deleted so far, PostgreSQL only, else
    None) for every table of the storage. ``settle``: on PostgreSQL, wait for the
    backends' statistics first (PG_STATS_SETTLE)."""
    db = storage.db
    if db.dialect == "postgres":
        if settle:
            await trio.sleep(PG_STATS_SETTLE)
        stats = {row[0]: row[1] for row in await db.fetch(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")}
        tables = sorted(stats)
    else:
        stats = {}
        tables = [row[0] for row in await db.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: (await db.fetchval(f'SELECT count(*) FROM "{t}"'), stats.get(t)) for t in tables}


__all__ = ["CatchUpResult", "ChannelResult", "DatabaseCpu", "LoadChannel", "catch_up", "create_channel", "post_many",
           "run_channel", "table_counts"]
