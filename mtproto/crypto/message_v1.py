"""MTProto 1.0 message encryption: only for auth.bindTempAuthKey's encrypted_message.

The binding message is "encrypted in the usual way, but with MTProto v1 using the
perm_auth_key" (https://core.telegram.org/method/auth.bindTempAuthKey): msg_key is the
lower 128 bits of SHA1 of the plaintext *without* padding, and the AES key and iv come
from four SHA1s (https://core.telegram.org/mtproto/description_v1, x = 0 client→server).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .aes_ige import ige256_decrypt, ige256_encrypt
from .errors import MalformedCiphertext, MessageKeyMismatch


def derive_aes_key_iv_v1(auth_key: bytes, msg_key: bytes, x: int = 0) -> tuple[bytes, bytes]:
    sha1_a = hashlib.sha1(msg_key + auth_key[x : x + 32]).digest()
    sha1_b = hashlib.sha1(auth_key[32 + x : 48 + x] + msg_key + auth_key[48 + x : 64 + x]).digest()
    sha1_c = hashlib.sha1(auth_key[64 + x : 96 + x] + msg_key).digest()
    sha1_d = hashlib.sha1(msg_key + auth_key[96 + x : 128 + x]).digest()
    aes_key = sha1_a[0:8] + sha1_b[8:20] + sha1_c[4:16]
    aes_iv = sha1_a[8:20] + sha1_b[0:8] + sha1_c[16:20] + sha1_d[0:8]
    return aes_key, aes_iv


def encrypt_message_v1(auth_key: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """(msg_key, ciphertext) of a client→server plaintext (what clients do; for tests)."""
    msg_key = hashlib.sha1(plaintext).digest()[4:20]
    padded = plaintext + secrets.token_bytes(-len(plaintext) % 16)
    key, iv = derive_aes_key_iv_v1(auth_key, msg_key)
    return msg_key, ige256_encrypt(padded, key, iv)


def decrypt_message_v1(auth_key: bytes, msg_key: bytes, ciphertext: bytes, length: int) -> bytes:
    """The first `length` bytes of the plaintext, checked against msg_key.

    The caller knows the length (for bindTempAuthKey: 16 random + 8 msg_id + 4 seqno +
    4 msg_len + 40 inner = 72 bytes); v1 hashes the plaintext without its padding.
    """
    if len(msg_key) != 16 or len(ciphertext) % 16 or len(ciphertext) < length:
        raise MalformedCiphertext(f"MTProto v1 ciphertext of {len(ciphertext)} bytes cannot hold {length}")
    key, iv = derive_aes_key_iv_v1(auth_key, msg_key)
    plaintext = ige256_decrypt(ciphertext, key, iv)[:length]
    if not hmac.compare_digest(hashlib.sha1(plaintext).digest()[4:20], msg_key):
        raise MessageKeyMismatch("MTProto v1 msg_key does not match the decrypted data")
    return plaintext
