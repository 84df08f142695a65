"""Two server processes on one PostgreSQL + Redis under load: nothing lost, nothing
duplicated (performance issue 13's "no correctness regression").

40 users (accounts written into storage as the load generator does, no sign-ups), each
connected to one of the two processes in turn, every fifth with a second device on the
other one. Every user sends 25 messages (8 in flight each, a few hundred in flight
together) to users on both processes, to themselves (their other device gets it), and,
for six of them, to a basic group with members on both processes. Then every device
must have been pushed every message addressed to it exactly once and have learned every
pts of its user's box once, without holes, each push in pts order and following the pts
the device had (no gap a client would wait out: the receiving stream orders what the
two processes publish, rpc/updates/pts_order.py); updates.getState and
messages.getHistory must agree, no call may fail and neither process may log an error.

A connection subscribes to its user's pushes just after its first call is answered
(server/connection.py), so a message sent to it in between is not pushed: a client
learns of it from the next push's pts or from updates.getDifference. The warm-up (one
message to every user, getDifference for a device that waited WARM_UP_TIMEOUT for it in
vain) shows each device subscribed before the load; from then on a push lost is a bug.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from collections import Counter, defaultdict
from types import SimpleNamespace

import trio
from prometheus_client.parser import text_string_to_metric_families

from tl import functions as F, types as T
from tools.loadgen.accounts import add_device, create_accounts
from tools.loadgen.client import CallFailed
from tools.loadgen.delivery import Countdown, logged_in

from .update_ledger import DeviceLedger, Progress

USERS = 40
MESSAGES_EACH = 25
IN_FLIGHT_PER_SENDER = 8
TWO_DEVICES = set(range(0, USERS, 5))  # the second device is on the other process
GROUP = range(6)  # a basic group of 0..5: on both processes, 0 and 5 with two devices
PEERS = (1, 2, 5)  # user i writes to i+1 and i+5 (the other process) and i+2 (the same)
HERALD = USERS  # one more account: the warm-up's sender
WARM_UP_TIMEOUT = 10.0
PUSH_TIMEOUT = 20.0  # seconds after the last answer for the last push


class Device(SimpleNamespace):
    """One connection: user (index), server, account, ledger, client."""


def test_every_message_arrives_once_on_every_device_across_processes(two_servers):
    first, second = two_servers
    log_starts = [len(p.log()) for p in (first, second)]
    gaps_before = _push_gaps(first, second)
    report = trio.run(_scenario, first, second)
    gaps = _push_gaps(first, second) - gaps_before
    print(f"{report}; gaps the receiving streams held rows for, by how they closed: {dict(gaps) or 'none'}")
    for server, start in zip((first, second), log_starts):
        assert _error_lines(server.log()[start:]) == [], server.log_path


async def _scenario(first, second) -> str:
    with trio.fail_after(150):  # a hang is a failure, not a stuck run
        return await _Run(first, second).run()


class _Run:
    def __init__(self, first, second):
        self.servers = (first, second)
        self.progress = Progress()
        self.errors: list[str] = []  # failed calls
        self.history: dict[tuple[int, tuple], set[str]] = defaultdict(set)  # (user, peer) -> texts
        self.timings: dict[str, float] = {}

    async def run(self) -> str:
        await self.make_accounts()
        status = SimpleNamespace(errors=Counter())  # logged_in counts connection and login failures here
        ready, self.finished = Countdown(len(self.everyone)), trio.Event()
        slots = trio.Semaphore(50)
        async with trio.open_nursery() as nursery:
            for device in self.everyone:
                nursery.start_soon(self.connected, device, slots, ready, status)
            await ready.finished.wait()
            assert not status.errors, status.errors
            await self.until(lambda: all(d.client is not None for d in self.everyone))
            warm_up_fills = await self.warm_up()
            started = time.monotonic()
            await self.load()
            self.timings["sent"] = time.monotonic() - started
            with trio.move_on_after(PUSH_TIMEOUT):  # done as soon as the last push is here
                await self.until_each(lambda ledger: not ledger.missing() and not ledger.holes())
            self.timings["delivered"] = time.monotonic() - started
            await self.check_devices()
            await self.check_histories()
            assert self.errors == [], self.errors[:10]
            self.finished.set()
        assert not status.errors, status.errors  # no connection was lost on the way
        pushes = sum(sum(d.ledger.pushed.values()) for d in self.everyone)
        return (f"{len(self.everyone)} devices, {self.sent} messages sent in {self.timings['sent']:.1f} s, {pushes} "
                f"pushes, the last {self.timings['delivered']:.1f} s after the first send; warm-up filled by "
                f"getDifference: {warm_up_fills or 'none'}; this process's CPU {time.process_time():.1f} s")

    async def make_accounts(self) -> None:
        from storage import open_storage

        first, second = self.servers
        storage = await open_storage(first.database, str(first.data_dir))
        try:
            self.accounts = await create_accounts(storage, USERS + 1)  # and the herald
            seconds = {i: await add_device(storage, self.accounts[i]) for i in sorted(TWO_DEVICES)}
        finally:
            await storage.close()
        self.devices: dict[int, list[Device]] = {}
        for i, account in enumerate(self.accounts):
            self.devices[i] = [self.device(i, 0, account, self.servers[i % 2])]
            if i in seconds:
                self.devices[i].append(self.device(i, 1, seconds[i], self.servers[(i + 1) % 2]))
        self.everyone = [d for ds in self.devices.values() for d in ds]

    def device(self, user: int, number: int, account, server) -> Device:
        return Device(user=user, server=server, account=account, client=None,
                      ledger=DeviceLedger(f"user {user} device {number}", self.progress))

    async def connected(self, device: Device, slots, ready, status) -> None:
        async with logged_in(device.server.host, device.server.port, device.account, device.ledger.on_update, slots,
                             ready, status) as client:
            if client is not None:
                state = await client.call(F.updates.GetState())
                device.client = client
                device.ledger.start(state)
                await self.finished.wait()

    async def until(self, condition) -> None:
        while not condition():
            await self.progress.wait()

    async def until_each(self, done) -> None:
        """Until ``done(ledger)`` holds for every device, looking at one at a time (the
        condition is a loop over the ledger; over all of them at each push it is not cheap)."""
        for d in self.everyone:
            await self.until(lambda: done(d.ledger))

    async def call(self, device: Device, request):
        try:
            return await device.client.call(request, timeout=60)
        except CallFailed as exc:
            self.errors.append(f"{device.ledger.name}: {type(request).__name__} {exc}")
            return None

    # -- the scenario ------------------------------------------------------------------

    async def warm_up(self) -> list[str]:
        """The herald's message reaches every device (pushed, or else through
        getDifference); then every ledger starts afresh. The devices it had to be fetched for."""
        herald = self.devices[HERALD][0]
        async with trio.open_nursery() as nursery:
            for i in range(USERS):
                nursery.start_soon(self.send, herald, ("user", i), f"hello {i}")
        with trio.move_on_after(WARM_UP_TIMEOUT):
            await self.until_each(lambda ledger: not ledger.missing())
        fetched = [d for d in self.everyone if d.ledger.missing()]
        for d in fetched:
            await d.ledger.fill(d.client)
            assert not d.ledger.missing(), d.ledger.name
        for d in self.everyone:
            assert not d.ledger.duplicates() and not d.ledger.problems, (d.ledger.name, d.ledger.duplicates())
            d.ledger.start(await self.call(d, F.updates.GetState()))
        return [d.ledger.name for d in fetched]

    async def load(self) -> None:
        """The group, then every user's messages, all senders at once."""
        creator = self.devices[GROUP[0]][0]
        created = await self.call(creator, F.messages.CreateChat(
            users=[T.InputUser(user_id=self.accounts[m].user_id, access_hash=self.accounts[m].access_hash)
                   for m in GROUP[1:]], title="load"))
        assert created is not None, self.errors
        creator.ledger.on_result(created.updates)
        self.chat_id = created.updates.chats[0].id
        for m in GROUP:
            for d in self.devices[m]:
                if d is not creator:
                    d.ledger.expected.add("service MessageActionChatCreate")

        plans = {}
        for i in range(USERS):
            targets = [("user", (i + p) % USERS) for p in PEERS]
            if i in TWO_DEVICES:
                targets.append(("user", i))
            if i in GROUP:
                targets.append(("chat", self.chat_id))
            plans[i] = [(self.devices[i][n % len(self.devices[i])], targets[n % len(targets)], f"load {i} {n}")
                        for n in range(MESSAGES_EACH)]
        self.sent = sum(map(len, plans.values()))

        async def sends(plan) -> None:
            slots = trio.Semaphore(IN_FLIGHT_PER_SENDER)
            async with trio.open_nursery() as in_flight:
                for sender, target, text in plan:
                    await slots.acquire()
                    in_flight.start_soon(self.send, sender, target, text, slots)

        async with trio.open_nursery() as senders:
            for plan in plans.values():
                senders.start_soon(sends, plan)

    async def send(self, sender: Device, target: tuple, text: str, slots: trio.Semaphore | None = None) -> None:
        """One message; first the devices that should be pushed it expect it (the
        recipients' and the sender's other ones) and the histories that should hold it."""
        try:
            kind, to = target
            members = GROUP if kind == "chat" else {sender.user, to}
            for m in members:
                for d in self.devices[m]:
                    if d is not sender:
                        d.ledger.expected.add(text)
                self.history[m, target if kind == "chat" or m != to else ("user", sender.user)].add(text)
            result = await self.call(sender, F.messages.SendMessage(peer=self.input_peer(sender.user, target),
                                                                    message=text, random_id=secrets.randbits(63)))
            if result is not None:
                sender.ledger.on_result(result)
        finally:
            if slots is not None:
                slots.release()

    def input_peer(self, user: int, target: tuple):
        kind, to = target
        if kind == "chat":
            return T.InputPeerChat(chat_id=to)
        if to == user:
            return T.InputPeerSelf()
        return T.InputPeerUser(user_id=self.accounts[to].user_id, access_hash=self.accounts[to].access_hash)

    # -- the checks --------------------------------------------------------------------

    async def check_devices(self) -> None:
        """Every push once, no pts twice or skipped, and the server's pts the last one learned."""
        for d in self.everyone:
            ledger = d.ledger
            assert not ledger.missing(), (ledger.name, "never pushed", sorted(ledger.missing())[:10])
            assert not ledger.holes(), (ledger.name, "pts never learned", ledger.holes()[:10])
            assert not ledger.duplicates(), (ledger.name, ledger.duplicates()[:10])
            assert not ledger.problems, (ledger.name, ledger.problems)
            assert not ledger.late, (ledger.name, "pushed after a higher pts (seconds after it)", ledger.late[:10])
            assert not ledger.unfilled_gaps(), (ledger.name, "pushed ahead of the pts the device had",
                                                ledger.unfilled_gaps()[:10])
            stray = set(ledger.pushed) - ledger.expected
            assert not stray, (ledger.name, "pushed but not addressed to it", sorted(stray)[:10])
            state = await self.call(d, F.updates.GetState())
            assert state.pts == ledger.last_pts(), (ledger.name, state, ledger.last_pts())

    async def check_histories(self) -> None:
        """Each side's history holds exactly the messages between them, once each."""
        async def holds(user: int, target: tuple, texts: set[str]) -> None:
            found = await self.call(self.devices[user][0], F.messages.GetHistory(
                peer=self.input_peer(user, target), offset_id=0, offset_date=0, add_offset=0, limit=100, max_id=0,
                min_id=0, hash=0))
            got = Counter(m.message for m in found.messages if isinstance(m, T.Message))
            assert len(found.messages) < 100 and got == Counter(texts), (user, target, got, texts)

        async with trio.open_nursery() as checks:
            for (user, target), texts in self.history.items():
                if user != HERALD:
                    checks.start_soon(holds, user, target, texts)


def _error_lines(log: str) -> list[str]:
    """Lines of a JSON log at level error or worse, and whatever is not JSON (a traceback)."""
    bad = []
    for line in log.splitlines():
        try:
            level = json.loads(line).get("level")
        except ValueError:
            bad.append(line)
            continue
        if level in ("error", "critical", "exception"):
            bad.append(line)
    return bad


def _push_gaps(*servers) -> Counter:
    """mtserver_push_gaps_total of both processes, by how the gaps closed (the order the
    receiving streams restored, rpc/updates/pts_order.py)."""
    found: Counter = Counter()
    for server in servers:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/metrics", timeout=10) as response:
            text = response.read().decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "mtserver_push_gaps_total":
                    found[sample.labels["closed"]] += int(sample.value)
    return found
