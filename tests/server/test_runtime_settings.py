"""Settings changed at run time (server/runtime_settings.py): checked by the
configuration's rules, applied at once to the config, the rate limits and the log
level, and followed by the other processes from the bus."""

from __future__ import annotations

import logging
import types

import msgspec
import pytest
import trio
import trio.testing

from rpc.services.limits import AccountLimits, RateLimit
from server import runtime_settings as rs
from server.config import load_config
from storage.bus.memory import MemoryBus


def state(bus=None, **env):
    config = load_config(env={f"MTSERVER_{k.upper()}": v for k, v in env.items()})
    return types.SimpleNamespace(config=config, limits=AccountLimits.from_config(config),
                                 handshakes=RateLimit(config.auth_keys_per_minute, 60), bus=bus)


def test_only_the_listed_settings_with_good_values():
    assert rs.checked({"registration": "invite", "max_connections_per_address": 7}) == {
        "registration": "invite", "max_connections_per_address": 7}
    for bad, says in (({"port": 9000}, "not changeable at run time"), ({"log_level": "loud"}, "expected one of"),
                      ({"max_connections": 0}, "expected an int in 1.."), ({"send_code_per_hour": "5"}, "expected"),
                      ({"registration_allowlist": [""]}, "expected a list"), ({}, "JSON object"), ([1], "JSON object"),
                      ({"auth_keys_per_minute": -1}, "0..")):
        with pytest.raises(rs.SettingsError, match=says):
            rs.checked(bad)


def test_a_change_applies_at_once_and_keeps_the_rest():
    s = state()
    counted = s.limits.send_code_per_address
    counted.hit("1.2.3.4")
    changed = rs.apply(s, rs.checked({"registration": "allowlist", "registration_allowlist": ["1555*"],
                                      "send_code_per_address_per_hour": 2, "send_code_per_hour": 9,
                                      "max_connections": 5, "auth_keys_per_minute": 0}))
    assert changed["registration"] == ("open", "allowlist") and changed["max_connections"] == (10000, 5)
    assert (s.config.registration, s.config.registration_allowlist, s.config.max_connections) == (
        "allowlist", ["1555*"], 5)
    assert s.config.port == 8443  # the rest as it was
    # The limits keep their counters and get the new numbers.
    assert s.limits.send_code_per_address is counted and counted.limit == 2 and s.limits.send_code_total.limit == 9
    counted.hit("1.2.3.4")
    with pytest.raises(Exception, match="FLOOD_WAIT"):
        counted.hit("1.2.3.4")
    assert s.handshakes is None  # 0: no limit
    rs.apply(s, {"auth_keys_per_minute": 3})
    assert s.handshakes.limit == 3
    assert rs.apply(s, {"max_connections": 5}) == {}  # no change
    assert rs.current(s.config)["registration"] == "allowlist"


def test_the_log_level_changes_at_once():
    from server.logging import configure_logging

    configure_logging("json", level="info")
    try:
        rs.apply(state(), {"log_level": "warning"})
        assert logging.getLogger().level == logging.WARNING
        rs.apply(state(), {"log_level": "debug"})
        assert logging.getLogger().level == logging.DEBUG
    finally:
        configure_logging("json", level="info")


async def test_other_processes_follow_a_change_from_the_bus():
    bus = MemoryBus()
    here = state(bus)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(rs.follow, here)
        await trio.testing.wait_all_tasks_blocked()
        # Another process's change, then this process's own (already applied: skipped), then garbage.
        await bus.publish(rs.TOPIC, msgspec.json.encode({"values": {"registration": "invite"}, "process": "other"}))
        await bus.publish(rs.TOPIC, msgspec.json.encode({"values": {"registration": "open"},
                                                         "process": rs.PROCESS_ID}))
        await bus.publish(rs.TOPIC, b"not json")
        await bus.publish(rs.TOPIC, msgspec.json.encode({"values": {"port": 1}, "process": "newer"}))
        await trio.testing.wait_all_tasks_blocked()
        assert here.config.registration == "invite" and here.config.port == 8443
        assert await rs.publish(here, {"max_connections": 3})
        nursery.cancel_scope.cancel()
