"""What one client device was told about its user's common update box (private chats and
basic groups), for a delivery test to judge: every message key pushed to it (a message's
text, or "service <action>" for a service message), and every pts range it learned,
pushed or from the result of its own call.

A device that holds every key it expects, learned no pts twice and no pts range with a
hole in it has received its updates exactly once; `fill` is what a client does about a
hole or a missing key: updates.getDifference from the last pts it has without one.
`start` counts afresh from a new updates.getState.

Pushes must come in pts order, each following the pts the device had (pushed, or from
its own call's result): two changes to one box, committed in order, can be published
in the other order (the processes publish independently), and the receiving stream
puts them back in order (rpc/updates/pts_order.py). `late` lists each push of a pts
below one pushed before (with how long after it), `gaps` each push that did not follow
the pts the device had then: a client would wait for the missing pts, then call
updates.getDifference.
"""

from __future__ import annotations

import time
from collections import Counter

import trio

from tl import functions as F, types as T


class Progress:
    """Wakes whoever waits for a condition on the ledgers, each time one changes."""

    def __init__(self):
        self._changed = trio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    async def wait(self) -> None:
        await self._changed.wait()


def message_key(message) -> str | None:
    if isinstance(message, T.Message):
        return message.message
    if isinstance(message, T.MessageService):
        return f"service {type(message.action).__name__}"
    return None


def _pts_updates(updates) -> list:
    """The updates in a TypeUpdates that move the common box's pts."""
    if isinstance(updates, (T.UpdateShortMessage, T.UpdateShortChatMessage, T.UpdateShortSentMessage)):
        return [updates]
    inner = [updates.update] if isinstance(updates, T.UpdateShort) else getattr(updates, "updates", ())
    return [u for u in inner if getattr(u, "pts_count", None) is not None]


class DeviceLedger:
    def __init__(self, name: str, progress: Progress):
        self.name = name
        self.progress = progress
        self.start(None)

    def start(self, state) -> None:
        """Count from updates.getState's ``state`` (None: not known yet) afresh."""
        self.start_pts, self.start_date = (state.pts, state.date) if state is not None else (None, 0)
        self.expected: set[str] = set()
        self.pushed: Counter = Counter()  # message key -> times pushed
        self.pts_ranges: list[tuple[int, int]] = []  # (pts, pts_count), pushed or from own calls
        self.filled: set[str] = set()  # keys getDifference returned
        self.problems: list[str] = []  # updatesTooLong pushes
        self.arrivals: list[tuple[int, float]] = []  # (pts, when) of each push
        self.late: list[float] = []  # for each push of a pts below one pushed before: seconds since that one
        self.gaps: list[tuple[int, int, int]] = []  # (pts, pts_count, the pts the device had) of pushes ahead of it
        self.own: set[int] = set()  # pts learned from the device's own calls' results
        self.known = self.start_pts  # the highest pts learned so far, pushed or from a result
        self.progress.notify()

    # -- what arrives ---------------------------------------------------------------

    def on_update(self, updates) -> None:
        """A push (LoadClient's on_update)."""
        if isinstance(updates, T.UpdatesTooLong):
            self.problems.append("updatesTooLong")
        now = time.monotonic()
        for u in _pts_updates(updates):
            overtaken = [when for pts, when in self.arrivals if pts > u.pts]
            if overtaken:
                self.late.append(now - min(overtaken))
            self.arrivals.append((u.pts, now))
            self.pts_ranges.append((u.pts, u.pts_count))
            if self.known is not None and u.pts - u.pts_count > self.known:
                self.gaps.append((u.pts, u.pts_count, self.known))
            self._learned(u.pts)
            key = u.message if isinstance(u, (T.UpdateShortMessage, T.UpdateShortChatMessage)) else \
                message_key(getattr(u, "message", None))
            if key is not None:
                self.pushed[key] += 1
        self.progress.notify()

    def on_result(self, updates) -> None:
        """The result of this device's own call that changed the box (sendMessage, createChat)."""
        for u in _pts_updates(updates):
            self.pts_ranges.append((u.pts, u.pts_count))
            self.own.update(range(u.pts - u.pts_count + 1, u.pts + 1))
            self._learned(u.pts)
        self.progress.notify()

    def _learned(self, pts: int) -> None:
        if self.known is not None:
            self.known = max(self.known, pts)

    # -- judging ---------------------------------------------------------------------

    def missing(self) -> set[str]:
        return self.expected - self.pushed.keys() - self.filled

    def covered(self) -> Counter:
        """pts -> times learned, for every pts after start_pts."""
        seen: Counter = Counter()
        for pts, count in self.pts_ranges:
            seen.update(range(pts - count + 1, pts + 1))
        return seen

    def last_pts(self) -> int:
        return max(self.covered(), default=self.start_pts)

    def holes(self) -> list[int]:
        seen = self.covered()
        return [p for p in range(self.start_pts + 1, self.last_pts() + 1) if p not in seen]

    def unfilled_gaps(self) -> list[tuple[int, int, int]]:
        """The pushes ahead of the device's pts whose missing rows were not all its own
        calls' rows: a client holds a push ahead of it for a while (its own answer, in
        flight as the push overtook it, fills the gap), so only the others are faults."""
        return [(pts, count, had) for pts, count, had in self.gaps
                if not all(p in self.own for p in range(had + 1, pts - count + 1))]

    def duplicates(self) -> list[str]:
        keys = [f"pushed twice: {k!r}" for k, n in self.pushed.items() if n > 1]
        return keys + [f"pts {p} learned {n} times" for p, n in sorted(self.covered().items()) if n > 1]

    async def fill(self, client) -> int:
        """updates.getDifference from the last pts before the first hole (or the last pts
        learned when only keys are missing), as a client does; the pts it ends at."""
        holes = self.holes()
        pts = holes[0] - 1 if holes else self.last_pts()
        while True:
            diff = await client.call(F.updates.GetDifference(pts=pts, date=self.start_date, qts=0))
            if isinstance(diff, T.updates.DifferenceEmpty):
                return pts
            if isinstance(diff, T.updates.DifferenceTooLong):
                raise AssertionError(f"{self.name}: differenceTooLong from pts {pts}")
            self.filled.update(k for k in map(message_key, diff.new_messages) if k is not None)
            if isinstance(diff, T.updates.Difference):
                return diff.state.pts
            pts = diff.intermediate_state.pts


__all__ = ["DeviceLedger", "Progress", "message_key"]
