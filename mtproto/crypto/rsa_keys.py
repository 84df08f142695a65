"""The server's RSA keys: generation, PEM files and Telegram key fingerprints.

Clients ship the server's *public* key and choose it by fingerprint from resPQ's
server_public_key_fingerprints (https://core.telegram.org/mtproto/auth_key step 2).
The fingerprint is the 64 lower-order bits of SHA1 of the TL serialisation of
``rsa_public_key n:string e:string``: n and e as minimal big-endian byte strings,
each TL-``bytes``-encoded (length prefix, data, zero padding to 4), with no
constructor id. "Lower-order bits" means the last 8 digest bytes, read as a
little-endian ``long`` on the wire.

Representation: :attr:`ServerRsaKey.fingerprint` is a **signed** int64, the value a
TL ``long`` decodes to and the key Telethon and Pyrogram use in their key dicts.
:func:`fingerprint_hex` prints the unsigned form with 16 digits, as clients' logs
and key tables do.

Key choice (PROTOCOL.md rule 26): at least one client library loses a key whose
fingerprint, printed as hex, starts with a 0 digit -- a hex string that silently
drops leading zeros no longer matches the 16-digit one. We therefore only accept
keys for which *both* common hex renderings have 16 digits and a non-zero first
digit (:func:`fingerprint_is_safe`):

* unsigned: ``0x1000000000000000 <= fp_u64`` (top nibble not 0) -- the rule itself;
* signed: ``|fp_i64| >= 0x1000000000000000`` (for negative values that excludes
  fp_u64 > 0xF000000000000000) -- in case a client prints the signed value.

That rejects about 1 key in 8; generation just retries. PEM files: private keys
as PKCS#8 ("BEGIN PRIVATE KEY"), public keys as PKCS#1 ("BEGIN RSA PUBLIC KEY"),
the format Telegram clients embed and Telethon's ``rsa.add_key`` loads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import openssl

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537

_U64 = 1 << 64
_TOP_NIBBLE_MIN = 0x1000000000000000


def _tl_bytes(data: bytes) -> bytes:
    """TL ``bytes``/``string`` encoding (https://core.telegram.org/mtproto/serialize).

    Kept private and minimal here so key fingerprints do not depend on the TL
    codec package being importable.
    """
    if len(data) < 254:
        head = bytes([len(data)])
    else:
        head = b"\xfe" + len(data).to_bytes(3, "little")
    body = head + data
    return body + b"\x00" * (-len(body) % 4)


def _minimal_big_endian(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def rsa_fingerprint(n: int, e: int) -> int:
    """Telegram fingerprint of the public key (n, e), as a signed int64."""
    serialized = _tl_bytes(_minimal_big_endian(n)) + _tl_bytes(_minimal_big_endian(e))
    return int.from_bytes(hashlib.sha1(serialized).digest()[-8:], "little", signed=True)


def fingerprint_hex(fingerprint: int) -> str:
    """16-digit lowercase hex of the unsigned 64-bit value, e.g. 'd09d1d85de64fd85'."""
    return f"{fingerprint % _U64:016x}"


def fingerprint_is_safe(fingerprint: int) -> bool:
    """True when neither the unsigned nor the signed hex rendering starts with 0 (see module doc)."""
    unsigned = fingerprint % _U64
    signed = unsigned - _U64 if unsigned >= 1 << 63 else unsigned
    return unsigned >= _TOP_NIBBLE_MIN and abs(signed) >= _TOP_NIBBLE_MIN


def _raw_key(key: rsa.RSAPrivateKey, n: int, e: int) -> openssl.RawRsaKey | None:
    """The key in libcrypto, if it is there and gets one probe right (m^e = c)."""
    if not openssl.AVAILABLE:
        return None
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        raw = openssl.RawRsaKey(der, n)
        probe = n // 3
        m = int.from_bytes(raw.decrypt(probe.to_bytes(raw.size, "big")), "big")
    except (openssl.OpenSslError, ValueError):
        return None
    return raw if pow(m, e, n) == probe else None


@dataclass(frozen=True)
class ServerRsaKey:
    """A server private key with the numbers the handshake needs precomputed.

    Build it with :meth:`generate`, :meth:`from_pem` or :meth:`from_private_key`.
    :mod:`.rsa_decrypt` does the private-key operation with ``raw``, the key as
    OpenSSL holds it (:mod:`.openssl`), or where that is unavailable with the CRT
    components: two half-size exponentiations.
    """

    private_key: rsa.RSAPrivateKey = field(repr=False)
    n: int = field(repr=False)
    e: int = field(repr=False)
    fingerprint: int
    p: int = field(repr=False)
    q: int = field(repr=False)
    dp: int = field(repr=False)
    dq: int = field(repr=False)
    qinv: int = field(repr=False)
    raw: openssl.RawRsaKey | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_private_key(cls, key: rsa.RSAPrivateKey) -> ServerRsaKey:
        numbers = key.private_numbers()
        n, e = numbers.public_numbers.n, numbers.public_numbers.e
        if n.bit_length() != KEY_BITS:
            # RSA_PAD and the old padding both produce 256-byte blocks that
            # must be below n, and clients send exactly 256 bytes.
            raise ValueError(f"Telegram RSA keys must be {KEY_BITS}-bit, got {n.bit_length()}")
        return cls(
            private_key=key,
            n=n,
            e=e,
            fingerprint=rsa_fingerprint(n, e),
            p=numbers.p,
            q=numbers.q,
            dp=numbers.dmp1,
            dq=numbers.dmq1,
            qinv=numbers.iqmp,
            raw=_raw_key(key, n, e),
        )

    @classmethod
    def generate(cls, *, max_attempts: int = 64) -> ServerRsaKey:
        """A fresh 2048-bit key whose fingerprint passes :func:`fingerprint_is_safe`."""
        for _ in range(max_attempts):
            key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS)
            candidate = cls.from_private_key(key)
            if fingerprint_is_safe(candidate.fingerprint):
                return candidate
        # About (1/8)^64: only reachable if something is badly wrong.
        raise RuntimeError(f"no key with a safe fingerprint after {max_attempts} attempts")

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> ServerRsaKey:
        """Load a private key (PKCS#8 or PKCS#1 PEM).

        A stored key is accepted even if its fingerprint is not "safe": changing
        the key would break every client that already embeds it.
        """
        key = serialization.load_pem_private_key(pem, password=password)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"expected an RSA private key, got {type(key).__name__}")
        return cls.from_private_key(key)

    def private_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM ("BEGIN PRIVATE KEY", or "BEGIN ENCRYPTED PRIVATE KEY" with a password)."""
        encryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def public_pem(self) -> bytes:
        """PKCS#1 PEM ("BEGIN RSA PUBLIC KEY"), the form clients embed."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        )

    @property
    def fingerprint_hex(self) -> str:
        return fingerprint_hex(self.fingerprint)
