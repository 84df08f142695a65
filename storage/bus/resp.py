"""RESP2, Redis's wire protocol, without I/O: commands to bytes, bytes to replies.

    data = encode_command("PUBLISH", "user:1", b"payload")
    parser = ReplyParser()
    parser.feed(chunk)                   # any chunking: a reply may span many feeds
    for reply in parser.replies():       # the replies complete so far
        ...

Replies are Python values: a simple string is ``str``, a bulk string ``bytes``, an
integer ``int``, nil ``None``, an array ``list``, and an error reply a
:class:`ReplyError` *instance* (returned, not raised: one failed command of a pipeline
does not hide the others' replies). :func:`push_message` reads a pub/sub connection's
arrays (``message``, ``pmessage``, ``subscribe``...) as a :class:`Push`.

Every length on the wire is hostile: the parser refuses a reply bigger than its budget
(``max_reply``, counting bulk bytes and elements), a line longer than ``max_line`` and
arrays nested deeper than ``max_depth``, before allocating anything for them. Its buffer
holds at most the one reply being read plus what the last feed brought.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "ProtocolError",
    "Push",
    "ReplyError",
    "ReplyParser",
    "RespError",
    "encode_command",
    "push_message",
]

DEFAULT_MAX_REPLY = 64 * 1024 * 1024
DEFAULT_MAX_LINE = 64 * 1024
DEFAULT_MAX_DEPTH = 8


class RespError(Exception):
    """Base of what talking to Redis can raise besides OSError."""


class ProtocolError(RespError):
    """The bytes are not RESP2, or a reply goes beyond the parser's limits: the
    connection cannot be trusted any more."""


class ReplyError(RespError):
    """An error reply (``-ERR ...``); the parser returns it as a value."""

    def __eq__(self, other: object) -> bool:
        return type(other) is ReplyError and other.args == self.args

    def __hash__(self) -> int:
        return hash(self.args)


def encode_command(*args: str | bytes | int) -> bytes:
    """One command as an array of bulk strings (what Redis expects from clients)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, int):
            arg = b"%d" % arg
        elif not isinstance(arg, (bytes, bytearray, memoryview)):
            raise TypeError(f"a Redis command argument is str, bytes or int, not {type(arg).__name__}")
        parts.append(b"$%d\r\n" % len(arg))
        parts.append(arg)
        parts.append(b"\r\n")
    return b"".join(parts)


class _Incomplete(Exception):
    """(Internal) the buffer ends inside the current element."""


_INCOMPLETE = _Incomplete()


