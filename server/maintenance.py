"""Background upkeep of a server process: what expires is removed.

- Update logs (users' and channels') are kept config.update_log_days days: long enough
  for any client that comes back within that time to catch up update by update, bounded
  so the tables do not grow forever. A client away longer gets differenceTooLong
  (rpc/updates/difference.py) or channelDifferenceTooLong (rpc/channels/sync.py).
- Channels' admin logs (channels.getAdminLog) are kept 48 hours, as Telegram keeps them.
- Temporary auth keys past their expiry, login and email codes past theirs, exported
  and QR login tokens past theirs.
- Permanent auth keys that never logged in within config.auth_key_unused_days: anybody
  can make keys (a handshake needs no account), so keys nobody uses must not pile up.

Every process runs every job; each is one idempotent DELETE, so several processes need
no election. A failing job is logged and retried at the next round.
"""

from __future__ import annotations

import time

import structlog
import trio

from mtproto.session import expire_idle_sessions
from storage import StorageError

log = structlog.get_logger("mtserver.maintenance")

EVERY = 3600.0  # seconds between rounds
SESSIONS_EVERY = 60.0
DAY = 86400
ADMIN_LOG_SECONDS = 2 * DAY  # channels' admin logs: Telegram shows the last 48 hours


async def upkeep_forever(state, every: float = EVERY) -> None:
    while True:
        await upkeep_once(state)
        await trio.sleep(every)


async def upkeep_once(state, now: float | None = None) -> dict[str, int]:
    """One round of every job; returns how many rows each removed."""
    now = time.time() if now is None else now
    storage, config = state.storage, state.config
    jobs = {
        "update_log": lambda: storage.messages.prune_update_logs_before(int(now) - config.update_log_days * DAY),
        "channel_update_log": lambda: storage.channel_log.prune_before(int(now) - config.update_log_days * DAY),
        "channel_admin_log": lambda: storage.channel_admin_log.prune_before(int(now) - ADMIN_LOG_SECONDS),
        "expired_temp_keys": lambda: storage.auth_keys.delete_expired(now),
        "unused_auth_keys": lambda: storage.auth_keys.delete_unused(now - config.auth_key_unused_days * DAY),
        "expired_login_codes": lambda: storage.codes.delete_expired(int(now)),
        "expired_login_tokens": lambda: storage.exported_authorizations.delete_expired(int(now)),
        "expired_qr_tokens": lambda: storage.login_tokens.delete_expired(int(now)),
        "expired_email_codes": lambda: storage.email_codes.delete_expired(int(now)),
    }
    removed = {}
    for name, job in jobs.items():
        try:
            removed[name] = await job()
        except StorageError as exc:
            log.warning("upkeep_failed", job=name, error=str(exc))
            continue
        if removed[name]:
            log.info("upkeep_removed", job=name, removed=removed[name])
    return removed


async def forget_idle_sessions_forever(state, every: float = SESSIONS_EVERY) -> None:
    """In-memory upkeep: MTProto sessions nobody used for a while, and handshake salts
    past their slot (both would otherwise stay for the life of the process)."""
    while True:
        await trio.sleep(every)
        forget_idle_sessions(state, time.time())


def forget_idle_sessions(state, now: float) -> int:
    in_use = {key_id for conn in state.connections for key_id in conn.encrypted}
    forgotten = expire_idle_sessions(state.sessions, now, in_use=in_use)
    for key_id in [k for k, (_, until) in state.initial_salts.items() if until < now]:
        del state.initial_salts[key_id]
    if forgotten:
        log.info("sessions_forgotten", sessions=forgotten)
    return forgotten
