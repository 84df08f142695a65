"""Start-up: warnings about risky settings, the log level, and one line for common failures.

The failures are checked on real `mtserver run` processes: what an operator sees on
the terminal is stderr and the exit code.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.config import load_config
from server.startup_checks import is_loopback, startup_warnings

ROOT = Path(__file__).resolve().parents[2]


def events(config_env: dict) -> list[str]:
    return [event for event, _ in startup_warnings(load_config(None, config_env, {}))]


def test_loopback_public_address_while_listening_everywhere():
    assert events({}) == ["public_address_is_loopback"]  # the defaults: 0.0.0.0, told 127.0.0.1
    assert events({"MTSERVER_PUBLIC_HOST": "chat.example.org"}) == []
    assert events({"MTSERVER_HOST": "127.0.0.1"}) == []  # a local run: loopback is right
    assert events({"MTSERVER_HOST": "::", "MTSERVER_PUBLIC_HOST": "::1"}) == ["public_address_is_loopback"]
    assert events({"MTSERVER_HOST": "0.0.0.0", "MTSERVER_PUBLIC_HOST": "localhost"}) == ["public_address_is_loopback"]


def test_fixed_codes_beyond_loopback():
    public = {"MTSERVER_PUBLIC_HOST": "chat.example.org"}
    assert events({**public, "MTSERVER_CODE_SENDER": "fixed:12345"}) == ["fixed_login_code"]
    assert events({**public, "MTSERVER_EMAIL_SENDER": "fixed:12345"}) == ["fixed_email_code"]
    assert events({"MTSERVER_HOST": "127.0.0.1", "MTSERVER_CODE_SENDER": "fixed:12345",
                   "MTSERVER_EMAIL_SENDER": "fixed:12345"}) == []  # a test network on loopback
    assert events({**public, "MTSERVER_CODE_SENDER": "webhook:https://sms.example/send"}) == []


def test_postgresql_without_redis():
    local = {"MTSERVER_HOST": "127.0.0.1"}
    assert events({**local, "MTSERVER_DATABASE": "postgresql://mt@db/mt"}) == ["no_redis_with_postgresql"]
    assert events({**local, "MTSERVER_DATABASE": "postgresql://mt@db/mt", "MTSERVER_REDIS": "redis://r/0"}) == []
    assert events({**local, "MTSERVER_DATABASE": "sqlite:///x.db"}) == []  # SQLite is one process anyway


def test_is_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "127.5.0.1", "::1", "[::1]", "localhost", "LOCALHOST"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "chat.example.org", "", None]))


# -- real processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTSERVER_")}
    return {**env, "MTSERVER_LOG_FORMAT": "json", **extra}


def start_failing(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.cli", "run", "--data-dir", str(tmp_path / "data"),
                           "--host", "127.0.0.1", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=90, env=run_env(**env))


def assert_one_line(done: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_port_in_use_is_one_line_naming_the_setting(tmp_path):
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = start_failing(tmp_path, "--port", str(port))
        assert_one_line(done, 1, f"127.0.0.1:{port}", "MTSERVER_PORT", "already in use")
        # The operators' listener on a taken port is named as such.
        done = start_failing(tmp_path, "--port", str(free_port()), "--http", f"127.0.0.1:{port}")
        assert_one_line(done, 1, f"127.0.0.1:{port}", "MTSERVER_HTTP", "already in use")


def test_unreachable_database_is_one_line_without_the_password(tmp_path):
    url = f"postgresql://mt:hunter2secret@127.0.0.1:{free_port()}/mt"
    done = start_failing(tmp_path, "--port", str(free_port()), MTSERVER_DATABASE=url)
    line = assert_one_line(done, 1, "cannot connect to PostgreSQL", "MTSERVER_DATABASE")
    assert "hunter2secret" not in done.stdout + done.stderr and "mt:***@" in line


def test_unreachable_redis_is_one_line(tmp_path):
    done = start_failing(tmp_path, "--port", str(free_port()), "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert_one_line(done, 1, "Redis", "MTSERVER_REDIS")


def test_bad_media_url_is_one_line_naming_the_setting(tmp_path):
    done = start_failing(tmp_path, "--port", str(free_port()), MTSERVER_MEDIA_URL="ftp://files.example/media")
    assert_one_line(done, 2, "MTSERVER_MEDIA_URL", "s3://")
    assert not (tmp_path / "data").exists()  # stopped before creating anything


def test_warnings_and_the_log_level_on_a_real_server(tmp_path, postgres_url):
    """Listening everywhere, told loopback, a fixed code, PostgreSQL without Redis; at
    level warning the info events are left out and the warnings are not."""
    if postgres_url is None:
        pytest.skip("PostgreSQL tests are turned off")
    port = free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.cli", "run", "--data-dir", str(tmp_path / "data"), "--host", "0.0.0.0",
             "--port", str(port), "--code-sender", "fixed:12345", "--log-level", "warning"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=run_env(MTSERVER_DATABASE=postgres_url))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        assert proc.poll() is None, log_path.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    warnings = {line["event"]: line for line in lines if line["level"] == "warning"}
    assert {"public_address_is_loopback", "fixed_login_code", "no_redis_with_postgresql"} <= set(warnings)
    assert "MTSERVER_PUBLIC_HOST" in warnings["public_address_is_loopback"]["fix"]
    assert "live updates will not cross processes" in warnings["no_redis_with_postgresql"]["fix"]
    assert "12345" not in warnings["fixed_login_code"]["fix"]
    assert not [line for line in lines if line["level"] in ("info", "debug")]  # no server_prepared, listening
