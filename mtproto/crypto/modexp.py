"""Modular exponentiation for the handshake's 2048-bit arithmetic.

Per new auth key the server does three big exponentiations with *secret*
exponents -- the RSA private-key operation on req_DH_params' encrypted_data,
g^a and g_b^a mod dh_prime (https://core.telegram.org/mtproto/auth_key steps
4, 6 and 8) -- and a few with public ones.

bench/bench_modexp.py measures the candidates (numbers in
bench/README.md, "2048-bit modular exponentiation"): GMP through gmpy2 is about 7x faster than CPython's
``pow`` at 2048 bits, so it is used when installed, with ``pow`` as a correct
but slower fallback. Three entry points:

* :func:`powmod` -- fastest, for public exponents (e.g. RSA blinding with e);
* :func:`modinv` -- modular inverse (GMP's is ~30x faster than ``pow(x, -1, m)``);
* :func:`powmod_secret` -- GMP's constant-time ``mpz_powm_sec`` (about 25%
  slower), for exponents that must not leak through timing: the long-term RSA
  d (the classic remote timing attack on RSA servers) and the DH secret ``a``.
  It needs an odd modulus, which RSA primes and dh_prime are.

OpenSSL (through ``cryptography``) is faster still for whole RSA decryptions
and DH key agreement, but offers neither a raw modexp nor unpadded RSA, so it
cannot serve these functions; see the benchmark notes.
"""

from __future__ import annotations

try:
    import gmpy2
except ImportError:  # pure-Python fallback, same results
    gmpy2 = None

#: "gmpy2" or "python": which implementation the functions below use.
BACKEND: str = "gmpy2" if gmpy2 is not None else "python"


def _powmod_python(base: int, exp: int, mod: int) -> int:
    return pow(base, exp, mod)


def _modinv_python(value: int, mod: int) -> int:
    return pow(value, -1, mod)  # ValueError when gcd(value, mod) != 1


if gmpy2 is not None:

    def powmod(base: int, exp: int, mod: int) -> int:
        """``base ** exp % mod`` for ``exp >= 0``, ``mod > 0``; returns a Python int."""
        # Convert back so callers never receive an mpz (it would leak into
        # to_bytes/hashing code and into equality checks with plain ints).
        return int(gmpy2.powmod(base, exp, mod))

    def powmod_secret(base: int, exp: int, mod: int) -> int:
        """``base ** exp % mod`` in time independent of ``exp``'s bits; ``mod`` must be odd, ``exp > 0``."""
        return int(gmpy2.powmod_sec(base, exp, mod))

    def modinv(value: int, mod: int) -> int:
        """``value ** -1 % mod``; raises ValueError when no inverse exists."""
        try:
            return int(gmpy2.invert(value, mod))
        except ZeroDivisionError:
            # Same exception as the pure-Python fallback.
            raise ValueError(f"{value} has no inverse modulo {mod}") from None

else:
    # CPython's pow is not constant-time either; without GMP there is no
    # better choice in pure Python, and the results are identical.
    powmod = _powmod_python
    powmod_secret = _powmod_python
    modinv = _modinv_python
