"""What slow or large peers may make the server hold: bytes of incomplete frames (and
HTTP request bodies), against one server-wide budget, and how long such a frame may
take to arrive.

Every connection keeps a `BufferShare`; after each read it reports how much it holds.
The share that grows the total past config.buffer_budget_mb is refused (the caller
closes that connection with -429 / HTTP 429); shrinking is always fine. A frame must be
complete within config.frame_timeout of its first byte, plus a second per
FRAME_MIN_BYTES_PER_SECOND of it, so a peer trickling bytes cannot keep its buffer
(or its slot) for ever.
"""

from __future__ import annotations

FRAME_MIN_BYTES_PER_SECOND = 4096


class BufferShare:
    __slots__ = ("state", "held")  # one per connection, idle ones included

    def __init__(self, state):
        self.state = state
        self.held = 0

    def update(self, held: int) -> bool:
        """Now holding `held` bytes; False when that grew the total past the budget."""
        grew = held > self.held
        self.state.buffered += held - self.held
        self.held = held
        return not grew or self.state.buffered <= self.state.config.buffer_budget_mb * 1024 * 1024

    def release(self) -> None:
        self.update(0)


def frame_deadline(config, started: float, buffered: int) -> float:
    """When a frame begun at `started`, `buffered` bytes so far, must be complete."""
    return started + config.frame_timeout + buffered / FRAME_MIN_BYTES_PER_SECOND
