"""A user stream's pushes of its common message box in pts order, with no gap the
server could have filled: the bookkeeping, without I/O (rpc/updates/stream.py reads
and renders; the time is an argument).

Telegram clients apply an update with pts and pts_count only if pts - pts_count is the
pts they have; one that is ahead makes them wait and then call updates.getDifference,
one already covered is dropped (core.telegram.org/api/updates, "Update handling").
Two changes to one box are committed in pts order (the box's lock, storage/update_log.py)
but may be published in the other: by two processes on the bus, or by two tasks of one
process. So the receiving side orders them itself:

- it keeps the last pts the session was given: pushed, or its own change, which its
  answer carried (the origin rule, rpc/updates/publish.py);
- an entry that follows it is pushed, with whatever it had held back behind it;
- an entry already covered is dropped (a late copy of what the log filled in);
- an entry that is ahead is held, HOLD_SECONDS at most from the moment a gap opened,
  MAX_HELD entries at most; then (or sooner when full) the stream reads the missing
  rows from the update log, which has every row of the gap already (a later row's
  commit waited for the earlier one's), and the gap is filled from them in order.
  A row filled from the log has no origin, so the session's own changes are told to
  the order as their answers leave (`own`, in the acting request's task, before its
  event is published): a fill passes over them as it does over their late events.
- When the rows read (FILL_ROWS at most) do not close the gap (pruned, or a gap that
  large), the session is told updatesTooLong and the order starts again from the
  highest pts held: the client catches up with updates.getDifference, as Telegram's do.

After the subscription lost payloads (it overflowed, or the Redis bus reconnected) the
session is told updatesTooLong anyway; the order then starts again from the next entry
(`restart`).
"""

from __future__ import annotations

import typing

HOLD_SECONDS = 0.3  # the bus reorders by milliseconds; under load by up to a second
MAX_HELD = 64  # entries held per stream, each a log row and its message
FILL_ROWS = 100  # rows read per fill (updates.getDifference's slice)


class Entry(typing.NamedTuple):
    """One row of the box, as the stream will push it: `logged` is what it renders
    from, (row, the messages it shows by id, or None: read them), or None: nothing to
    push, the receiving session caused the change."""

    pts: int
    pts_count: int
    logged: object | None


class PtsOrder:
    # One per logged-in connection: no per-instance dict, and nothing more while in order.
    __slots__ = ("pts", "due", "_held", "_known", "_own")

    def __init__(self, pts: int | None):
        self.pts = pts  # the last pts the session was given; None: take the next entry's
        self.due: float | None = None  # while a gap is open: when to fill it from the log
        self._held: dict[int, Entry] | None = None  # by the pts they follow
        self._known = pts  # the highest pts known to be logged (held, or seen in the box's state)
        self._own: set[int] | None = None  # pts of the session's own rows not yet passed (MAX_HELD at most)

    def covers(self, pts: int) -> bool:
        """The session has this pts already (pushed, filled in, or its own)."""
        return self.pts is not None and pts <= self.pts

    def place(self, entry: Entry, now: float) -> list[Entry]:
        """What to push now that `entry` is here: itself and the entries held behind it,
        in order; nothing when it is covered, or held until the gap before it closes."""
        if self.pts is None:
            self.pts = self._known = entry.pts - entry.pts_count
        if entry.pts <= self.pts:
            return []
        if entry.pts - entry.pts_count <= self.pts:
            self.pts = entry.pts
            return [entry, *self._release()]
        if self._held is None:
            self._held = {}
        self._held[entry.pts - entry.pts_count] = entry
        self._known = max(self._known, entry.pts)
        if self.due is None:
            self.due = now + HOLD_SECONDS
        if len(self._held) >= MAX_HELD:
            self.due = now
        return []

    def own(self, pts: int) -> None:
        """The session's own change made row `pts`: its answer carries it, so a fill must
        not push it (its event, with the origin, may come after the gap is due)."""
        if self.pts is not None and pts <= self.pts:
            return
        if self._own is None:
            self._own = set()
        self._own.add(pts)
        if len(self._own) > MAX_HELD:
            self._own = {own for own in self._own if own > self.pts}
            while len(self._own) > MAX_HELD:
                self._own.discard(min(self._own))

    def saw(self, pts: int, now: float) -> None:
        """The box's state says it is logged up to `pts` (read when the stream opened):
        rows after the session's pts that no event brings are filled in too."""
        if self.pts is not None and pts > max(self.pts, self._known):
            self._known = pts
            if self.due is None:
                self.due = now + HOLD_SECONDS

    def gap_after(self) -> int | None:
        """The pts to read the log after when the gap is filled; None when there is none."""
        return self.pts if self.due is not None else None

    def fill(self, rows: typing.Iterable) -> tuple[list[Entry], bool]:
        """Close the gap with the log's rows after `gap_after()` (ascending, with pts and
        pts_count): the entries to push in order, each held one in its place and the
        others from the row itself; and whether the gap could not be
        closed, in which case the order went on past it (the session must catch up)."""
        out: list[Entry] = []
        skipped = False  # rows missing from the log (pruned)
        for row in rows:
            if self.pts >= self._known and not self._held:
                break
            if row.pts <= self.pts:
                continue
            skipped = skipped or row.pts - row.pts_count > self.pts
            held = self._held.pop(row.pts - row.pts_count, None) if self._held else None
            own = self._own is not None and row.pts in self._own
            out.append(held if held is not None and held.pts == row.pts
                       else Entry(row.pts, row.pts_count, None if own else (row, None)))
            self.pts = row.pts
            out += self._release()
        lost = skipped or bool(self._held) or self.pts < self._known
        if lost:
            self.pts = self._known
        self._held = None
        self.due = None
        if self._own is not None:
            self._own = {pts for pts in self._own if pts > self.pts} or None
        return out, lost

    def restart(self) -> None:
        """Payloads were lost and the session told to catch up: start again from the next entry."""
        self.pts = self._known = None
        self._held = None
        self._own = None
        self.due = None

    def _release(self) -> list[Entry]:
        """The held entries that follow the session's pts now, in order (one that
        overlaps it, which a consistent log never makes, counts as following)."""
        out = []
        while self._held:
            start = min(self._held)  # MAX_HELD at most
            if start > self.pts:
                break
            entry = self._held.pop(start)
            if entry.pts > self.pts:
                out.append(entry)
                self.pts = entry.pts
        if not self._held:
            self._held = None
            if self.pts >= self._known:
                self.due = None
        return out
