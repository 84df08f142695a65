"""AES-IGE envelope of the handshake's inner data: ``SHA1(data) + data + padding``.

https://core.telegram.org/mtproto/auth_key:

* step 6, server -> client: answer_with_hash := SHA1(answer) + answer + (0-15
  random bytes) so the length is divisible by 16, then AES256_ige_encrypt with
  tmp_aes_key / tmp_aes_iv (see :mod:`.handshake_keys`);
* step 7, client -> server: data_with_hash := SHA1(data) + data + (0-15 random
  bytes), same cipher and keys.

The receiving side must check the SHA1 (security_guidelines, "Checking SHA1
hash values during key generation"). :func:`decrypt_with_hash` does, finding the
data length by itself (see :mod:`._sha1_prefix`) so no TL decoder is needed here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from ._sha1_prefix import sha1_prefix_length
from .aes_ige import ige256_decrypt, ige256_encrypt
from .errors import HandshakeHashMismatch

_MAX_PADDING = 15


def encrypt_with_hash(data: bytes, key: bytes, iv: bytes, *, padding: bytes | None = None,
                      randbytes: Callable[[int], bytes] = os.urandom) -> bytes:
    """AES-IGE(SHA1(data) + data + padding): the server_DH_params_ok encrypted_answer.

    ``padding`` defaults to the 0..15 random bytes (from ``randbytes``) that align the
    total to 16; pass it to reproduce a known vector.
    """
    body = hashlib.sha1(data).digest() + data
    if padding is None:
        padding = randbytes(-len(body) % 16)
    elif len(padding) > _MAX_PADDING or (len(body) + len(padding)) % 16:
        raise ValueError(f"padding of {len(padding)} bytes does not align {len(body)} bytes to 16")
    return ige256_encrypt(body + padding, key, iv)


def decrypt_with_hash(encrypted: bytes, key: bytes, iv: bytes) -> bytes:
    """Decrypt an envelope and return ``data`` with the SHA1 checked and padding removed.

    Raises :class:`HandshakeHashMismatch` if the length is unusable or no
    4-aligned prefix within 15 bytes of the end hashes to the leading SHA1.
    """
    if len(encrypted) % 16 or len(encrypted) < 32:
        raise HandshakeHashMismatch(
            f"encrypted handshake data of {len(encrypted)} bytes is not a multiple of 16 of at least 32"
        )
    plain = ige256_decrypt(encrypted, key, iv)
    digest, rest = plain[:20], plain[20:]
    length = sha1_prefix_length(digest, rest, _MAX_PADDING)
    if length is None:
        raise HandshakeHashMismatch(
            f"SHA1 prefix matches no 4-aligned payload in {len(encrypted)} decrypted bytes"
        )
    return rest[:length]
