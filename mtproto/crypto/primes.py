"""The handshake's proof of work: pq = p * q, which the client must factor.

https://core.telegram.org/mtproto/auth_key step 2: resPQ carries pq, "the product
of two different odd prime numbers ... normally less than or equal to 2^63-1",
and in step 3 the client decomposes it into p < q and echoes both in
req_DH_params. The server generates pq (:func:`generate_pq`) and later compares
the client's p and q with the ones it kept. We use two random 31-bit primes, so
pq < 2^62 and factoring takes a Pollard-rho client a few milliseconds, like
Telegram's own (samples-auth_key: 1468428376148703121 = 1008949199 * 1455403679).

:func:`factorize_pq` (Brent's variant of Pollard's rho) is the client side,
kept for tests and tools. Primality testing is exact: below 2^64 (pq's 31-bit primes)
GMP's test in C, its "prime" confirmed by Baillie-PSW (no pseudoprime below 2^64);
above, or without gmpy2, deterministic Miller-Rabin with as many of the first twelve
primes as bases as the size of n needs (the first four are exact below 3,215,031,751,
all twelve below 3.1 * 10^23).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable

PRIME_BITS = 31
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
# (bound, k): the first k bases are exact for every n < bound. The bounds are the
# smallest strong pseudoprimes to those bases, psi_k (Jaeschke 1993; psi_9 Jiang & Deng
# 2014; psi_12 Sorenson & Webster 2015).
_MR_BOUNDS = (
    (2_047, 1),
    (1_373_653, 2),
    (25_326_001, 3),
    (3_215_031_751, 4),
    (2_152_302_898_747, 5),
    (3_474_749_660_383, 6),
    (341_550_071_728_321, 8),
    (3_825_123_056_546_413_051, 9),
    (318_665_857_834_031_151_167_461, 12),
)
_MR_EXACT_BELOW = _MR_BOUNDS[-1][0]


try:
    from gmpy2 import (is_prime as _gmp_may_be_prime, is_strong_bpsw_prp as _bpsw, is_strong_prp as _strong_prp,
                       next_prime as _gmp_next_prime)
except ImportError:  # pragma: no cover - gmpy2 is a dependency; Miller-Rabin alone is exact too
    _gmp_may_be_prime = _bpsw = _strong_prp = _gmp_next_prime = None
# Baillie-PSW has no pseudoprime below 2^64 (Gilchrist 2009, checking Feitsma's list).
_BPSW_EXACT_BELOW = 1 << 64


def is_prime(n: int) -> bool:
    """Primality of ``n``; exact for n < 3.1e23 (deterministic Miller-Rabin, or below
    2^64 Baillie-PSW, in C: a new pq's ~20 candidates cost ~25 µs instead of ~110)."""
    if n < 2:
        return False
    if _bpsw is not None and _MR_BASES[-1] < n < _BPSW_EXACT_BELOW:
        # GMP's test (trial division first) never calls a prime composite, so its "no"
        # is exact and cheap (most candidates); its "yes" is confirmed by gmpy2's own
        # strong BPSW, exact here whatever GMP's version does.
        return bool(_gmp_may_be_prime(n)) and bool(_bpsw(n))
    for p in _MR_BASES:
        if n % p == 0:
            return n == p
    return _miller_rabin(n)


def _miller_rabin(n: int) -> bool:
    if n >= _MR_EXACT_BELOW:
        raise ValueError("is_prime is only exact below 3.1e23; the handshake never needs more")
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    bases = next(_MR_BASES[:k] for bound, k in _MR_BOUNDS if n < bound)
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _miller_rabin_in_c(n: int) -> bool:
    """Deterministic Miller-Rabin for odd ``n`` > 37, each base's strong-probable-prime
    test in C: exact below 3.1e23 with the bases the size needs (four below 3.2e9,
    ~1 µs each), where gmpy2's Baillie-PSW costs ~20 µs."""
    bases = next(_MR_BASES[:k] for bound, k in _MR_BOUNDS if n < bound)
    return all(_strong_prp(n, a) for a in bases)


def random_prime(bits: int, randbytes: Callable[[int], bytes] = os.urandom) -> int:
    """A random prime of exactly ``bits`` bits (top bit set).

    With gmpy2 (and below 2^64, where its answer is confirmed exactly): the first prime
    after a random start, found by GMP in C -- one draw of randomness and one call
    instead of ~20 candidates, each a draw (a getrandom system call) and a test in
    Python (~45 µs per prime on a slow core -> ~3). The primes are not uniform (one
    after a long gap is likelier), which pq does not need: it is a proof of work
    that the client factors, not a secret."""
    top = 1 << (bits - 1)
    while True:
        drawn = int.from_bytes(randbytes((bits + 7) // 8), "little") & ((1 << bits) - 1)
        candidate = drawn | top | 1
        if _gmp_next_prime is not None and top > _MR_BASES[-1] and bits <= 64:
            candidate = int(_gmp_next_prime(candidate - 1))  # the first prime >= candidate
            if candidate.bit_length() == bits and _miller_rabin_in_c(candidate):
                return candidate
        elif is_prime(candidate):
            return candidate


def generate_pq(randbytes: Callable[[int], bytes] = os.urandom) -> tuple[int, int, int]:
    """``(pq, p, q)`` with p < q distinct random 31-bit primes.

    ``randbytes`` defaults to the system CSPRNG; pass a seeded one
    (``random.Random(seed).randbytes``) for reproducible tests.
    """
    while True:
        p = random_prime(PRIME_BITS, randbytes)
        q = random_prime(PRIME_BITS, randbytes)
        if p != q:
            p, q = min(p, q), max(p, q)
            return p * q, p, q


def _brent_factor(n: int, rng: random.Random) -> int:
    """A non-trivial factor of the odd composite ``n`` (Brent 1980)."""
    batch = 128  # gcd once per batch of products instead of every step
    while True:
        y, c = rng.randrange(1, n), rng.randrange(1, n)
        g = r = product = 1
        x = ys = y
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                ys = y
                for _ in range(min(batch, r - k)):
                    y = (y * y + c) % n
                    product = product * abs(x - y) % n
                g = math.gcd(product, n)
                k += batch
            r *= 2
        if g == n:
            # The batched product hit 0 mod n: replay the last batch one step at a time.
            while True:
                ys = (ys * ys + c) % n
                g = math.gcd(abs(x - ys), n)
                if g > 1:
                    break
        if g != n:
            return g
        # Unlucky cycle: restart with new parameters.


def factorize_pq(pq: int, rng: random.Random | None = None) -> tuple[int, int]:
    """Split ``pq`` into ``(p, q)`` with p <= q (the client's step 3)."""
    if pq < 4 or is_prime(pq):
        raise ValueError(f"{pq} is not a product of two primes")
    if pq % 2 == 0:
        return 2, pq // 2
    factor = _brent_factor(pq, rng or random.Random(pq))
    p, q = sorted((factor, pq // factor))
    return p, q
