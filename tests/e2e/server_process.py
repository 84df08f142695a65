"""Start and stop a real server process for end-to-end tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mtserver(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kw)


class ServerProcess:
    def __init__(self, data_dir: Path, port: int | None = None, env: dict | None = None, root: Path = ROOT):
        self.data_dir = data_dir
        self.root = root  # the tree the server runs from (a benchmark may run an older one)
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.env = {**os.environ, "MTSERVER_LOG_FORMAT": "json", **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / "server.log"
        self.python_args = ["-m", "tools.cli"]  # a benchmark may wrap the command (bench/traced_server.py)

    def public_key(self) -> tuple[str, int]:
        out = mtserver("pubkey", "--data-dir", str(self.data_dir)).stdout
        pem = out[out.index("-----BEGIN RSA PUBLIC KEY-----"): out.index("-----END RSA PUBLIC KEY-----") + 28]
        fingerprint = re.search(r"fingerprint[^0-9a-fA-F-]*(-?(?:0x)?[0-9a-fA-F]+)", out, re.I).group(1)
        return pem, fingerprint

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, *self.python_args, "run", "--host", self.host, "--port", str(self.port),
             "--data-dir", str(self.data_dir)],
            cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self) -> int:
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def restart(self) -> "ServerProcess":
        code = self.stop()
        if code != 0:  # SIGTERM is a graceful shutdown, not a crash
            raise RuntimeError(f"server exited with {code} on SIGTERM:\n{self.log()}")
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
