"""Rate limits: so many events per key per window, then FLOOD_WAIT_X.

In-process counters (sliding window of event times). With several server processes
each counts its own share; the limits are brute-force brakes, not quotas. A shared
store (Redis) can replace this class behind the same two methods.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

from ..errors import flood_wait


@dataclass
class RateLimit:
    limit: int
    window: float
    _events: dict[str, deque] = field(default_factory=dict)

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one event; FLOOD_WAIT_X (seconds until one frees up) when over the limit."""
        now = time.monotonic() if now is None else now
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            raise flood_wait(math.ceil(events[0] + self.window - now))
        events.append(now)
        if len(self._events) > 100_000:
            self._forget_idle(now)

    def check(self, key: str, now: float | None = None) -> None:
        """FLOOD_WAIT_X if the key is over its limit, without counting an event."""
        now = time.monotonic() if now is None else now
        events = self._events.get(key)
        while events and events[0] <= now - self.window:
            events.popleft()
        if events and len(events) >= self.limit:
            raise flood_wait(math.ceil(events[0] + self.window - now))

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, e in self._events.items() if not e or e[-1] <= now - self.window]:
            del self._events[key]


@dataclass
class AccountLimits:
    """The brakes on logging in (numbers close to what Telegram tolerates)."""

    send_code: RateLimit = field(default_factory=lambda: RateLimit(5, 3600))  # per phone number
    send_code_per_key: RateLimit = field(default_factory=lambda: RateLimit(20, 3600))  # per auth key
    # Codes may go out through a paid SMS gateway (the webhook sender): per client address
    # and for the whole process, so that many keys and numbers from one place cannot pump it.
    send_code_per_address: RateLimit = field(default_factory=lambda: RateLimit(20, 3600))
    send_code_total: RateLimit = field(default_factory=lambda: RateLimit(1000, 3600))
    sign_in: RateLimit = field(default_factory=lambda: RateLimit(10, 300))  # code guesses per phone
    # Wrong 2FA passwords: per account and device, per account and address, and per
    # account for devices not yet logged in. A device already logged in is only held back
    # by its own failures, so strangers guessing cannot lock the owner out.
    password_per_key: RateLimit = field(default_factory=lambda: RateLimit(5, 300))
    password_per_address: RateLimit = field(default_factory=lambda: RateLimit(5, 300))
    password_new_devices: RateLimit = field(default_factory=lambda: RateLimit(20, 3600))

    @classmethod
    def from_config(cls, config) -> "AccountLimits":
        return cls(send_code_per_address=RateLimit(config.send_code_per_address_per_hour, 3600),
                   send_code_total=RateLimit(config.send_code_per_hour, 3600))
    # QR login: apps re-export every 30 s and after updateLoginToken; per auth key.
    login_token: RateLimit = field(default_factory=lambda: RateLimit(20, 60))
    accept_login_token: RateLimit = field(default_factory=lambda: RateLimit(10, 60))  # per accepting user
    # Email codes: mails per address (so nobody's inbox is flooded) and per auth key,
    # and guesses per code (5 wrong void it anyway).
    send_email: RateLimit = field(default_factory=lambda: RateLimit(5, 3600))
    send_email_per_key: RateLimit = field(default_factory=lambda: RateLimit(20, 3600))
    email_code: RateLimit = field(default_factory=lambda: RateLimit(10, 300))
