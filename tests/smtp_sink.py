"""A local SMTP sink for the email tests: aiosmtpd on 127.0.0.1 (a thread of the test
process), keeping every mail it receives so a test can read the code in it."""

from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
import time
from contextlib import contextmanager
from email.message import Message


class Sink:
    def __init__(self):
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10.0, after: int = 0) -> Message:
        """The first mail to `to` past the `after` mails already received."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages[after:]:
                    if to in message["X-Envelope-To"].split(","):
                        return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout} s")

    def code(self, to: str, after: int, timeout: float = 10.0) -> str:
        """The code in the first mail to `to` past the first `after` mails (count() taken
        before the call that sends it)."""
        return code_in(self.wait_for(to, timeout, after=after))

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


def code_in(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r": (\d{4,8})\s", body).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_sink():
    """(sink, port): the sink runs until the block ends."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    # Its own loop object, made directly: inside trio (trio-asyncio's policy) or an
    # asyncio runner alike, the sink's thread runs a plain asyncio loop.
    controller = Controller(sink, hostname="127.0.0.1", port=port, loop=asyncio.SelectorEventLoop())
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
