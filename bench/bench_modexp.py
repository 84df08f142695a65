"""Benchmark 2048-bit modular exponentiation as the MTProto handshake uses it.

Measures, for each candidate implementation:

* DH: g^a mod dh_prime with a 2048-bit exponent (auth_key steps 6 and 8; the
  server does two of these per handshake);
* RSA: the private-key operation c^d mod n on a 2048-bit key (step 4), both
  plainly and with the Chinese remainder theorem (CRT, four times less work);
* cryptography/OpenSSL: ``cryptography`` exposes neither a raw (padding-free) RSA
  decrypt nor a raw modexp, so the closest measurable operations are OAEP decryption
  and PKCS#1 v1.5 signing (each one blinded CRT private op plus cheap padding work)
  and DH key generation / agreement with dh_prime (g^x and peer^x mod p, x chosen by
  OpenSSL) -- and what using its DH for the handshake would cost on top: loading the
  client's g_b as a peer key (a primality check of p each time);
* libcrypto through ctypes (mtproto/crypto/openssl.py): ``BN_mod_exp_mont_consttime``
  and the unpadded RSA private operation;
* what mtproto.crypto actually runs: ``powmod`` / ``powmod_secret`` and
  ``rsa_private_op``, and the GMP paths they fall back to.

Run from the repository root:

    python bench/bench_modexp.py            # ~40 s: 3 rounds, rows interleaved
    python bench/bench_modexp.py --quick    # ~25 s

Prints the median ops per CPU second over the rounds, min–max ms of CPU per op, and the speed-up over CPython's
built-in pow.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import warnings  # noqa: E402

import gmpy2  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import dh, padding, rsa  # noqa: E402

from mtproto.crypto import openssl  # noqa: E402
from mtproto.crypto.dh import DH_PRIME  # noqa: E402
from mtproto.crypto.modexp import _powmod_secret_gmp, powmod, powmod_secret  # noqa: E402
from mtproto.crypto.rsa_decrypt import rsa_private_op, rsa_private_op_crt  # noqa: E402
from mtproto.crypto.rsa_keys import ServerRsaKey  # noqa: E402


def _rate(func, seconds: float) -> float:
    """Calls per second of this thread's CPU time, measured for about ``seconds`` of it
    (CPU rather than wall clock: the machine may be shared)."""
    func()  # warm-up
    calls = 0
    start = time.thread_time()
    elapsed = 0.0
    while elapsed < seconds:
        func()
        calls += 1
        elapsed = time.thread_time() - start
    return calls / elapsed


def _crt(powmod, c, p, q, dp, dq, qinv):
    m1 = powmod(c, dp, p)
    m2 = powmod(c, dq, q)
    h = (qinv * (m1 - m2)) % p
    return m2 + h * q


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter measurements")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times every row is measured, rows interleaved; the median is printed (default 3)")
    args = parser.parse_args()
    seconds = 0.3 if args.quick else 0.5

    p = DH_PRIME
    g = 3
    a = int.from_bytes(secrets.token_bytes(256), "big")
    g_mpz, a_mpz, p_mpz = gmpy2.mpz(g), gmpy2.mpz(a), gmpy2.mpz(p)

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server_key = ServerRsaKey.from_private_key(key)
    nums = key.private_numbers()
    n, d = nums.public_numbers.n, nums.d
    rp, rq, dp, dq, qinv = nums.p, nums.q, nums.dmp1, nums.dmq1, nums.iqmp
    c = int.from_bytes(secrets.token_bytes(255), "big")
    mp = [gmpy2.mpz(v) for v in (c, rp, rq, dp, dq, qinv)]
    expected = pow(c, d, n)
    assert _crt(pow, c, rp, rq, dp, dq, qinv) == expected
    assert _crt(gmpy2.powmod, *mp) == expected

    public = key.public_key()
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    ciphertext = public.encrypt(b"x" * 32, oaep)
    pkcs1 = padding.PKCS1v15()
    c_bytes = c.to_bytes(256, "big")
    assert rsa_private_op(server_key, c_bytes) == expected.to_bytes(256, "big")

    def rsa_private_op_gmp(c):
        # The CRT path with GMP's constant-time exponentiation: what rsa_private_op was.
        import mtproto.crypto.modexp as modexp

        saved, modexp._powmod_secret = modexp._powmod_secret, _powmod_secret_gmp
        try:
            return rsa_private_op_crt(server_key, c)
        finally:
            modexp._powmod_secret = saved

    warnings.simplefilter("ignore")  # cryptography 46+ deprecates finite-field DH
    dh_params = dh.DHParameterNumbers(p, g).parameters()
    dh_private = dh_params.generate_private_key()
    peer = dh.DHParameterNumbers(p, g).parameters().generate_private_key().public_key()
    g_b = dh.DHPublicNumbers(peer.public_numbers().y, dh.DHParameterNumbers(p, g))

    rows = [
        ("DH g^a mod p", "python pow", lambda: pow(g, a, p)),
        ("DH g^a mod p", "gmpy2.powmod (int args)", lambda: int(gmpy2.powmod(g, a, p))),
        ("DH g^a mod p", "gmpy2.powmod (mpz args)", lambda: gmpy2.powmod(g_mpz, a_mpz, p_mpz)),
        ("DH g^a mod p", "gmpy2.powmod_sec", lambda: int(gmpy2.powmod_sec(g, a, p))),
        ("DH g^a mod p", "OpenSSL DH keygen", dh_params.generate_private_key),
        ("DH g^a mod p", "OpenSSL DH exchange", lambda: dh_private.exchange(peer)),
        ("DH g^a mod p", "OpenSSL DH: load g_b as a peer key", g_b.public_key),
        ("DH g^a mod p", "libcrypto consttime (ctypes)", lambda: openssl.powmod_consttime(g, a, p)),
        ("DH g^a mod p", "modexp.powmod", lambda: powmod(g, a, p)),
        ("DH g^a mod p", "modexp.powmod_secret", lambda: powmod_secret(g, a, p)),
        ("RSA c^d mod n", "python pow", lambda: pow(c, d, n)),
        ("RSA c^d mod n", "gmpy2.powmod", lambda: int(gmpy2.powmod(c, d, n))),
        ("RSA c^d mod n", "python pow, CRT", lambda: _crt(pow, c, rp, rq, dp, dq, qinv)),
        ("RSA c^d mod n", "gmpy2.powmod, CRT", lambda: int(_crt(gmpy2.powmod, *mp))),
        ("RSA c^d mod n", "gmpy2.powmod_sec, CRT", lambda: int(_crt(gmpy2.powmod_sec, *mp))),
        ("RSA c^d mod n", "blind+CRT+powmod_sec (GMP)", lambda: rsa_private_op_gmp(c)),
        ("RSA c^d mod n", "blind+CRT+powmod_secret", lambda: rsa_private_op_crt(server_key, c)),
        ("RSA c^d mod n", "rsa_private_op", lambda: rsa_private_op(server_key, c_bytes)),
        ("RSA c^d mod n", "cryptography OAEP decrypt", lambda: key.decrypt(ciphertext, oaep)),
        ("RSA c^d mod n", "cryptography PKCS1v15 sign", lambda: key.sign(b"x", pkcs1, hashes.SHA256())),
    ]

    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"gmpy2 {gmpy2.version()} ({gmpy2.mp_version()}), {platform.machine()}; "
          f"libcrypto: {openssl.VERSION or 'unavailable'}; rsa_private_op in OpenSSL: {server_key.raw is not None}")
    # Rows interleaved round by round, so that a burst of load from elsewhere on the
    # machine does not fall on one implementation only.
    rates: list[list[float]] = [[] for _ in rows]
    for _ in range(args.rounds):
        for i, (_, impl, func) in enumerate(rows):
            rates[i].append(_rate(func, 0.3 if "peer key" in impl else seconds))
    print(f"{'operation':<16} {'implementation':<36} {'ops/s':>8} {'ms/op':>8} {'min–max ms':>15} {'vs pow':>7}")
    baseline: dict[str, float] = {}
    for (op, impl, _), measured in zip(rows, rates):
        rate = statistics.median(measured)
        baseline.setdefault(op, rate)
        spread = f"{1000 / max(measured):.3f}–{1000 / min(measured):.3f}"
        print(f"{op:<16} {impl:<36} {rate:>8.1f} {1000 / rate:>8.3f} {spread:>15} {rate / baseline[op]:>6.1f}x")


if __name__ == "__main__":
    main()
