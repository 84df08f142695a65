"""The filters of `mtserver inspect`: which records to show."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

_ERROR_SERVICE = frozenset({"bad_msg_notification", "bad_server_salt"})


def is_error(record: dict) -> bool:
    """An RPC error, a bad_msg_notification / bad_server_salt, or a message that did not read."""
    if record.get("kind") in ("error", "undecodable", "dropped"):
        return True
    obj = record.get("obj")
    return isinstance(obj, dict) and obj.get("_") in _ERROR_SERVICE


def parse_auth_key(text: str) -> int:
    """An auth key id as records have it (signed decimal), or as file names do (hex after
    ``key-``; ``0x`` or any hex letter also mean hex)."""
    text = text.strip().lower()
    hex_form = text.startswith(("key-", "0x")) or any(c in "abcdef" for c in text)
    if not hex_form:
        return int(text, 10)
    value = int(text.removeprefix("key-").removeprefix("0x"), 16)
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass
class Filter:
    methods: list[str] = field(default_factory=list)
    users: set[int] = field(default_factory=set)
    auth_keys: set[int] = field(default_factory=set)
    errors: bool = False

    def __call__(self, record: dict) -> bool:
        if self.users and record.get("user_id") not in self.users:
            return False
        if self.auth_keys and record.get("auth_key_id") not in self.auth_keys:
            return False
        if self.methods:
            method = record.get("method")
            if method is None or not any(fnmatch.fnmatchcase(method, pattern) for pattern in self.methods):
                return False
        return not self.errors or is_error(record)


__all__ = ["Filter", "is_error", "parse_auth_key"]
