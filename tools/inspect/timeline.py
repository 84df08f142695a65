"""One readable line per captured message: requests, their answers with latency, errors.

    12:00:01.204 u1000001 key 4f1e…90 → messages.sendMessage #71 peer=inputPeerSelf message='hi' random_id=77…
    12:00:01.231 u1000001 key 4f1e…90 ← messages.sendMessage #71 ok 27.0 ms updateShortSentMessage id=3 pts=5 …
    12:00:02.010 u1000001 key 4f1e…90 ← messages.editMessage #75 ERROR 400 MESSAGE_NOT_MODIFIED 3.1 ms

``#N`` numbers a request and its answer alike (the msg_id is long; ``--ids`` prints it).
Errors are marked ``ERROR`` (red on a terminal). ``--full`` adds the whole TL object.
"""

from __future__ import annotations

import json

from .filters import is_error

RED = "\033[31;1m"
DIM = "\033[2m"
RESET = "\033[0m"
SUMMARY_WIDTH = 110
_ARROWS = {"in": "→", "out": "←"}


def clock(seconds: float) -> str:
    import time

    whole = int(seconds)
    return time.strftime("%H:%M:%S", time.gmtime(whole)) + f".{int((seconds - whole) * 1000):03d}"


def short_key(auth_key_id) -> str:
    if not isinstance(auth_key_id, int):
        return "?"
    text = f"{auth_key_id & 0xFFFFFFFFFFFFFFFF:016x}"
    return f"{text[:4]}…{text[-2:]}"


def summary(obj, width: int = SUMMARY_WIDTH) -> str:
    """``name field=value ...`` of a TL dict, nested objects by name, cut to width."""
    if isinstance(obj, list):
        text = f"[{len(obj)}] " + " ".join(summary(item, 30) for item in obj[:3])
    elif isinstance(obj, dict):
        parts = [str(obj.get("_", "?"))]
        for name, value in obj.items():
            if name == "_":
                continue
            parts.append(f"{name}={_value(value)}")
        text = " ".join(parts)
    else:
        text = json.dumps(obj)
    return text if len(text) <= width else text[: width - 1] + "…"


def _value(value) -> str:
    if isinstance(value, dict):
        inner = value.get("query") if isinstance(value.get("query"), dict) else None
        return str(value.get("_", "{…}")) + (f"({inner.get('_')})" if inner else "")
    if isinstance(value, list):
        return f"[{len(value)}]"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    return str(value)


def _innermost(obj):
    """The query inside invokeWithLayer, initConnection & co.: what the call is about."""
    while isinstance(obj, dict) and isinstance(obj.get("query"), dict):
        obj = obj["query"]
    return obj


class Timeline:
    def __init__(self, color: bool = False, full: bool = False, ids: bool = False, service: bool = True):
        self.color = color
        self.full = full
        self.ids = ids
        self.service = service
        self._numbers: dict[tuple, int] = {}

    def _number(self, record: dict, msg_id) -> str:
        key = (record.get("auth_key_id"), record.get("session_id"), msg_id)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self._numbers) + 1
            if len(self._numbers) > 100_000:
                self._numbers.clear()
        return f"#{number}" if not self.ids else f"#{msg_id}"

    def line(self, record: dict) -> str | None:
        kind = record.get("kind")
        if not self.service and kind in ("service", "container") and not is_error(record):
            return None
        when = clock(record.get("time") or 0)
        who = f"u{record['user_id']}" if record.get("user_id") else "-"
        if kind == "dropped":
            return self._paint(f"{when} {RED if self.color else ''}!! {record.get('count')} messages not captured "
                               f"(the capture's buffer was full){RESET if self.color else ''}", error=False)
        head = f"{when} {who} key {short_key(record.get('auth_key_id'))} {_ARROWS.get(record.get('direction'), '?')}"
        method = record.get("method") or ""
        if kind == "request":
            fields = summary(_innermost(record.get("obj"))).removeprefix(method).lstrip()
            text = f"{head} {method} {self._number(record, record.get('msg_id'))} {fields}".rstrip()
        elif kind in ("result", "error"):
            number = self._number(record, record.get("req_msg_id"))
            latency = f" {record['latency_ms']:.1f} ms" if isinstance(record.get("latency_ms"), (int, float)) else ""
            if kind == "error":
                error = record.get("error") or {}
                text = f"{head} {method or '?'} {number} ERROR {error.get('code')} {error.get('message')}{latency}"
            else:
                text = f"{head} {method or '?'} {number} ok{latency} {summary(record.get('obj'))}"
        elif kind == "container":
            text = f"{head} container of {len(record.get('messages') or [])}"
        elif kind == "undecodable":
            text = (f"{head} UNDECODABLE {record.get('size')} bytes: {record.get('decode_error')} "
                    f"{(record.get('hex') or '')[:48]}…")
        else:  # service, update
            text = f"{head} {summary(record.get('obj'))}"
            if record.get("req_msg_id") is not None:
                text += f" (re {self._number(record, record['req_msg_id'])})"
        if self.full and isinstance(record.get("obj"), (dict, list)):
            text += "\n" + json.dumps(record["obj"], indent=2, ensure_ascii=False)
        return self._paint(text, is_error(record))

    def _paint(self, text: str, error: bool) -> str:
        if error and self.color:
            return f"{RED}{text}{RESET}"
        return text


__all__ = ["Timeline", "summary", "clock"]
