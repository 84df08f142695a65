"""Who may call the admin API: a bearer token from `mtserver admin token create`.

Every call carries ``Authorization: Bearer <token>``. No header, a malformed one or an
unknown token is 401 (with ``WWW-Authenticate: Bearer``); a revoked token is 403. The
token is looked up by its SHA-256 (storage/admin_tokens.py), so the database never
holds it.

Guessing is bounded per client address: after ``MAX_FAILURES`` failed attempts within
``FAILURE_WINDOW`` seconds, that address gets 429 (with ``Retry-After``) for every
call, right or wrong, until the window has moved on. Behind a proxy all clients share
the proxy's address: the limit then protects the whole API, which is the point.
Tokens never appear in log lines; failures are logged with the address only.
"""

from __future__ import annotations

import math
import time
from collections import deque

import msgspec
import structlog

from storage.admin_tokens import AdminTokenRecord

log = structlog.get_logger("mtserver.admin_auth")

MAX_FAILURES = 10
FAILURE_WINDOW = 60.0
MAX_TOKEN_CHARS = 200
_MAX_ADDRESSES = 10_000  # addresses remembered at once (the oldest are forgotten)


class Denied(Exception):
    def __init__(self, status: int, error: str, retry_after: int | None = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.retry_after = retry_after


class FailedAttempts:
    """Failed authentications per address within a sliding window."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW):
        self.limit = limit
        self.window = window
        self._by_address: dict[str, deque] = {}

    def retry_after(self, address: str, now: float) -> int | None:
        """Seconds until the address may try again, or None if it may now."""
        events = self._by_address.get(address)
        if not events:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            return None
        return max(1, math.ceil(events[0] + self.window - now))

    def fail(self, address: str, now: float) -> None:
        events = self._by_address.pop(address, None) or deque()
        events.append(now)
        while len(events) > self.limit:
            events.popleft()
        self._by_address[address] = events  # re-inserted: the dict is oldest-first
        while len(self._by_address) > _MAX_ADDRESSES:
            del self._by_address[next(iter(self._by_address))]


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token of the one Authorization header, if it is a well-formed bearer token."""
    values = [value for name, value in headers if name == b"authorization"]
    if len(values) != 1:
        return None
    scheme, _, token = values[0].decode("latin-1").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    return token


class AdminAuth:
    def __init__(self, failures: FailedAttempts | None = None):
        self.failures = failures or FailedAttempts()

    async def check(self, storage, headers: list[tuple[bytes, bytes]], address: str) -> AdminTokenRecord:
        """The caller's token record, or Denied (401, 403 or 429)."""
        now = time.monotonic()
        wait = self.failures.retry_after(address, now)
        if wait is not None:
            raise Denied(429, "too many failed attempts: try again later", retry_after=wait)
        token = bearer_token(headers)
        record = await storage.admin_tokens.by_token(token) if token else None
        if record is None or record.revoked_at is not None:
            self.failures.fail(address, now)
            log.warning("admin_auth_failed", address=address,
                        reason="revoked" if record is not None else ("unknown" if token else "missing"))
            if record is None:
                raise Denied(401, "a valid admin token is required: Authorization: Bearer <token>")
            raise Denied(403, "this admin token was revoked")
        await storage.admin_tokens.touch(record, int(time.time()))
        return record


def token_view(record: AdminTokenRecord) -> dict:
    view = msgspec.structs.asdict(record)
    del view["token_hash"]
    return view
