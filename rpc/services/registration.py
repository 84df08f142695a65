"""Who may create an account: the operator's registration policy.

- `open` (default): any phone number.
- `allowlist`: numbers matching one of `registration_allowlist` (full numbers, or
  prefixes ending in `*`: "1555*").
- `invite`: a new number signs up with an invite code from `mtserver admin invites
  create`, typed where the login code goes (no code is sent to unknown numbers).

Existing accounts always log in with ordinary codes.
"""

from __future__ import annotations

POLICIES = ("open", "allowlist", "invite")


def allowlisted(phone: str, allowlist) -> bool:
    for entry in allowlist or ():
        entry = entry.strip().lstrip("+")
        if entry.endswith("*") and phone.startswith(entry[:-1]):
            return True
        if entry == phone:
            return True
    return False


def policy_of(config) -> str:
    return getattr(config, "registration", "open") or "open"
