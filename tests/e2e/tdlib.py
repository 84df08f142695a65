"""TDLib (the library inside Telegram's official apps) as a test client.

PyPI's `tdjson` wheel carries a prebuilt libtdjson (1.8.67 speaks layer 229). Like the
official apps, TDLib keeps Telegram's DC addresses and RSA public keys as plain strings;
`patched_tdjson` copies the package and replaces them at equal length: "149.154.x.y"
becomes the loopback address "127.154.x.y" (port 443 stays, so the server under test
listens on DC 1's patched address, port 443, which needs root), and the built-in 2048-bit keys become our
server's key (a 2048-bit key's PKCS#1 PEM always has the same length). TDLib itself is
not modified otherwise.

`TdClient` runs it in a child process (tests/e2e/tdlib_driver.py), JSON lines both ways,
so a crash or an abort in TDLib's threads cannot take pytest down.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

DRIVER = Path(__file__).with_name("tdlib_driver.py")
_PEM = re.compile(rb"-----BEGIN RSA PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+?-----END RSA PUBLIC KEY-----")
# Telegram's production and test DC addresses in libtdjson, each with a loopback twin of
# the same length.
_ADDRESSES = ((b"149.154.", b"127.154."), (b"95.161.76.100", b"127.10.76.100"))


def available() -> bool:
    return importlib.util.find_spec("tdjson") is not None


def patched_tdjson(dest: Path, pem: str) -> Path:
    """A copy of the tdjson package under `dest` that dials loopback and trusts `pem`;
    returns the directory to put on sys.path."""
    package = Path(importlib.util.find_spec("tdjson").origin).parent
    shutil.copytree(package, dest / "tdjson", dirs_exist_ok=True)
    shutil.copytree(package.parent / "tdjson.libs", dest / "tdjson.libs", dirs_exist_ok=True)
    library = next((dest / "tdjson.libs").glob("libtdjson*"))
    data = library.read_bytes()
    for original, loopback in _ADDRESSES:
        assert data.count(original), f"{original!r} not found in {library.name}"
        data = data.replace(original, loopback)
    ours = pem.strip().encode()
    replaced = 0

    def same_length_key(match: re.Match) -> bytes:
        nonlocal replaced
        if len(match.group(0)) != len(ours):
            return match.group(0)  # another layout (not a DC key)
        replaced += 1
        return ours

    data = _PEM.sub(same_length_key, data)
    assert replaced >= 2, "TDLib's production and test keys were not found"
    library.write_bytes(data)
    return dest


class TdError(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code, self.message = error.get("code"), error.get("message")


class TdClient:
    def __init__(self, library_dir: Path, log_file: Path, verbosity: int = 2):
        self.log_file = open(log_file, "ab")
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), str(library_dir), str(verbosity)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log_file)
        self.events: list[dict] = []
        self._new = threading.Condition()
        self._extras = itertools.count(1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            event = json.loads(line)
            with self._new:
                self.events.append(event)
                self._new.notify_all()

    def send(self, query: dict) -> str:
        extra = f"q{next(self._extras)}"
        self.proc.stdin.write(json.dumps({**query, "@extra": extra}).encode() + b"\n")
        self.proc.stdin.flush()
        return extra

    def wait_for(self, predicate, timeout: float = 30.0, start: int = 0) -> dict:
        """The first event from index `start` on that `predicate` accepts."""
        deadline = time.monotonic() + timeout
        seen = start
        with self._new:
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no matching TDLib event within {timeout} s; last: {self.events[-5:]}")
                self._new.wait(left)

    def call(self, query: dict, timeout: float = 30.0) -> dict:
        extra = self.send(query)
        answer = self.wait_for(lambda e: e.get("@extra") == extra, timeout)
        if answer.get("@type") == "error":
            raise TdError(answer)
        return answer

    def authorization_state(self, timeout: float = 30.0, start: int = 0) -> tuple[str, int]:
        event = self.wait_for(lambda e: e.get("@type") == "updateAuthorizationState", timeout, start)
        return event["authorization_state"]["@type"], self.events.index(event) + 1

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"@type": "close"})
                self.wait_for(lambda e: e.get("@type") == "updateAuthorizationState"
                              and e["authorization_state"]["@type"] == "authorizationStateClosed", 20)
            except (TimeoutError, BrokenPipeError):
                pass
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
