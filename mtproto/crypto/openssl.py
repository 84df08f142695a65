"""OpenSSL's constant-time private-key arithmetic, through ctypes: what the handshake
needs and ``cryptography`` does not offer.

Per new auth key the server computes three exponentiations with secret exponents
(https://core.telegram.org/mtproto/auth_key): the RSA private-key operation on
req_DH_params' encrypted_data (step 4), g^a and g_b^a mod dh_prime (steps 6 and 8).
They were nearly all of the handshake's CPU with GMP's ``mpz_powm_sec``; OpenSSL does
them 2x (DH) and 4x (RSA) faster, also in constant time (bench/README.md, "2048-bit
modular exponentiation"). ``cryptography``, our binding for everything else, cannot
serve them:

* its RSA decryption insists on OAEP or PKCS#1 v1.5 padding; MTProto's RSA_PAD and the
  old SHA1 scheme are neither, and there is no unpadded private operation;
* its finite-field DH builds every key object, the peer's g_b included, through a
  primality check of p (~250 ms each), and is deprecated (cryptography 50 warns it will
  be removed).

So this module calls the libcrypto that Python itself links (the one ``_hashlib`` loads,
OpenSSL 3.0 or newer) for exactly two things:

* :func:`powmod_consttime`: ``BN_mod_exp_mont_consttime``, the exponentiation OpenSSL
  runs for its own RSA and DH private keys: fixed windows, and table look-ups that touch
  every entry, so neither the time nor the cache lines used depend on the exponent;
* :class:`RawRsaKey`: ``EVP_PKEY_decrypt`` with ``RSA_NO_PADDING``, OpenSSL's RSA
  private operation as TLS servers use it: blinding (its timing is unrelated to an
  attacker-chosen ciphertext), CRT, constant-time exponentiation.

:data:`AVAILABLE` is False when no such libcrypto is found, when it lacks a symbol, or
when the self-test against Python's ``pow`` fails; callers then fall back to GMP
(:mod:`.modexp`). Nothing here draws randomness that reaches the output: OpenSSL's RSA
blinding uses its own CSPRNG and cancels out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import weakref

from .errors import CryptoError

_MIN_VERSION = 0x3000_0000  # OpenSSL 3.0: EVP_PKEY_CTX_set_rsa_padding is a function
_RSA_NO_PADDING = 3
_P = ctypes.c_void_p


class OpenSslError(CryptoError):
    """libcrypto refused an operation (its error queue is cleared); the handshake that
    asked fails like one with a bad value, rather than the connection crashing."""


def _bind(lib) -> None:
    """Declare the prototypes used below (ctypes would otherwise truncate pointers)."""
    signatures = {
        "OpenSSL_version_num": (ctypes.c_ulong, []),
        "OpenSSL_version": (ctypes.c_char_p, [ctypes.c_int]),
        "ERR_clear_error": (None, []),
        "BN_new": (_P, []),
        "BN_free": (None, [_P]),
        "BN_clear_free": (None, [_P]),
        "BN_bin2bn": (_P, [ctypes.c_char_p, ctypes.c_int, _P]),
        "BN_bn2binpad": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_int]),
        "BN_CTX_new": (_P, []),
        "BN_CTX_free": (None, [_P]),
        "BN_mod_exp_mont_consttime": (ctypes.c_int, [_P, _P, _P, _P, _P, _P]),
        "d2i_AutoPrivateKey": (_P, [_P, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]),
        "EVP_PKEY_free": (None, [_P]),
        "EVP_PKEY_get_bits": (ctypes.c_int, [_P]),
        "EVP_PKEY_CTX_new": (_P, [_P, _P]),
        "EVP_PKEY_CTX_free": (None, [_P]),
        "EVP_PKEY_decrypt_init": (ctypes.c_int, [_P]),
        "EVP_PKEY_CTX_set_rsa_padding": (ctypes.c_int, [_P, ctypes.c_int]),
        "EVP_PKEY_decrypt": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t),
                                            ctypes.c_char_p, ctypes.c_size_t]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)  # AttributeError: not this library
        function.restype, function.argtypes = restype, argtypes


def _candidates():
    # Python's own libcrypto first: dlsym on _hashlib's handle also searches the
    # libraries it depends on, so this is the OpenSSL `ssl` and `hashlib` already use.
    try:
        import _hashlib

        yield _hashlib.__file__
    except ImportError:
        pass
    name = ctypes.util.find_library("crypto")
    if name:
        yield name


def _load():
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            _bind(lib)
        except (OSError, AttributeError):
            continue
        if lib.OpenSSL_version_num() >= _MIN_VERSION:
            return lib
    return None


_lib = _load()


def _check(ok: bool, what: str) -> None:
    if not ok:
        _lib.ERR_clear_error()
        raise OpenSslError(f"libcrypto: {what} failed")


def _size(value: int) -> int:
    return max(1, (value.bit_length() + 7) // 8)


def powmod_consttime(base: int, exp: int, mod: int) -> int:
    """``base ** exp % mod`` in time independent of ``exp``; ``mod`` odd, ``exp >= 0``.

    ``base`` is reduced mod ``mod`` first (by OpenSSL, also in constant time)."""
    if mod % 2 == 0 or mod < 3:
        raise ValueError("powmod_consttime needs an odd modulus above 1")
    size = _size(mod)
    lib = _lib
    ctx = lib.BN_CTX_new()
    b = lib.BN_bin2bn(base.to_bytes(_size(base), "big"), _size(base), None)
    e = lib.BN_bin2bn(exp.to_bytes(_size(exp), "big"), _size(exp), None)
    m = lib.BN_bin2bn(mod.to_bytes(size, "big"), size, None)
    r = lib.BN_new()
    try:
        _check(bool(ctx and b and e and m and r), "BN allocation")
        _check(lib.BN_mod_exp_mont_consttime(r, b, e, m, ctx, None) == 1, "BN_mod_exp_mont_consttime")
        out = ctypes.create_string_buffer(size)
        _check(lib.BN_bn2binpad(r, out, size) == size, "BN_bn2binpad")
        return int.from_bytes(out.raw, "big")
    finally:
        lib.BN_clear_free(e)
        lib.BN_clear_free(r)
        lib.BN_free(b)
        lib.BN_free(m)
        lib.BN_CTX_free(ctx)


class RawRsaKey:
    """An RSA private key held by libcrypto, for the unpadded private operation."""

    def __init__(self, der: bytes, n: int):
        """``der``: the private key as DER (PKCS#8 or PKCS#1); ``n``: its modulus."""
        self.size = _size(n)
        pointer = ctypes.c_char_p(der)
        pkey = _lib.d2i_AutoPrivateKey(None, ctypes.byref(pointer), len(der))
        _check(bool(pkey), "d2i_AutoPrivateKey")
        self._pkey = pkey
        self._free = weakref.finalize(self, _lib.EVP_PKEY_free, pkey)
        if _lib.EVP_PKEY_get_bits(pkey) != n.bit_length():
            raise ValueError("the DER key and the modulus given differ")

    def decrypt(self, block: bytes) -> bytes:
        """``block^d mod n``: ``block`` exactly ``size`` big-endian bytes, below n
        (OpenSSL refuses anything else); the result has the same size."""
        lib = _lib
        ctx = lib.EVP_PKEY_CTX_new(self._pkey, None)
        try:
            _check(bool(ctx), "EVP_PKEY_CTX_new")
            _check(lib.EVP_PKEY_decrypt_init(ctx) == 1, "EVP_PKEY_decrypt_init")
            _check(lib.EVP_PKEY_CTX_set_rsa_padding(ctx, _RSA_NO_PADDING) > 0, "RSA_NO_PADDING")
            out = ctypes.create_string_buffer(self.size)
            length = ctypes.c_size_t(self.size)
            _check(lib.EVP_PKEY_decrypt(ctx, out, ctypes.byref(length), block, len(block)) == 1,
                   "EVP_PKEY_decrypt")
            _check(length.value == self.size, "EVP_PKEY_decrypt length")
            return out.raw
        finally:
            lib.EVP_PKEY_CTX_free(ctx)


def _self_test() -> bool:
    """The library answers like Python's pow on a few values (a 2048-bit one included)."""
    try:
        cases = ((3, (1 << 2047) + 12345, (1 << 2048) - 159), (0, 5, 7), (7, 1, 13), (5, 0, 9))
        return all(powmod_consttime(b, e, m) == pow(b, e, m) for b, e, m in cases)
    except (OpenSslError, OSError):
        return False


#: Whether :func:`powmod_consttime` and :class:`RawRsaKey` may be used.
AVAILABLE: bool = _lib is not None and _self_test()
#: The library's version string, e.g. "OpenSSL 3.0.13 30 Jan 2024" ("" when unavailable).
VERSION: str = _lib.OpenSSL_version(0).decode() if AVAILABLE else ""
