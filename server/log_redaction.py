"""The last step before a log event is rendered: secrets and user content come out.

Log lines travel further than the server (collectors, tickets, screenshots), so an
event may name what happened and to whom (ids, methods, error names, sizes) but never
carry what would let a reader act as someone or read what they wrote:

- fields whose name says secret (password, secret, token, auth_key, api_hash,
  phone_code_hash, srp_*, signature, credential, authorization, ...) are masked, at
  any depth (dicts, lists, the exception dicts of JSON tracebacks);
- inside any text, credentials in URLs (``scheme://user:***@host``), signed S3 request
  parts (X-Amz-Signature/Credential/Security-Token, ``Signature=``, ``Credential=``)
  and ``AWS4-HMAC-SHA256``/``Bearer``/``Basic`` authorization values are masked;
- bytes are logged as their length only (file parts, photos, keys);
- text longer than MAX_TEXT characters is cut (an error message carrying a request).

Tracebacks are rendered without local variables (server/logging.py), which is where a
failing library call keeps its arguments; this step catches what is left in messages.

Must not: drop events or raise (a logging failure must not become a server failure),
or mask ids (``auth_key_id``, ``user_id``) that operators need to follow a problem.
"""

from __future__ import annotations

import functools
import re
from typing import Any

MASK = "***"
MAX_TEXT = 4096
MAX_DEPTH = 8

# Parts of field names that mark a secret; names ending in _id (auth_key_id) are ids.
_SECRET_NAME = re.compile(
    r"password|passwd|secret|token|auth_key|api_hash|phone_code|code_hash|srp_|signature|credential"
    r"|authorization|cookie|private|^key$|^m1$|^bytes$",
    re.IGNORECASE,
)
_ID_NAME = re.compile(r"_ids?$", re.IGNORECASE)

_TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host → scheme://user:***@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/:@'\"]*):[^\s/@'\"]*@"), r"\1:" + MASK + "@"),
    (re.compile(r"(X-Amz-(?:Signature|Credential|Security-Token))=[^&\s'\"]+", re.IGNORECASE), r"\1=" + MASK),
    (re.compile(r"\b(Signature|Credential)=[^,&\s'\"]+"), r"\1=" + MASK),
    (re.compile(r"\b(AWS4-HMAC-SHA256|Bearer|Basic)\s+[^'\"\n]+", re.IGNORECASE), r"\1 " + MASK),
)


# What every text rule above needs to match at all: the text that cannot hold a secret
# (peers, event names: nearly all of it) skips the four substitutions, which were most
# of the cost of a log line. Substring tests, not one case-insensitive regex (which
# tries every position: 1.3 µs for a peer, 29 µs for 200 characters); casefold() folds
# at least what the rules' IGNORECASE does (ſ is s, K is k), so nothing they would
# mask gets past.
_WORDS = ("bearer", "basic", "aws4-hmac-sha256")


def _may_hold_secret(text: str) -> bool:
    if "=" in text or "://" in text:
        return True
    folded = text.casefold()
    return any(word in folded for word in _WORDS)


def redact_text(text: str) -> str:
    if _may_hold_secret(text):
        for pattern, replacement in _TEXT_RULES:
            text = pattern.sub(replacement, text)
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]}… ({len(text)} characters)"
    return text


def secret_name(name: Any) -> bool:
    return isinstance(name, str) and _secret_name(name)


@functools.lru_cache(maxsize=1024)
def _secret_name(name: str) -> bool:
    # Field names come from the code, a few hundred at most: each is judged once.
    return _SECRET_NAME.search(name) is not None and not _ID_NAME.search(name)


def redact_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if depth >= MAX_DEPTH:
        return value if isinstance(value, (int, float, bool, type(None))) else "<…>"
    if isinstance(value, dict):
        return {k: (MASK if secret_name(k) and v not in (None, "", b"") else redact_value(v, depth + 1))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v, depth + 1) for v in value]
    if isinstance(value, (int, float, bool, type(None))):
        return value
    # Anything else is rendered through repr() later: redact that text now.
    return redact_text(repr(value))


# Fields the logging set-up adds itself (server/logging.py), from the clock and the code:
# nothing to mask, and three of a line's few strings.
_OWN_FIELDS = frozenset(("timestamp", "level", "logger"))


def redact(logger: Any, method_name: str, event_dict: dict) -> dict:
    """structlog processor: the event with secrets masked (see the module docstring)."""
    try:
        out = {}
        for key, value in event_dict.items():
            if key in _OWN_FIELDS and isinstance(value, str) and len(value) <= MAX_TEXT:
                out[key] = value
            elif key in ("exc_info", "stack_info") and not isinstance(value, str):
                out[key] = value  # rendered later by structlog; no locals (server/logging.py)
            elif secret_name(key) and value not in (None, "", b""):
                out[key] = MASK
            else:
                out[key] = redact_value(value)
        return out
    except Exception:  # pragma: no cover - a redaction bug must not silence the server's logs
        return {"event": "log_redaction_failed", "level": event_dict.get("level"), "logger": event_dict.get("logger")}
