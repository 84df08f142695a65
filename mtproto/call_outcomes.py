"""Which calls are still running and how the finished ones ended: what invokeAfterMsg(s)
asks about (https://core.telegram.org/method/invokeAfterMsg: run the query after the
named one completed successfully; MSG_WAIT_FAILED when it failed).

One `CallOutcomes` belongs to each `EncryptedSession` (mtproto/session.py), that is to
one connection's view of an auth key: a call still running on an earlier connection
is not waited for, and nothing here outlives the connection (unlike SessionState's
`running`, which answers msgs_state_req and rpc_drop_answer across reconnects). The
session marks a call started when it hands it out as an `Rpc`, and finished when it
makes the call's answer: `result()` a success, `error()` a failure.

Only failures are remembered of the finished calls: a success and an id never seen
answer the same (nothing to wait for, not failed), and most calls succeed, so an idle
connection that made thousands of calls holds nothing for them. Both collections are
made when first needed and dropped when empty.

No waiting here: the caller that waits (server/request_runner.py) is woken whenever a
call of its connection finishes and asks `pending` again.
"""

from __future__ import annotations

from collections.abc import Iterable

# Finished calls remembered for a later invokeAfterMsg; older ones count as unknown
# (and are not waited for).
REMEMBERED_OUTCOMES = 4096


class CallOutcomes:
    __slots__ = ("_remembered", "_running", "_failed")

    def __init__(self, remembered: int = REMEMBERED_OUTCOMES):
        self._remembered = remembered
        self._running: set[int] | None = None
        self._failed: dict[int, None] | None = None  # msg_ids of failed calls, oldest first

    def started(self, msg_id: int) -> None:
        if self._running is None:
            self._running = set()
        self._running.add(msg_id)

    def finished(self, msg_id: int, ok: bool) -> None:
        if self._running is not None:
            self._running.discard(msg_id)
            if not self._running:
                self._running = None
        if ok:
            if self._failed is not None:
                self._failed.pop(msg_id, None)  # (a msg_id answered again: the newer outcome counts)
            return
        if self._failed is None:
            self._failed = {}
        self._failed[msg_id] = None
        if len(self._failed) > self._remembered:
            del self._failed[next(iter(self._failed))]

    def pending(self, msg_ids: Iterable[int]) -> bool:
        """Whether any of these calls is still running (unknown ids are not)."""
        return self._running is not None and any(msg_id in self._running for msg_id in msg_ids)

    def failed(self, msg_ids: Iterable[int]) -> bool:
        """Whether any of these calls finished with an error (of the last `remembered` failures)."""
        return self._failed is not None and any(msg_id in self._failed for msg_id in msg_ids)


__all__ = ["CallOutcomes", "REMEMBERED_OUTCOMES"]
