"""The capture of one server process: sessions hand it messages, a task writes them.

Sessions call ``observe`` (mtproto/session.py's ``observer``) with every message they
decrypt or encrypt. That call only appends to a bounded in-memory queue, so capturing
never stalls a client: when the queue is full (``MAX_QUEUED`` messages or
``MAX_QUEUED_BYTES``) the message is dropped and counted, and the capture file gets a
``{"kind": "dropped", "count": N}`` record where the gap is.

``run`` is the writer task (in the server's nursery): it takes what is queued, looks up
which user each auth key is logged in as (storage, cached for ``USER_TTL`` seconds, and
updated from login answers seen in the traffic), then in a worker thread turns messages
into records (server/capture/records.py: decoded in the session's layer, linked,
redacted), applies the filters (server/capture/control.py) and appends JSON lines to
the files (server/capture/files.py). Beside it, ``_watch_control`` reads
``<capture dir>/control.json`` when it changes: on/off and the filters, at run time.
``apply`` does the same from code (an admin API).
"""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path

import msgspec
import structlog
import trio

from mtproto.session import Captured

from .control import CONTROL_FILE, CaptureControl, Selection, phone_digits
from .files import CaptureFiles
from .records import Recorder

log = structlog.get_logger("mtserver.capture")

MAX_QUEUED = 20000
MAX_QUEUED_BYTES = 64 * 1024 * 1024
BATCH = 2000
USER_TTL = 30.0
CONTROL_POLL = 1.0
_LOGIN_RESULTS = frozenset({"auth.authorization"})


