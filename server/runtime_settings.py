"""Settings an operator may change while the server runs (the admin API's
``/admin/api/settings``), and how a change reaches every server process.

Only settings that are read afresh where they are used are here, so a change takes
effect at once without a restart and without touching what runs: who may sign up, the
log level, and the brakes on anonymous peers (connections in all and per address, new
auth keys per address, login codes per address and per process). Everything else
(ports, the database, Redis, the media store, ...) is read once at start-up.

How: the server's Config is frozen, so a change replaces ``state.config`` with a copy
(requests read ``state.config`` when they start: rpc/context.py gets it per request,
server/front.py per connection); the rate limits built from it at start-up get their
new limits (their counters are kept); the log level is set on the loggers.

Several processes: the process that was asked applies the change and publishes it on
the bus (``settings`` topic); every other process running then applies it too (with
Redis; without it there is one process). A process started later reads its settings
from its configuration as usual: a change made here lasts until a restart, so put
lasting ones in the configuration too. Values are checked by the configuration's own
rules (server/config.py), so a value accepted here is one the configuration accepts.
"""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
import structlog

from rpc.services.limits import RateLimit
from storage.bus import BusError

from .config import ConfigError, check_value, env_name
from .logging import set_level

log = structlog.get_logger("mtserver.settings")

TOPIC = "settings"

# field -> what it does (for the API's answer and the console's labels).
RUNTIME: dict[str, str] = {
    "registration": "who may sign up: open, allowlist or invite",
    "registration_allowlist": "numbers allowed to sign up under allowlist: numbers or prefixes like 1555*",
    "log_level": "the least severe log events written: debug, info, warning or error",
    "max_connections": "client connections in all (then transport error -429); open ones stay",
    "max_connections_per_address": "client connections one address may hold (then -429); open ones stay",
    "auth_keys_per_minute": "new auth keys one client address may make per minute (0: no limit)",
    "send_code_per_address_per_hour": "login codes sent per client address per hour",
    "send_code_per_hour": "login codes this process sends per hour, in all",
}


class SettingsError(ValueError):
    """A change that cannot be made: an unknown or fixed setting, or a bad value."""


class _Change(msgspec.Struct):
    """A change on the bus: the values and the process that made it."""

    values: dict[str, Any]
    process: str


PROCESS_ID = secrets.token_hex(8)  # tells this process's own changes apart on the bus


def current(config) -> dict[str, Any]:
    return {field: getattr(config, field) for field in RUNTIME}


def describe() -> dict[str, dict[str, str]]:
    return {field: {"env": env_name(field), "about": about} for field, about in RUNTIME.items()}


def checked(changes: Any) -> dict[str, Any]:
    """The changes as a dict of checked, normalized values; SettingsError naming the
    first problem."""
    if not isinstance(changes, dict) or not changes:
        raise SettingsError("give a JSON object of settings to change, e.g. {\"log_level\": \"debug\"}")
    values = {}
    for field, value in changes.items():
        if field not in RUNTIME:
            raise SettingsError(f"{field}: not changeable at run time (these are: {', '.join(RUNTIME)});"
                                " others change in the configuration, with a restart")
        try:
            values[field] = check_value(field, value, field)
        except ConfigError as exc:
            raise SettingsError(str(exc)) from None
    return values


def apply(state, values: dict[str, Any]) -> dict[str, Any]:
    """Makes checked values this process's settings at once; what changed (old, new)."""
    before = state.config
    state.config = msgspec.structs.replace(before, **values)
    if "log_level" in values:
        set_level(values["log_level"])
    limits = state.limits
    if "send_code_per_address_per_hour" in values:
        limits.send_code_per_address.limit = values["send_code_per_address_per_hour"]
    if "send_code_per_hour" in values:
        limits.send_code_total.limit = values["send_code_per_hour"]
    if "auth_keys_per_minute" in values:
        per_minute = values["auth_keys_per_minute"]
        if not per_minute:
            state.handshakes = None
        elif state.handshakes is None:
            state.handshakes = RateLimit(per_minute, 60)
        else:
            state.handshakes.limit = per_minute
    return {field: (getattr(before, field), value) for field, value in values.items()
            if getattr(before, field) != value}


async def publish(state, values: dict[str, Any]) -> bool:
    """Tells the other processes; False when the bus is down (they keep their settings)."""
    bus = getattr(state, "bus", None)
    if bus is None:
        return True
    try:
        await bus.publish(TOPIC, msgspec.json.encode(_Change(values=values, process=PROCESS_ID)))
    except BusError as exc:
        log.warning("settings_not_published", error=str(exc),
                    fix="other server processes keep their settings: repeat the change on each")
        return False
    return True


async def follow(state) -> None:
    """Applies the changes other processes publish (a task of the server's nursery)."""
    bus = getattr(state, "bus", None)
    if bus is None:
        return
    decoder = msgspec.json.Decoder(_Change)
    async with bus.subscribe(TOPIC) as sub:
        async for payload in sub:
            try:
                change = decoder.decode(payload)
                if change.process == PROCESS_ID:
                    continue
                changed = apply(state, checked(change.values))
            except (msgspec.DecodeError, msgspec.ValidationError, SettingsError) as exc:
                log.warning("settings_change_ignored", error=str(exc))  # a newer process's, or garbage
                continue
            log.warning("settings_changed", by_process=change.process, **loggable(changed))


def loggable(changed: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """The new values for a log line; the allowlist (phone numbers) as its size only."""
    return {field: (f"{len(new)} entries" if field == "registration_allowlist" else new)
            for field, (_old, new) in changed.items()}
