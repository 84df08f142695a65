"""What a username may look like (users and channels alike)."""

from __future__ import annotations

import re

# https://core.telegram.org/method/account.updateUsername: a-z, 0-9 and underscores,
# 5 to 32 characters, starting with a letter, not ending with an underscore.
USERNAME_RE = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9_]{3,30})[a-zA-Z0-9]$")


def valid_username(username: str) -> bool:
    return bool(USERNAME_RE.match(username)) and "__" not in username
