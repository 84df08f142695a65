"""Health checks of a running server: can it reach what it depends on?

Three checks, each a short round trip: the database (a trivial statement), Redis when
it is configured (a PING, and the bus's pub/sub connection is up) and the object store
(a stat of a probe key in the bucket; for a local directory, that it is writable).

A check that hangs must not hang /healthz, nor pile up: each check runs in a task of
the ops listener's nursery, at most one at a time per check. A caller waits for the
running one at most ``CHECK_TIMEOUT`` seconds and reports it as failed past that; the
next caller joins the same task until it ends (a PostgreSQL statement is shielded from
cancellation, and worker threads cannot be interrupted, so waiting is all that can be
bounded).

Reasons are short and never carry a password (URLs are redacted).
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

CHECK_TIMEOUT = 2.0
_REASON_CHARS = 200
_CREDENTIALS = re.compile(r"(://[^:/@\s]*):[^@/\s]*@")


class SingleFlight:
    """One run of ``check`` at a time, shared by whoever asks meanwhile."""

    def __init__(self, check: Callable[[], Awaitable[object]]):
        self._check = check
        self._done: trio.Event | None = None
        self._outcome: tuple[bool, object] = (False, None)

    async def run(self, nursery: trio.Nursery, timeout: float) -> tuple[bool, object]:
        """(True, value) or (False, reason)."""
        if self._done is None:
            self._done = trio.Event()
            nursery.start_soon(self._run, self._done)
        done = self._done
        with trio.move_on_after(timeout):
            await done.wait()
            return self._outcome
        return False, f"no answer within {timeout:g} s"

    async def _run(self, done: trio.Event) -> None:
        try:
            outcome = (True, await self._check())
        except Exception as exc:
            outcome = (False, reason(exc))
        self._outcome = outcome
        self._done = None
        done.set()


def reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _CREDENTIALS.sub(r"\1:***@", text)[:_REASON_CHARS]


class HealthChecks:
    """The checks for one server's ServerState."""

    def __init__(self, state):
        self.state = state
        self._checks: dict[str, SingleFlight] = {"database": SingleFlight(state.storage.ping)}
        if state.config.redis and state.bus is not None:
            self._checks["redis"] = SingleFlight(state.bus.ping)
        self._checks["objects"] = SingleFlight(self._objects)

    async def run(self, nursery: trio.Nursery, timeout: float | None = None) -> dict[str, str]:
        """{check name: "ok" or why it failed}, the checks run concurrently, each waited
        for at most ``timeout`` (CHECK_TIMEOUT) seconds."""
        timeout = CHECK_TIMEOUT if timeout is None else timeout
        results: dict[str, str] = {}

        async def one(name: str, check: SingleFlight) -> None:
            ok, value = await check.run(nursery, timeout)
            results[name] = "ok" if ok else str(value)

        async with trio.open_nursery() as waiting:
            for name, check in self._checks.items():
                waiting.start_soon(one, name, check)
        return {name: results[name] for name in self._checks}

    async def _objects(self) -> None:
        store = self.state.objects
        root = getattr(store, "root", None)
        if store.kind == "local" and root is not None:
            await trio.to_thread.run_sync(_writable_dir, Path(root))
        else:
            await store.size("healthz-probe")  # one request to the bucket


def _writable_dir(root: Path) -> None:
    """The directory exists and is writable, or could be created (the first file makes it)."""
    path = root
    while not path.exists():
        if path.parent == path:
            raise OSError(f"{root}: no existing parent directory")
        path = path.parent
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(f"{path} is not writable by the server")
