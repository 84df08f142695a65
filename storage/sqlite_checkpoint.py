"""WAL checkpoints for the embedded backend, in a thread and on a connection of their own.

storage/sqlite.py runs statements on the event loop with ``synchronous = NORMAL`` and
``wal_autocheckpoint = 0``: a commit only appends to the WAL (no fsync), and nothing on
the loop ever copies the WAL back into the database file. That copy (a checkpoint) is
the part that fsyncs, so it is done here: a daemon thread with its own connection runs
``PRAGMA wal_checkpoint(PASSIVE)`` at most every ``interval`` seconds after something
was written, or at once when ``changes`` rows were changed since the last request.

PASSIVE takes no write lock and waits for nobody: the server's connection keeps
writing during a checkpoint, and a reader elsewhere (a backup) only makes it stop short
at that reader's snapshot, to finish next time. When a checkpoint has copied the whole
WAL, the next commit starts the WAL file over from its beginning, so the file stays
about one interval of writes long. The checkpoint also makes durable everything
committed before it (it fsyncs the WAL first): a power loss loses at most the
transactions of the last interval. A process crash loses nothing: they are in the WAL.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import structlog

log = structlog.get_logger("mtserver.storage")

INTERVAL_SECONDS = 1.0
CHANGES = 5000  # rows; with ~10 per delivered message, a WAL of a few MB


class Checkpointer:
    """Build with :meth:`open` (blocking: in a worker thread); :meth:`wrote` from the
    event loop after each write; :meth:`close` (blocking) before the last connection."""

    def __init__(self, connection: sqlite3.Connection, interval: float = INTERVAL_SECONDS,
                 changes: int = CHANGES):
        self._connection = connection
        self._interval = interval
        self._changes = changes
        self._pending = 0  # rows changed since the last early wake-up; the loop's only
        self._due = threading.Event()  # something was written since the last checkpoint
        self._now = threading.Event()  # ... enough not to wait for the interval
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, path: Path, **kw) -> Checkpointer:
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        return cls(connection, **kw)

    def wrote(self, changes: int) -> None:
        """``changes`` rows were committed. Cheap: called on the event loop."""
        if not self._due.is_set():
            self._due.set()
        self._pending += changes
        if self._pending >= self._changes:
            self._pending = 0
            self._now.set()

    def close(self) -> None:
        """Stops the thread after a last checkpoint and closes the connection."""
        self._closing = True
        self._due.set()
        self._now.set()
        self._thread.join()
        self._connection.close()

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._now.wait(self._interval)
            self._due.clear()
            self._now.clear()
            self.checkpoint()
            if self._closing:
                return

    def checkpoint(self) -> tuple[int, int, int] | None:
        """(busy, WAL frames, frames copied), as SQLite reports them; None on an error."""
        try:
            return self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # a disk error shows again on the next commit; keep going
            log.warning("sqlite_checkpoint_failed", error=str(exc))
            return None
