"""Where login codes go: chosen by `--code-sender SPEC` (env MTSERVER_CODE_SENDER).

- `log` (default): the code is written to the server log, for operators and tests.
- `fixed:CODE`: every code is CODE and nothing is sent (test networks, automated clients).
- `webhook:URL`: the server POSTs `{"phone": ..., "code": ...}` (JSON) to URL; a failed
  POST fails auth.sendCode with PHONE_CODE_SEND_FAILED... rather than a silent loss.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

import msgspec
import structlog
import trio

log = structlog.get_logger("mtserver.codes")

CODE_LENGTH = 5


class CodeSender(Protocol):
    def make_code(self) -> str: ...
    async def send(self, phone: str, code: str) -> None: ...


class CodeSenderError(Exception):
    pass


def random_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


@dataclass
class LogSender:
    def make_code(self) -> str:
        return random_code()

    async def send(self, phone: str, code: str) -> None:
        log.info("login_code", phone=phone, code=code)


@dataclass
class FixedSender:
    code: str

    def make_code(self) -> str:
        return self.code

    async def send(self, phone: str, code: str) -> None:
        pass


@dataclass
class WebhookSender:
    url: str
    timeout: float = 10.0

    def make_code(self) -> str:
        return random_code()

    async def send(self, phone: str, code: str) -> None:
        body = msgspec.json.encode({"phone": phone, "code": code})
        try:
            status = await trio.to_thread.run_sync(self._post, body)  # bounded by self.timeout
        except OSError as exc:
            raise CodeSenderError(f"webhook {self.url}: {exc}") from exc
        if not 200 <= status < 300:
            raise CodeSenderError(f"webhook {self.url} answered HTTP {status}")

    def _post(self, body: bytes) -> int:
        import urllib.request

        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def parse_code_sender(spec: str | None) -> CodeSender:
    """`log`, `fixed:CODE` or `webhook:URL`; ValueError with a clear message otherwise."""
    spec = (spec or "log").strip()
    kind, _, arg = spec.partition(":")
    if kind == "log" and not arg:
        return LogSender()
    if kind == "fixed":
        if not (arg.isascii() and arg.isdigit() and 4 <= len(arg) <= 8):
            raise ValueError(f"fixed code sender needs 4-8 digits, got {arg!r} (e.g. fixed:12345)")
        return FixedSender(arg)
    if kind == "webhook":
        if not arg.startswith(("http://", "https://")):
            raise ValueError(f"webhook code sender needs an http(s) URL, got {arg!r}")
        return WebhookSender(arg)
    raise ValueError(f"unknown code sender {spec!r}: expected log, fixed:CODE or webhook:URL")