class ReplyParser:
    """Turns bytes into replies incrementally; see the module docstring.

    Arrays being read keep their parsed elements on a stack, so bytes are looked at once
    however finely a big reply is chunked (only the header of a bulk string whose body
    has not fully arrived is read again).
    """

    def __init__(
        self,
        *,
        max_reply: int = DEFAULT_MAX_REPLY,
        max_line: int = DEFAULT_MAX_LINE,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ):
        self._buffer = bytearray()
        self._pos = 0
        self._max_reply = max_reply
        self._max_line = max_line
        self._max_depth = max_depth
        # Arrays being read, outermost first: [elements still to come, elements so far].
        self._stack: list[list[Any]] = []
        self._budget = max_reply  # left for the top-level reply being read
        self._broken: ProtocolError | None = None

    @property
    def buffered(self) -> int:
        """Bytes received and not yet consumed (part of a reply)."""
        return len(self._buffer) - self._pos

    def feed(self, data: bytes) -> None:
        if self._pos:
            del self._buffer[: self._pos]
            self._pos = 0
        self._buffer += data

    def replies(self) -> list[Any]:
        """Every reply completed by what was fed so far, oldest first."""
        out: list[Any] = []
        while True:
            reply = self.next_reply(_INCOMPLETE)
            if reply is _INCOMPLETE:
                return out
            out.append(reply)

    def next_reply(self, default: Any = None) -> Any:
        """The next complete reply, or ``default`` when more bytes are needed. Raises
        ProtocolError (then and ever after) for bytes that are not a valid reply."""
        if self._broken is not None:
            raise self._broken
        try:
            while True:
                value = self._element()
                stack = self._stack
                while True:
                    if not stack:
                        self._budget = self._max_reply
                        return value
                    top = stack[-1]
                    top[1].append(value)
                    top[0] -= 1
                    if top[0]:
                        break  # read the array's next element
                    stack.pop()
                    value = top[1]
        except _Incomplete:
            return default
        except ProtocolError as exc:
            self._broken = exc
            raise

    # -- one element ------------------------------------------------------------------

    def _element(self) -> Any:
        """One scalar, or an array's header (pushed on the stack; then the loop goes on
        with its first element). Consumes nothing unless the element is complete."""
        while True:
            buffer = self._buffer
            start = self._pos
            end = buffer.find(b"\r\n", start, start + self._max_line + 3)
            if end < 0:
                if len(buffer) - start > self._max_line + 2:
                    raise ProtocolError(f"a RESP line longer than {self._max_line} bytes")
                raise _INCOMPLETE
            kind = buffer[start]
            line = bytes(buffer[start + 1 : end])
            if kind == 0x24:  # $ bulk string
                length = self._length(line)
                if length < 0:
                    self._pos = end + 2
                    return None
                self._spend(length)
                body_end = end + 2 + length
                if len(buffer) < body_end + 2:
                    self._budget += length  # spent again when the body is there
                    raise _INCOMPLETE
                if buffer[body_end : body_end + 2] != b"\r\n":
                    raise ProtocolError("a RESP bulk string not followed by CRLF")
                self._pos = body_end + 2
                return bytes(buffer[end + 2 : body_end])
            self._pos = end + 2
            if kind == 0x2B:  # + simple string
                self._spend(len(line))
                return line.decode("utf-8", "replace")
            if kind == 0x3A:  # : integer
                self._spend(1)
                return self._integer(line)
            if kind == 0x2D:  # - error
                self._spend(len(line))
                return ReplyError(line.decode("utf-8", "replace"))
            if kind == 0x2A:  # * array
                count = self._length(line)
                if count < 0:
                    return None
                self._spend(count)
                if count == 0:
                    return []
                if len(self._stack) >= self._max_depth:
                    raise ProtocolError(f"RESP arrays nested deeper than {self._max_depth}")
                self._stack.append([count, []])
                continue
            self._pos = start
            raise ProtocolError(f"unknown RESP type byte {kind!r}")

    def _spend(self, amount: int) -> None:
        # Each element costs at least one unit, so an array of a billion nils is
        # refused at its header like a billion-byte string.
        amount = max(amount, 1)
        if amount > self._budget:
            raise ProtocolError(f"a RESP reply larger than {self._max_reply} bytes")
        self._budget -= amount

    @staticmethod
    def _integer(line: bytes) -> int:
        if not line or len(line) > 20 or not line.lstrip(b"-").isdigit() or line.count(b"-") > 1:
            raise ProtocolError(f"not a RESP integer: {line[:32]!r}")
        return int(line)

    def _length(self, line: bytes) -> int:
        value = self._integer(line)
        if value < -1:
            raise ProtocolError(f"a negative RESP length: {value}")
        return value


class Push(NamedTuple):
    """A pub/sub connection's message: ``kind`` is ``message``, ``pmessage``,
    ``subscribe``, ``unsubscribe``, ``psubscribe``, ``punsubscribe`` or ``pong``;
    ``data`` the payload of a message, the subscription count of a confirmation."""

    kind: str
    channel: bytes | None
    data: Any
    pattern: bytes | None = None


def push_message(reply: Any) -> Push | None:
    """A pub/sub connection's reply as a Push, or None if it is not one (e.g. an error)."""
    if type(reply) is not list or len(reply) < 2 or type(reply[0]) is not bytes:
        return None
    kind = reply[0].decode("ascii", "replace").lower()
    if kind == "pmessage":
        if len(reply) != 4:
            return None
        return Push(kind, reply[2], reply[3], reply[1])
    if kind == "pong":
        return Push(kind, None, reply[1])
    if len(reply) != 3:
        return None
    return Push(kind, reply[1], reply[2])
