"""Server salts derived, not stored: any server process can check any salt.

salt(auth key, slot) = first 8 bytes of HMAC-SHA256(server secret, auth_key_id ‖ slot),
with 30-minute slots. A salt is valid in its slot and for another 1,800 s after it
(PROTOCOL.md rule 9), so the previous slot's salt is accepted too. The salt a handshake
produced (new_nonce ⊕ server_nonce) is accepted for the key's first slot-length of life.
"""

from __future__ import annotations

import hmac
import struct
from dataclasses import dataclass

SLOT_SECONDS = 1800
_PACK = struct.Struct("<qq").pack


@dataclass(frozen=True)
class SaltPolicy:
    secret: bytes

    def salt(self, auth_key_id: int, slot: int) -> int:
        digest = hmac.digest(self.secret, _PACK(auth_key_id, slot), "sha256")  # one call into OpenSSL
        return int.from_bytes(digest[:8], "little", signed=True)

    def current(self, auth_key_id: int, now: float) -> int:
        return self.salt(auth_key_id, int(now) // SLOT_SECONDS)

    def is_valid(self, auth_key_id: int, salt: int, now: float) -> bool:
        slot = int(now) // SLOT_SECONDS
        return salt == self.salt(auth_key_id, slot) or salt == self.salt(auth_key_id, slot - 1)

    def future(self, auth_key_id: int, now: float, count: int) -> list[tuple[int, int, int]]:
        """(valid_since, valid_until, salt) for `count` slots from the current one."""
        slot = int(now) // SLOT_SECONDS
        out = []
        for s in range(slot, slot + max(1, min(count, 64))):
            out.append((s * SLOT_SECONDS, (s + 2) * SLOT_SECONDS, self.salt(auth_key_id, s)))
        return out
