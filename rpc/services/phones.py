"""Phone numbers as the server stores them: digits only, no "+", 5 to 15 digits (E.164)."""

from __future__ import annotations

import re

from ..errors import RpcError

_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_phone(raw: str) -> str:
    """'+1 (555) 000-1234' → '15550001234'; PHONE_NUMBER_INVALID for anything else."""
    phone = _SEPARATORS.sub("", raw or "")
    if phone.startswith("+"):
        phone = phone[1:]
    if not phone.isdigit() or not 5 <= len(phone) <= 15 or phone.startswith("0"):
        raise RpcError(400, "PHONE_NUMBER_INVALID")
    return phone
