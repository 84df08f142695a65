"""Modular exponentiation for the handshake's 2048-bit arithmetic.

The server does three big modexps per new auth key: g^a mod dh_prime,
g_b^a mod dh_prime (https://core.telegram.org/mtproto/auth_key steps 6 and 8)
and one RSA private-key operation on req_DH_params' encrypted_data (step 4).
bench/bench_modexp.py measures the candidates; GMP (via gmpy2) is several
times faster than CPython's ``pow`` at 2048 bits, so it is used when
installed, with the built-in ``pow`` as a correct but slower fallback.
"""

from __future__ import annotations

try:
    import gmpy2
except ImportError:  # pure-Python fallback, same results
    gmpy2 = None

#: "gmpy2" or "python": which implementation :func:`powmod` uses.
BACKEND: str = "gmpy2" if gmpy2 is not None else "python"


def _powmod_python(base: int, exp: int, mod: int) -> int:
    return pow(base, exp, mod)


if gmpy2 is not None:

    def powmod(base: int, exp: int, mod: int) -> int:
        """``base ** exp % mod`` for non-negative ``exp`` and positive ``mod``, as a Python int."""
        # Convert back so callers never receive an mpz (it would leak into
        # to_bytes/hashing code and into equality checks with plain ints).
        return int(gmpy2.powmod(base, exp, mod))

else:
    powmod = _powmod_python
    powmod.__doc__ = "``base ** exp % mod`` (pure-Python fallback)."
