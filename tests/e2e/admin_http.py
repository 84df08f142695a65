"""Helpers for the admin API tests: a server with the operators' listener on, admin
tokens made with the real `mtserver admin token` command, and JSON calls."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from .server_process import ServerProcess, free_port, mtserver
from .test_accounts import CODE


def start_admin_server(data_dir) -> ServerProcess:
    http_port = free_port()
    proc = ServerProcess(data_dir, env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}",
                                        "MTSERVER_HTTP": f"127.0.0.1:{http_port}"})
    proc.http_port = http_port
    return proc.start()


def admin_cli(server: ServerProcess, *args: str):
    return mtserver("admin", "--data-dir", str(server.data_dir), *args)


def create_token(server: ServerProcess, name: str) -> str:
    done = admin_cli(server, "token", "create", "--name", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def call(server: ServerProcess, method: str, path: str, body=None, token: str | None = None,
         headers: dict | None = None, raw: bytes | None = None) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of one call to the operators' listener (a body that
    is not JSON comes as {"text": ...})."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=data, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, payload, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, payload, got = exc.code, exc.read(), dict(exc.headers)
    got = {k.lower(): v for k, v in got.items()}
    if not got.get("content-type", "").startswith("application/json"):
        return status, {"text": payload.decode()}, got
    return status, (json.loads(payload) if payload.strip() else {}), got
