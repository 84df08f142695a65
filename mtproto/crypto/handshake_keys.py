"""Values the handshake derives from its nonces (https://core.telegram.org/mtproto/auth_key).

* tmp_aes_key / tmp_aes_iv (step 6) encrypt server_DH_inner_data and
  client_DH_inner_data; they depend only on new_nonce and server_nonce, which is
  what proves to the client that the server could decrypt req_DH_params.
* new_nonce_hash1/2/3 (step 9) authenticate dh_gen_ok / dh_gen_retry /
  dh_gen_fail; the different leading byte stops an attacker turning one answer
  into another.
* The fail hash of server_DH_params_fail (step 6) is SHA1(new_nonce) alone.
* The first server_salt (step 9) is new_nonce[0:8] XOR server_nonce[0:8].

Nonces are taken as the raw bytes that travel on the wire: int128/int256 fields
are byte strings as far as hashing goes ("if they are part of SHA1, the bytes are
not rearranged"). An ``int`` is also accepted and converted the way TL encodes it
(little-endian, two's complement), which is how Telethon stores nonces.
"""

from __future__ import annotations

import hashlib

from .auth_key import auth_key_aux_hash


def _nonce(value: bytes | int, size: int, name: str) -> bytes:
    if isinstance(value, int):
        return value.to_bytes(size, "little", signed=value < 0)
    if len(value) != size:
        raise ValueError(f"{name} must be {size} bytes, got {len(value)}")
    return bytes(value)


def tmp_aes_key_iv(new_nonce: bytes | int, server_nonce: bytes | int) -> tuple[bytes, bytes]:
    """(tmp_aes_key, tmp_aes_iv), 32 bytes each, for server/client_DH_inner_data."""
    nn = _nonce(new_nonce, 32, "new_nonce")
    sn = _nonce(server_nonce, 16, "server_nonce")
    nn_sn = hashlib.sha1(nn + sn).digest()
    sn_nn = hashlib.sha1(sn + nn).digest()
    nn_nn = hashlib.sha1(nn + nn).digest()
    key = nn_sn + sn_nn[:12]
    iv = sn_nn[12:20] + nn_nn + nn[:4]
    return key, iv


def new_nonce_hash(new_nonce: bytes | int, number: int, auth_key: bytes) -> bytes:
    """new_nonce_hash``number`` (1 = dh_gen_ok, 2 = retry, 3 = fail) as 16 wire bytes.

    "128 lower-order bits of SHA1(new_nonce + byte(number) + auth_key_aux_hash)",
    i.e. the last 16 of the 20 digest bytes.
    """
    if number not in (1, 2, 3):
        raise ValueError(f"new_nonce_hash number must be 1, 2 or 3, got {number}")
    nn = _nonce(new_nonce, 32, "new_nonce")
    return hashlib.sha1(nn + bytes([number]) + auth_key_aux_hash(auth_key)).digest()[4:20]


def dh_params_fail_hash(new_nonce: bytes | int) -> bytes:
    """new_nonce_hash of server_DH_params_fail: the last 16 bytes of SHA1(new_nonce)."""
    return hashlib.sha1(_nonce(new_nonce, 32, "new_nonce")).digest()[4:20]


def initial_server_salt(new_nonce: bytes | int, server_nonce: bytes | int) -> int:
    """The first server_salt of a new auth key, as a signed int64.

    The XOR is of byte strings; the result is read little-endian because the
    salt travels as the ``long`` at the start of every encrypted plaintext.
    """
    nn = _nonce(new_nonce, 32, "new_nonce")
    sn = _nonce(server_nonce, 16, "server_nonce")
    salt = bytes(a ^ b for a, b in zip(nn[:8], sn[:8]))
    return int.from_bytes(salt, "little", signed=True)
