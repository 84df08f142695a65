"""Identifiers derived from an authorization key: auth_key_id and auth_key_aux_hash.

Both are slices of SHA1(auth_key) (https://core.telegram.org/mtproto/auth_key,
step 8-9; https://core.telegram.org/mtproto/description#key-identifier-auth-key-id):

* auth_key_id is the 64 *lower-order* bits, i.e. the last 8 bytes of the digest
  (SHA1 output is a big-endian number; the page says "the final 8 bytes of
  SHA1(s) are taken and interpreted as a 64-bit integer"). Those 8 bytes are what
  appears at the front of every encrypted packet. MTProto 2.0 keeps SHA1 here so
  the id does not depend on the protocol version.
* auth_key_aux_hash is the 64 *higher-order* bits, the first 8 bytes; it feeds
  new_nonce_hash1/2/3 and retry_id.

As an integer, auth_key_id is the wire bytes read as a little-endian **signed**
int64 -- the way TL decodes a ``long`` -- so it round-trips through the TL codec
and fits an SQLite INTEGER column (which cannot hold unsigned values >= 2**63).
Telethon's ``AuthKey.key_id`` is the same bytes read *unsigned*; convert with
``value & 0xFFFFFFFFFFFFFFFF`` when comparing.
"""

from __future__ import annotations

import hashlib

AUTH_KEY_SIZE = 256


def _check(auth_key: bytes) -> None:
    if len(auth_key) != AUTH_KEY_SIZE:
        raise ValueError(f"auth_key must be {AUTH_KEY_SIZE} bytes, got {len(auth_key)}")


def auth_key_id_bytes(auth_key: bytes) -> bytes:
    """The 8 bytes that prefix every packet encrypted with ``auth_key``."""
    _check(auth_key)
    return hashlib.sha1(auth_key).digest()[-8:]


def auth_key_id(auth_key: bytes) -> int:
    """auth_key_id as a signed int64 (little-endian, like a TL ``long``)."""
    return int.from_bytes(auth_key_id_bytes(auth_key), "little", signed=True)


def auth_key_aux_hash(auth_key: bytes) -> bytes:
    """auth_key_aux_hash: the first 8 bytes of SHA1(auth_key), kept as raw bytes.

    It is only ever concatenated into hashes (new_nonce_hashN) or sent as
    ``retry_id:long``; a caller needing the long reads it little-endian.
    """
    _check(auth_key)
    return hashlib.sha1(auth_key).digest()[:8]
