"""Warnings at start-up about settings that work but are probably not what the operator meant.

Each check looks at the configuration alone (nothing is connected yet) and returns
events for :func:`log_startup_warnings`, which ``mtserver run`` calls once logging is set
up. They are warnings, not errors: a first local run, a test network or a deliberate
single-process PostgreSQL install may want exactly these settings.

- ``public_address_is_loopback``: the server listens on every interface but tells
  clients (help.getConfig's dc_options) to connect to a loopback address, so a client
  on another machine connects once and is then sent to its own loopback.
- ``fixed_login_code`` / ``fixed_email_code``: every login (or email) code is the same
  known value while the server is reachable beyond loopback: anyone can log in to any
  account. Fine on a test network that only test clients reach, listening on loopback.
- ``no_redis_with_postgresql``: PostgreSQL is there to be shared by several server
  processes, but without ``redis`` each process only hears its own events: live updates
  (new messages, typing, online status, logins by QR code) do not cross processes, and
  clients of the others get them only on their next catch-up.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .config import Config, env_name
from .logging import get_logger

log = get_logger("mtserver.startup")

_WILDCARD = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``; False for names and other addresses."""
    if host is None:
        return False
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def startup_warnings(config: Config) -> list[tuple[str, dict[str, Any]]]:
    """``(event, fields)`` for every check that applies to ``config``, in a fixed order."""
    warnings: list[tuple[str, dict[str, Any]]] = []
    reachable = not is_loopback(config.host)
    if config.host in _WILDCARD and is_loopback(config.public_host):
        warnings.append(("public_address_is_loopback", {
            "listen": config.host, "public_host": config.public_host,
            "fix": f"set {env_name('public_host')} (--public-host) to the address clients reach; "
                   "clients on other machines are told to connect to their own loopback",
        }))
    if reachable and config.code_sender.startswith("fixed:"):
        warnings.append(("fixed_login_code", {
            "listen": config.host,
            "fix": f"every login code is the same known value: anyone reaching {config.host} can log in "
                   f"to any account; use {env_name('code_sender')}=log or webhook:URL, or listen on loopback",
        }))
    if reachable and config.email_sender.startswith("fixed:"):
        warnings.append(("fixed_email_code", {
            "listen": config.host,
            "fix": f"every email code is the same known value; use {env_name('email_sender')}=smtp://... "
                   "or log, or listen on loopback",
        }))
    if config.database and config.database.startswith(("postgresql://", "postgres://")) and not config.redis:
        warnings.append(("no_redis_with_postgresql", {
            "fix": f"live updates will not cross processes: if more than one server process uses this "
                   f"database, set {env_name('redis')} on each (one process alone needs nothing)",
        }))
    return warnings


def log_startup_warnings(config: Config) -> int:
    """Log every warning that applies; returns how many."""
    found = startup_warnings(config)
    for event, fields in found:
        log.warning(event, **fields)
    return len(found)
