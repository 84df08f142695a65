"""Server-side decryption of req_DH_params' encrypted_data (https://core.telegram.org/mtproto/auth_key step 4).

The client encrypts p_q_inner_data with the server's public RSA key in one of two
ways, and real clients use both (PROTOCOL.md rule 24), so both are accepted:

RSA_PAD (current, step 4.1) -- m = temp_key_xor (32) + aes_encrypted (224), where
    temp_key        = temp_key_xor XOR SHA256(aes_encrypted)
    data_with_hash  = AES256_IGE_decrypt(aes_encrypted, temp_key, iv = 32 zero bytes)
    data_with_hash  = BYTE_REVERSE(data_with_padding) (192) + SHA256(temp_key + data_with_padding) (32)
  The check is the SHA256. The result is data_with_padding, 192 bytes: the TL
  object followed by random padding, which the TL decoder simply stops before.

Old padding (before RSA_PAD; still what Telethon 1.45's rsa.encrypt and Pyrogram's
  session/auth.py build) --
  m = SHA1(data) + data + random padding, 255 bytes, so the 256-byte block
  starts with a zero byte. data's length is not transmitted; we recover it by
  finding the 4-aligned prefix whose SHA1 matches (see :mod:`._sha1_prefix`),
  so the result is exactly ``data`` and its SHA1 has been verified.

The RSA operation itself is textbook m = c^d mod n, which ``cryptography`` does not
offer (its decryption insists on OAEP or PKCS#1 v1.5 padding). It is OpenSSL's
unpadded private operation (blinding, CRT, constant-time exponentiation) through
:mod:`.openssl` when Python's libcrypto offers it; otherwise the same steps here, with
the constant-time exponentiation of :mod:`.modexp`. Both give the same block.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import NamedTuple

from ._sha1_prefix import sha1_prefix_length
from .aes_ige import ige256_decrypt
from .errors import RsaDecryptionError
from .modexp import modinv, powmod, powmod_secret
from .rsa_keys import ServerRsaKey

BLOCK_SIZE = 256
RSA_PAD_DATA_SIZE = 192
OLD_PADDING_PAYLOAD_SIZE = 235  # 255 - SHA1 length

SCHEME_RSA_PAD = "rsa_pad"
SCHEME_OLD = "old"


class InnerData(NamedTuple):
    """What :func:`decrypt_inner_data` recovered, and from which padding scheme."""

    data: bytes
    scheme: str


def rsa_private_op(key: ServerRsaKey, encrypted_data: bytes) -> bytes:
    """Raw RSA decryption: c^d mod n as 256 big-endian bytes.

    encrypted_data should be exactly 256 bytes; shorter input is read as a
    big-endian number all the same, in case a client strips leading zero bytes
    as some do with g_b (PROTOCOL.md rule 25).
    """
    if len(encrypted_data) > BLOCK_SIZE:
        raise RsaDecryptionError(f"encrypted_data is {len(encrypted_data)} bytes, more than {BLOCK_SIZE}")
    c = int.from_bytes(encrypted_data, "big")
    if c >= key.n:
        raise RsaDecryptionError(
            f"encrypted_data is not below the modulus of key {key.fingerprint_hex}"
        )
    if key.raw is not None:
        return key.raw.decrypt(c.to_bytes(BLOCK_SIZE, "big"))
    return rsa_private_op_crt(key, c)


def rsa_private_op_crt(key: ServerRsaKey, c: int) -> bytes:
    """c^d mod n (c below n) without OpenSSL: blinding, CRT, constant-time exponentiation."""
    # Blinding: the exponentiation runs on c * r^e for a fresh random r, so its
    # timing is unrelated to the attacker-chosen c (the remote timing attack on
    # RSA servers); dividing by r afterwards gives the same m.
    while True:
        r = secrets.randbelow(key.n - 2) + 2
        try:
            r_inv = modinv(r, key.n)
        except ValueError:  # r shares a factor with n: astronomically unlikely
            continue
        break
    blinded = c * powmod(r, key.e, key.n) % key.n
    # CRT: two 1024-bit exponentiations instead of one 2048-bit one (~3x faster).
    m1 = powmod_secret(blinded, key.dp, key.p)
    m2 = powmod_secret(blinded, key.dq, key.q)
    h = (key.qinv * (m1 - m2)) % key.p
    m = (m2 + h * key.q) * r_inv % key.n
    return m.to_bytes(BLOCK_SIZE, "big")


def unpad_rsa_pad(block: bytes) -> bytes:
    """Undo RSA_PAD on a decrypted 256-byte block; return the 192-byte data_with_padding."""
    if len(block) != BLOCK_SIZE:
        raise RsaDecryptionError(f"RSA block must be {BLOCK_SIZE} bytes, got {len(block)}")
    temp_key_xor, aes_encrypted = block[:32], block[32:]
    aes_hash = hashlib.sha256(aes_encrypted).digest()
    temp_key = (int.from_bytes(temp_key_xor, "big") ^ int.from_bytes(aes_hash, "big")).to_bytes(32, "big")
    data_with_hash = ige256_decrypt(aes_encrypted, temp_key, bytes(32))
    data_with_padding = data_with_hash[:RSA_PAD_DATA_SIZE][::-1]
    expected = hashlib.sha256(temp_key + data_with_padding).digest()
    if not hmac.compare_digest(expected, data_with_hash[RSA_PAD_DATA_SIZE:]):
        raise RsaDecryptionError("RSA_PAD hash SHA256(temp_key + data_with_padding) does not match")
    return data_with_padding


def check_old_padding(sha1_digest: bytes, data: bytes) -> bool:
    """Whether ``data`` is what the old padding's leading SHA1 covers.

    For callers that learnt the data length elsewhere (e.g. from the TL
    decoder) and want to re-check a prefix themselves.
    """
    return hmac.compare_digest(hashlib.sha1(data).digest(), sha1_digest)


def unpad_old(block: bytes) -> bytes:
    """Undo the old ``SHA1(data) + data + padding`` scheme; return exactly ``data``."""
    if len(block) != BLOCK_SIZE:
        raise RsaDecryptionError(f"RSA block must be {BLOCK_SIZE} bytes, got {len(block)}")
    # The client encrypted a 255-byte string, so the 256-byte block starts with 0.
    if block[0] != 0:
        raise RsaDecryptionError("old-padding block does not start with a zero byte")
    digest, rest = block[1:21], block[21:]
    length = sha1_prefix_length(digest, rest, OLD_PADDING_PAYLOAD_SIZE)
    if length is None:
        raise RsaDecryptionError("old-padding SHA1 matches no 4-aligned prefix of the payload")
    return rest[:length]


def decrypt_rsa_pad(key: ServerRsaKey, encrypted_data: bytes) -> bytes:
    """RSA + RSA_PAD: the 192-byte data_with_padding (TL object + random padding)."""
    return unpad_rsa_pad(rsa_private_op(key, encrypted_data))


def decrypt_old_padding(key: ServerRsaKey, encrypted_data: bytes) -> bytes:
    """RSA + old padding: exactly the TL bytes the client hashed."""
    return unpad_old(rsa_private_op(key, encrypted_data))


def decrypt_inner_data(key: ServerRsaKey, encrypted_data: bytes) -> InnerData:
    """Decrypt req_DH_params' encrypted_data whichever padding the client used.

    One RSA operation, then RSA_PAD is tried first (what current official
    clients send) and the old scheme second. A block passing both checks would
    need a SHA256 and a SHA1 match at once, so the order never matters in
    practice. Raises :class:`RsaDecryptionError` when neither verifies.
    """
    block = rsa_private_op(key, encrypted_data)
    try:
        return InnerData(unpad_rsa_pad(block), SCHEME_RSA_PAD)
    except RsaDecryptionError:
        pass
    try:
        return InnerData(unpad_old(block), SCHEME_OLD)
    except RsaDecryptionError:
        pass
    raise RsaDecryptionError(
        f"encrypted_data for key {key.fingerprint_hex} verifies under neither RSA_PAD nor the old padding"
    )
