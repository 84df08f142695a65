"""Logging: JSON lines for machines, console output on a terminal."""

import io
import json
import logging

import pytest

from server.logging import configure_logging, get_logger, resolve_log_format


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_auto_is_json_unless_the_stream_is_a_terminal():
    assert resolve_log_format("auto", io.StringIO()) == "json"
    assert resolve_log_format("auto", Terminal()) == "console"
    assert resolve_log_format("json", Terminal()) == "json"
    assert resolve_log_format("console", io.StringIO()) == "console"
    with pytest.raises(ValueError, match="xml"):
        resolve_log_format("xml")


def test_json_format_writes_one_object_per_line_with_logger_level_and_time():
    out = io.StringIO()
    assert configure_logging("auto", stream=out) == "json"
    log = get_logger("server.test")
    log.info("connection_opened", peer="1.2.3.4:5", auth_key_id=-5)
    log.debug("hidden")  # below the default level
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["event"] == "connection_opened" and event["peer"] == "1.2.3.4:5" and event["auth_key_id"] == -5
    assert event["level"] == "info" and event["logger"] == "server.test" and event["timestamp"].endswith("Z")


def test_standard_library_records_come_out_in_the_same_format():
    out = io.StringIO()
    configure_logging("json", stream=out)
    logging.getLogger("somelib").warning("disk %s", "full")
    event = json.loads(out.getvalue())
    assert (event["event"], event["level"], event["logger"]) == ("disk full", "warning", "somelib")


def test_console_format_is_readable_text():
    out = io.StringIO()
    assert configure_logging("console", stream=out) == "console"
    get_logger("server.test").warning("slow_handshake", ms=12)
    text = out.getvalue()
    assert "slow_handshake" in text and "ms=12" in text and "server.test" in text
    assert not text.lstrip().startswith("{") and "\x1b[" not in text  # no colours off a terminal


def test_loggers_made_before_configuration_follow_it():
    log = get_logger("early")
    out = io.StringIO()
    configure_logging("json", stream=out)
    log.info("after")
    assert json.loads(out.getvalue())["logger"] == "early"


def test_reconfiguring_replaces_the_previous_stdlib_handler():
    first, second = io.StringIO(), io.StringIO()
    configure_logging("json", stream=first)
    configure_logging("json", stream=second)
    logging.getLogger("lib").error("once")
    assert first.getvalue() == "" and second.getvalue().count("once") == 1


def test_json_lines_are_what_json_dumps_writes():
    """The renderer is msgspec's (cheaper: four lines per new auth key), the text json.dumps'."""
    from server.logging import render_json

    class Odd:
        def __repr__(self):
            return "<odd>"

    for event in ({"event": "handshake_done", "peer": "1.2.3.4:5", "auth_key_id": -2**63, "temporary": False,
                   "seconds": 0.125, "nothing": None, "ids": [1, 2], "nested": {"a": "b"}},
                  {"event": "Ünïcode → escaped", "big": 2**70, "odd": Odd()}):
        assert render_json(None, "info", event) == json.dumps(event, default=repr)