class Capture:
    def __init__(self, config, storage=None):
        self.directory = Path(config.capture_dir)
        self.storage = storage
        self.base = CaptureControl.from_config(config)
        self.recorder = Recorder(redact_secrets=config.capture_redact)
        self.files = CaptureFiles(self.directory, config.capture_split, config.capture_rotate_bytes,
                                  config.capture_keep_files)
        self.control = self.base
        self.selection = Selection(self.base)
        self.enabled = False
        self.queued: deque[Captured] = deque()
        self.queued_bytes = 0
        self.dropped = 0  # in all, since start
        self.written = 0  # records
        self._unreported_drops = 0
        self._wake = trio.Event()
        self._users: dict[int, tuple[int | None, float]] = {}  # auth key → (user, checked at)
        self._phones_checked = 0.0
        self._control_seen: tuple | None = None
        self._encoder = msgspec.json.Encoder()
        self.apply(self.base, announce=False)
        try:  # a control file left from the last run applies from the first message on
            self._control_seen, control = self._read_control()
            if control is not None:
                self.apply(control, announce=False)
        except (OSError, ValueError) as exc:
            log.warning("capture_control_invalid", error=str(exc)[:300])
        if not config.capture_redact:
            log.warning("capture_redaction_off", directory=str(self.directory),
                        hint="capture files will hold login codes, password checks and file bytes")

    # -- the sessions' side (the event loop; never blocks) -------------------------------

    def observe(self, captured: Captured) -> None:
        if not self.enabled:
            return
        if len(self.queued) >= MAX_QUEUED or self.queued_bytes + len(captured.body) > MAX_QUEUED_BYTES:
            self.dropped += 1
            self._unreported_drops += 1
            return
        self.queued.append(captured)
        self.queued_bytes += len(captured.body)
        self._wake.set()

    # -- control -----------------------------------------------------------------------------

    def apply(self, control: CaptureControl, announce: bool = True) -> None:
        """Switch on/off and set the filters, at once (the next queued message on)."""
        self.control = control
        self.enabled = control.enabled
        self.recorder.mask_text = control.mask_text
        self.selection = Selection(control)
        self._phones_checked = 0.0
        if announce:
            log.info("capture_control", enabled=control.enabled, users=len(control.users),
                     phones=len(control.phones), auth_keys=len(control.auth_keys), methods=len(control.methods),
                     mask_text=control.mask_text)

    def _read_control(self):
        """(signature, CaptureControl or None) of control.json; the same signature: unchanged."""
        path = self.directory / CONTROL_FILE
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None, None
        signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        if signature == self._control_seen:
            return signature, self.control
        if st.st_size > 1 << 20:
            raise ValueError(f"{CONTROL_FILE}: larger than 1 MiB")
        return signature, self.base.with_file(path.read_bytes())

    async def _watch_control(self) -> None:
        while True:
            try:
                signature, control = await trio.to_thread.run_sync(self._read_control)
            except (OSError, ValueError) as exc:
                log.warning("capture_control_invalid", error=str(exc)[:300])
                signature = "invalid"
                control = self.control
                # Not read again until it changes.
                try:
                    st = os.stat(self.directory / CONTROL_FILE)
                    signature = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    pass
                self._control_seen = signature
            else:
                if signature != self._control_seen:
                    self._control_seen = signature
                    self.apply(control if control is not None else self.base)
            await trio.sleep(CONTROL_POLL)

    # -- the writer ------------------------------------------------------------------------

    async def run(self, task_status=trio.TASK_STATUS_IGNORED) -> None:
        log.info("capture_on", directory=str(self.directory.resolve()), enabled=self.enabled)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._watch_control)
                task_status.started()
                await self._write_forever()
        finally:
            with trio.CancelScope(shield=True):
                batch = list(self.queued)
                self.queued.clear()
                self.queued_bytes = 0
                await trio.to_thread.run_sync(self._write_and_close, batch)

    async def _write_forever(self) -> None:
        while True:
            if not self.queued and not self._unreported_drops:
                self._wake = trio.Event()
                await self._wake.wait()
            batch = []
            while self.queued and len(batch) < BATCH:
                captured = self.queued.popleft()
                self.queued_bytes -= len(captured.body)
                batch.append(captured)
            await self._resolve_users({captured.auth_key_id for captured in batch})
            await trio.to_thread.run_sync(self.write_batch, batch)

    async def _resolve_users(self, keys: set[int]) -> None:
        """Which user each auth key is logged in as (cached); phones of the filter as users."""
        if self.storage is None:
            return
        from rpc.services.login import identify

        now = time.monotonic()
        try:
            for key in keys:
                known = self._users.get(key)
                if known is not None and now - known[1] < USER_TTL:
                    continue
                record = await self.storage.auth_keys.get(key)
                _, user_id, pending = await identify(self.storage, record)
                self._users[key] = (user_id or pending, now)
            if self.selection.phones and now - self._phones_checked > USER_TTL:
                self._phones_checked = now
                for phone in self.selection.phones:
                    user = await self.storage.users.by_phone(phone_digits(phone))
                    if user is not None:
                        self.selection.add_user(user.id)
        except Exception as exc:  # the capture must not take the server down with it
            log.warning("capture_user_lookup_failed", error=f"{type(exc).__name__}: {exc}"[:300])
        if len(self._users) > 100_000:
            self._users.clear()

    def write_batch(self, batch: list[Captured]) -> None:
        """Messages → filtered records → capture files (blocking: a worker thread)."""
        selection = self.selection
        if self._unreported_drops:
            count, self._unreported_drops = self._unreported_drops, 0
            self._write({"time": round(time.time(), 6), "kind": "dropped", "count": count, "auth_key_id": 0})
        for captured in batch:
            key = captured.auth_key_id
            user_id = self._users.get(key, (None, 0))[0]
            if not selection.may_want(key, user_id):
                continue
            for record in self.recorder.records(captured):
                user_id = self._learn(record, user_id)
                if user_id is not None:
                    record["user_id"] = user_id
                if selection.keep(record, user_id):
                    self._write(record)
        self.files.flush()

    def _write_and_close(self, batch: list[Captured]) -> None:
        try:
            self.write_batch(batch)
        finally:
            self.files.close()

    def _write(self, record: dict) -> None:
        try:
            line = self._encoder.encode(record) + b"\n"
        except (TypeError, ValueError, OverflowError) as exc:
            line = self._encoder.encode({k: record.get(k) for k in ("time", "direction", "auth_key_id", "session_id",
                                                                     "msg_id", "kind", "method")}
                                        | {"encode_error": str(exc)}) + b"\n"
        try:
            self.files.write(record.get("auth_key_id", 0), record["time"], line)
            self.written += 1
        except OSError as exc:
            self.dropped += 1
            log.warning("capture_write_failed", error=str(exc)[:300])

    def _learn(self, record: dict, user_id: int | None) -> int | None:
        """A login answer names the key's user; a log-out ends it."""
        if record.get("kind") != "result":
            return user_id
        obj = record.get("obj")
        if isinstance(obj, dict) and obj.get("_") in _LOGIN_RESULTS and isinstance(obj.get("user"), dict):
            user_id = obj["user"].get("id")
        elif record.get("method") == "auth.logOut":
            user_id = None
        else:
            return user_id
        self._users[record["auth_key_id"]] = (user_id, time.monotonic())
        return user_id


__all__ = ["Capture"]
