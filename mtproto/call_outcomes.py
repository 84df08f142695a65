"""Which calls are still running and how the finished ones ended: what invokeAfterMsg(s)
asks about (https://core.telegram.org/method/invokeAfterMsg: run the query after the
named one completed successfully; MSG_WAIT_FAILED when it failed).

One `CallOutcomes` belongs to each `EncryptedSession` (mtproto/session.py), that is to
one connection's view of an auth key: a call still running on an earlier connection
is not waited for, and nothing here outlives the connection (unlike SessionState's
`running`, which answers msgs_state_req and rpc_drop_answer across reconnects). The
session marks a call started when it hands it out as an `Rpc`, and finished when it
makes the call's answer: `result()` a success, `error()` a failure.

No waiting here: the caller that waits (server/request_runner.py) is woken whenever a
call of its connection finishes and asks `pending` again.
"""

from __future__ import annotations

from collections.abc import Iterable

# Finished calls remembered for a later invokeAfterMsg; older ones count as unknown
# (and are not waited for).
REMEMBERED_OUTCOMES = 4096


class CallOutcomes:
    def __init__(self, remembered: int = REMEMBERED_OUTCOMES):
        self._remembered = remembered
        self._running: set[int] = set()
        self._finished: dict[int, bool] = {}  # msg_id → succeeded, oldest first

    def started(self, msg_id: int) -> None:
        self._running.add(msg_id)

    def finished(self, msg_id: int, ok: bool) -> None:
        self._running.discard(msg_id)
        self._finished[msg_id] = ok
        if len(self._finished) > self._remembered:
            del self._finished[next(iter(self._finished))]

    def pending(self, msg_ids: Iterable[int]) -> bool:
        """Whether any of these calls is still running (unknown ids are not)."""
        return any(msg_id in self._running for msg_id in msg_ids)

    def failed(self, msg_ids: Iterable[int]) -> bool:
        """Whether any of these calls finished with an error."""
        return any(self._finished.get(msg_id) is False for msg_id in msg_ids)


__all__ = ["CallOutcomes", "REMEMBERED_OUTCOMES"]
