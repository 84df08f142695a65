"""MTProto 2.0 msg_key and the AES key/IV derived from it.

The formulas are those of https://core.telegram.org/mtproto/description,
"Defining AES Key and Initialization Vector":

    msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + random_padding)
    msg_key       = substr(msg_key_large, 8, 16)
    sha256_a      = SHA256(msg_key + substr(auth_key, x, 36))
    sha256_b      = SHA256(substr(auth_key, 40+x, 36) + msg_key)
    aes_key       = sha256_a[0:8] + sha256_b[8:24] + sha256_a[24:32]
    aes_iv        = sha256_b[0:8] + sha256_a[8:24] + sha256_b[24:32]

with x = 0 for client -> server and x = 8 for server -> client. Using a different
slice of auth_key per direction means a message can never be reflected back to its
sender and still decrypt.

Only MTProto 2.0 is implemented: 1.0 (SHA1, padding excluded from msg_key) is
deprecated and no supported client uses it.
"""

from __future__ import annotations

import hashlib

#: x for messages the client sends (we decrypt with it).
X_CLIENT_TO_SERVER = 0
#: x for messages the server sends (we encrypt with it).
X_SERVER_TO_CLIENT = 8


def _check_x(x: int) -> None:
    if x not in (X_CLIENT_TO_SERVER, X_SERVER_TO_CLIENT):
        raise ValueError(f"x must be 0 (client->server) or 8 (server->client), got {x!r}")


def compute_msg_key(auth_key: bytes, plaintext_with_padding: bytes, x: int) -> bytes:
    """The 16-byte msg_key of a plaintext that already includes its padding."""
    _check_x(x)
    # Fed in two steps rather than concatenated: a message may be 512 KB, not worth a copy.
    large = hashlib.sha256(auth_key[88 + x : 88 + x + 32])
    large.update(plaintext_with_padding)
    return large.digest()[8:24]


def derive_aes_key_iv(auth_key: bytes, msg_key: bytes, x: int) -> tuple[bytes, bytes]:
    """(aes_key, aes_iv), 32 bytes each, for one message in direction ``x``."""
    _check_x(x)
    sha256_a = hashlib.sha256(msg_key + auth_key[x : x + 36]).digest()
    sha256_b = hashlib.sha256(auth_key[40 + x : 40 + x + 36] + msg_key).digest()
    aes_key = sha256_a[0:8] + sha256_b[8:24] + sha256_a[24:32]
    aes_iv = sha256_b[0:8] + sha256_a[8:24] + sha256_b[24:32]
    return aes_key, aes_iv
