"""AES-256 in IGE mode, the block cipher mode of every MTProto payload.

IGE is used for encrypted messages (https://core.telegram.org/mtproto/description,
"Defining AES Key and Initialization Vector") and for the handshake's
server_DH_inner_data / client_DH_inner_data and RSA_PAD
(https://core.telegram.org/mtproto/auth_key). OpenSSL and ``cryptography`` do not
offer IGE, so two C/Rust extensions are used:

* ``cryptg`` (optional extra ``fast``) when importable: about 2.5x faster on
  large buffers because it uses AES-NI;
* ``tgcrypto`` (hard dependency) otherwise.

Both produce identical bytes (a test checks that whenever cryptg is installed).
The 32-byte IV is the concatenation of the two IGE chaining blocks, as Telegram
defines it. This module only transforms bytes; padding is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable

import tgcrypto

_Cipher = Callable[[bytes, bytes, bytes], bytes]

# name -> (encrypt, decrypt). Kept as data so tests can compare every backend.
_BACKENDS: dict[str, tuple[_Cipher, _Cipher]] = {
    "tgcrypto": (tgcrypto.ige256_encrypt, tgcrypto.ige256_decrypt),
}

try:
    import cryptg
except ImportError:  # the extra is optional
    cryptg = None
else:
    _BACKENDS["cryptg"] = (cryptg.encrypt_ige, cryptg.decrypt_ige)

#: Name of the backend this process uses ("cryptg" or "tgcrypto").
BACKEND: str = "cryptg" if "cryptg" in _BACKENDS else "tgcrypto"
_encrypt, _decrypt = _BACKENDS[BACKEND]
# cryptg takes bytes only; tgcrypto any buffer, so a memoryview or bytearray goes in
# without a copy (a message may be 512 KB).
_input: Callable[[bytes], bytes] = bytes if BACKEND == "cryptg" else (lambda data: data)


def _check(data: bytes, key: bytes, iv: bytes) -> None:
    # The extensions either raise opaque errors or (tgcrypto, for unaligned data)
    # silently pad; checking here gives one clear error for both backends.
    if len(key) != 32:
        raise ValueError(f"AES-256-IGE key must be 32 bytes, got {len(key)}")
    if len(iv) != 32:
        raise ValueError(f"AES-256-IGE iv must be 32 bytes, got {len(iv)}")
    if len(data) % 16:
        raise ValueError(f"AES-IGE data must be a multiple of 16 bytes, got {len(data)}")


def ige256_encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    """Encrypt ``data`` (a multiple of 16 bytes) with AES-256-IGE."""
    _check(data, key, iv)
    if not data:
        return b""
    return _encrypt(_input(data), bytes(key), bytes(iv))


def ige256_decrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    """Decrypt ``data`` (a multiple of 16 bytes) with AES-256-IGE."""
    _check(data, key, iv)
    if not data:
        return b""
    return _decrypt(_input(data), bytes(key), bytes(iv))
