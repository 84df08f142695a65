"""Modular exponentiation for the handshake's 2048-bit arithmetic.

Per new auth key the server does three big exponentiations with *secret*
exponents -- the RSA private-key operation on req_DH_params' encrypted_data,
g^a and g_b^a mod dh_prime (https://core.telegram.org/mtproto/auth_key steps
4, 6 and 8) -- and a few with public ones.

bench/bench_modexp.py measures the candidates (numbers in bench/README.md,
"2048-bit modular exponentiation"). Three entry points:

* :func:`powmod` -- fastest, for public exponents: GMP through gmpy2 (about 7x
  CPython's ``pow`` at 2048 bits), ``pow`` as a correct but slower fallback;
* :func:`modinv` -- modular inverse (GMP's is ~30x faster than ``pow(x, -1, m)``);
* :func:`powmod_secret` -- for exponents that must not leak through timing: the
  long-term RSA d (the classic remote timing attack on RSA servers), the DH secret
  ``a``, SRP's secrets. OpenSSL's ``BN_mod_exp_mont_consttime`` when Python's
  libcrypto offers it (:mod:`.openssl`; 2x faster than GMP's constant-time
  ``mpz_powm_sec`` at 2048 bits), else ``mpz_powm_sec``, else ``pow`` (which is not
  constant-time: a server without GMP or OpenSSL 3 has no better choice). It needs
  an odd modulus, which RSA primes, dh_prime and SRP's prime are.

:data:`SECRET_BACKEND` names the implementation :func:`powmod_secret` uses; the
results are identical whichever it is (tests/mtproto/test_crypto_modexp.py).
"""

from __future__ import annotations

try:
    import gmpy2
except ImportError:  # pure-Python fallback, same results
    gmpy2 = None

from . import openssl

#: "gmpy2" or "python": which implementation powmod and modinv use.
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

    def _powmod_secret_gmp(base: int, exp: int, mod: int) -> int:
        """GMP's constant-time ``mpz_powm_sec``; ``mod`` must be odd, ``exp > 0``."""
        return int(gmpy2.powmod_sec(base, exp, mod))

    def modinv(value: int, mod: int) -> int:
        """``value ** -1 % mod``; raises ValueError when no inverse exists."""
        try:
            return int(gmpy2.invert(value, mod))
        except ZeroDivisionError:
            # Same exception as the pure-Python fallback.
            raise ValueError(f"{value} has no inverse modulo {mod}") from None

else:
    # Same results, slower; for powmod_secret see below.
    powmod = _powmod_python
    _powmod_secret_gmp = None
    modinv = _modinv_python


def powmod_secret(base: int, exp: int, mod: int) -> int:
    """``base ** exp % mod`` in time independent of ``exp``'s bits; ``mod`` must be odd, ``exp > 0``."""
    return _powmod_secret(base, exp, mod)


# CPython's pow, the last resort, is not constant-time; without OpenSSL 3 or GMP there
# is no better choice in pure Python.
if openssl.AVAILABLE:
    _powmod_secret, SECRET_BACKEND = openssl.powmod_consttime, openssl.VERSION
elif _powmod_secret_gmp is not None:
    _powmod_secret, SECRET_BACKEND = _powmod_secret_gmp, "gmpy2"
else:
    _powmod_secret, SECRET_BACKEND = _powmod_python, "python"
