"""Logging set-up: structlog events as JSON lines or as readable console output.

``log_format`` (:class:`server.config.Config`) chooses: ``json`` -- one JSON object per
line, for collectors; ``console`` -- aligned, coloured when the stream is a terminal;
``auto`` -- console on a terminal, JSON lines otherwise (containers, pipes, files).
Every event carries ``timestamp`` (ISO 8601, UTC), ``level``, ``logger`` and ``event``.
Records from the standard :mod:`logging` module (libraries) go through the same
renderer, so the output stays one format.

Modules take a logger with ``log = get_logger(__name__)`` at import time; it is lazy, so
:func:`configure_logging` may run later (the command line calls it once at start-up).
Events are names, details are keyword arguments:
``log.info("connection_closed", peer=..., reason=...)``.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Literal, TextIO

import msgspec
import structlog
import structlog.tracebacks

from .log_redaction import redact

_HANDLER_NAME = "mtserver"

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.add_logger_name,  # logger.name, or the stdlib record's name
]


def get_logger(name: str) -> Any:
    """A structlog logger whose events carry ``logger=name`` (once configured)."""
    return structlog.get_logger(name)


def resolve_log_format(log_format: str, stream: TextIO | None = None) -> Literal["json", "console"]:
    """``auto`` becomes ``console`` on a terminal and ``json`` otherwise."""
    if log_format in ("json", "console"):
        return log_format  # type: ignore[return-value]
    if log_format != "auto":
        raise ValueError(f"log_format must be auto, json or console, got {log_format!r}")
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "console" if isatty is not None and isatty() else "json"


def configure_logging(log_format: str = "auto", *, stream: TextIO | None = None,
                      level: str | int = "info") -> Literal["json", "console"]:
    """Set up structlog and the standard library's root logger; returns the format used.

    ``stream`` None means standard output as it is at each write (so redirections and
    test capture keep working). Calling it again replaces the previous set-up.
    """
    resolved = resolve_log_format(log_format, stream)
    numeric_level = logging.getLevelNamesMapping()[level.upper()] if isinstance(level, str) else level
    target = sys.stdout if stream is None else stream
    # Tracebacks never show local variables (a failing call's locals hold its
    # credentials, signed headers and the user's data), and every event is redacted
    # (server/log_redaction.py) after its traceback became text.
    if resolved == "json":
        tracebacks = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False))
        renderer: list[Any] = [tracebacks, redact, render_json]
    else:
        isatty = getattr(target, "isatty", None)
        renderer = [structlog.processors.format_exc_info, redact,
                    structlog.dev.ConsoleRenderer(colors=bool(isatty and isatty()),
                                                  exception_formatter=structlog.dev.plain_traceback)]

    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.processors.StackInfoRenderer(), *renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=lambda name="", *_: _NamedPrintLogger(sys.stdout if stream is None else stream, name),
        # Not cached: loggers made at import time must follow a later configure_logging().
        cache_logger_on_first_use=False,
    )

    handler: logging.Handler = _CurrentStdoutHandler() if stream is None else logging.StreamHandler(stream)
    handler.name = _HANDLER_NAME
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    ))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.name == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    return resolved


_json_encoder = msgspec.json.Encoder(enc_hook=repr)


def render_json(logger: Any, method_name: str, event_dict: dict) -> str:
    """structlog's JSONRenderer's output (``json.dumps``: ", " and ": " between items,
    ASCII only), at a third of the cost: msgspec encodes, its formatter adds the spaces.
    After `redact` every value is JSON's own or text; anything else is its repr, as
    with structlog. Text beyond ASCII goes through ``json.dumps`` (its \\u escapes)."""
    try:
        text = msgspec.json.format(_json_encoder.encode(event_dict), indent=0).decode()
        if text.isascii():
            return text
    except (TypeError, ValueError, OverflowError):
        pass
    return json.dumps(event_dict, default=repr)


def set_level(level: str) -> None:
    """The least severe events written from now on (``log_level`` changed at run time);
    the format and destination stay as configure_logging set them."""
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(numeric_level))
    logging.getLogger().setLevel(numeric_level)


class _NamedPrintLogger(structlog.PrintLogger):
    """A PrintLogger with the ``name`` that structlog.stdlib.add_logger_name reads."""

    def __init__(self, file: TextIO, name: str):
        super().__init__(file)
        self.name = name

    def msg(self, message: str) -> None:
        # One write of the line and its newline: print() makes two, and each is a
        # system call when the stream is unbuffered (PYTHONUNBUFFERED, python -u).
        with self._lock:
            self._file.write(message + "\n")
            self._file.flush()

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


class _CurrentStdoutHandler(logging.StreamHandler):
    """A StreamHandler that writes to whatever ``sys.stdout`` is at the time."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass
