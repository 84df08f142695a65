"""Phone numbers as the server stores them: ASCII digits only, no "+", 5 to 15 digits (E.164).

`str.isdigit()` is not a phone check: it accepts superscripts, circled digits and the digits
of every script, so "１５５５…" (full-width) would be a second account that displays like
"1555…" and has its own code limits. Decimal digits of other scripts (Unicode category Nd:
full-width, Arabic-Indic, Devanagari, ...) mean the same number and become ASCII; anything
else that merely looks like a digit is PHONE_NUMBER_INVALID.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import E, RpcError

_SEPARATORS = re.compile(r"[\s\-().]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> str | None:
    """Text of decimal digits of any script as ASCII digits; None if any character is not one."""
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        out.append(chr(0x30 + value))
    return "".join(out)


def normalize_phone(raw: str) -> str:
    """'+1 (555) 000-1234' → '15550001234'; PHONE_NUMBER_INVALID for anything else."""
    phone = _SEPARATORS.sub("", raw or "")
    if phone.startswith("+"):
        phone = phone[1:]
    phone = ascii_digits(phone) or ""
    if not _ASCII_DIGITS.fullmatch(phone) or not 5 <= len(phone) <= 15 or phone.startswith("0"):
        raise RpcError(400, E.PHONE_NUMBER_INVALID)
    return phone
