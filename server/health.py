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

At start-up the object store gets the same check once, in the background
(:func:`probe_objects_at_startup`): a store that cannot be reached is a warning with
what to check, not a reason to stop: messages work without it, uploads and downloads
answer 500 STORAGE_CHECK_FAILED meanwhile (rpc/dispatch.py), and /healthz names it
until it answers. (PostgreSQL and Redis unreachable at start-up do stop the server,
server/startup_errors.py: nothing works without the database, and without the bus a
process would silently miss every other process's updates.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog
import trio

from storage.objects.observed import describe

from .config import env_name

CHECK_TIMEOUT = 2.0
_REASON_CHARS = 200
_CREDENTIALS = re.compile(r"(://[^:/@\s]*):[^@/\s]*@")
log = structlog.get_logger("mtserver.health")


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
        await check_objects(self.state.objects)


async def check_objects(store) -> None:
    """Raises unless the object store can be used: a local directory is (or can be made)
    writable; a bucket answers one request."""
    root = getattr(store, "root", None)
    if store.kind == "local" and root is not None:
        await trio.to_thread.run_sync(_writable_dir, Path(root))
    else:
        await store.size("healthz-probe")


async def probe_objects_at_startup(state) -> bool:
    """Checks the object store once (a task of the server's nursery, so start-up does not
    wait for it); logs ``object_store_unreachable`` when it fails. True if it works."""
    store = getattr(state.objects, "inner", state.objects)  # not the wrapper: it would log this twice
    try:
        await check_objects(store)
        return True
    except Exception as exc:
        log.warning("object_store_unreachable", store=repr(store), error=_CREDENTIALS.sub(r"\1:***@", describe(exc)),
                    fix=f"check {env_name('media_url')} (--media-url: address, bucket, keys) and that the store is running;"
                        " until it answers, uploads and downloads fail (500 STORAGE_CHECK_FAILED) and /healthz"
                        " reports objects failing")
        return False


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
