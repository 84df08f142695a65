"""Background upkeep of a server process.

Update logs are kept config.update_log_days days: long enough for any client that comes
back within that time to catch up update by update, bounded so the table does not grow
forever. A client away longer gets differenceTooLong (rpc/updates.py) and reloads.
Every process prunes; the DELETE is idempotent, so several processes need no election.
"""

from __future__ import annotations

import time

import structlog
import trio

from storage import StorageError

log = structlog.get_logger("mtserver.maintenance")

PRUNE_EVERY = 3600.0  # seconds


async def prune_update_logs(state, every: float = PRUNE_EVERY) -> None:
    while True:
        cutoff = int(time.time()) - state.config.update_log_days * 86400
        try:
            removed = await state.storage.messages.prune_update_logs_before(cutoff)
            if removed:
                log.info("update_log_pruned", removed=removed, before=cutoff)
        except StorageError as exc:
            log.warning("update_log_prune_failed", error=str(exc))
        await trio.sleep(every)
