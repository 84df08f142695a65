"""The server's side of 2FA passwords: SRP-6a as Telegram specifies it.

https://core.telegram.org/api/srp. The server never sees the password. When a client
sets one (account.updatePasswordSettings) it sends the verifier

    v = g^x mod p,  x = PH2(password, salt1, salt2)

as 256 big-endian bytes together with the algorithm it used: the ``new_algo`` we
offered in account.getPassword, with its own random bytes appended to ``salt1``.
:func:`check_new_settings` decides whether to store it.

To check the password later, account.getPassword carries a fresh
:class:`SrpChallenge` (srp_id and B = k*v + g^b mod p); the client answers with
inputCheckPasswordSRP(srp_id, A, M1) and :func:`verify` recomputes M1 from A, B, v
and b. Definitions from the docs page, with ``|`` concatenation and every number
written as 256 big-endian bytes whenever it is hashed:

    H(data) = sha256(data)              SH(data, salt) = H(salt | data | salt)
    PH1 = SH(SH(password, salt1), salt2)
    PH2 = SH(pbkdf2(sha512, PH1, salt1, 100000), salt2)
    k = H(p | g)        u = H(A | B)        S = (A * v^u)^b mod p        K = H(S)
    M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | K)

Pure functions and values, no I/O, no clock. Randomness comes from :mod:`secrets`;
functions that draw it accept explicit values for tests. What this module does not do,
and the caller must:

* keep the ``new_algo`` it offered (per account) and pass it to
  :func:`check_new_settings` -- only the server part of salt1 proves the client used it;
* discard a challenge after one :func:`verify`, right or wrong: b is an ephemeral
  secret and must not answer twice;
* limit wrong guesses (SRP stops offline guessing, not online guessing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from mtproto.crypto import (
    DH_PRIME,
    DH_PRIME_BYTES,
    DhParameterError,
    check_dh_value,
    generator_is_valid,
    powmod,
    powmod_secret,
)
from tl import types as T

from ..errors import E

Algo = T.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow

#: The generator we offer. generator_is_valid applies the docs' condition for g = 3
#: (p mod 3 == 2), i.e. g generates the subgroup of prime order (p-1)/2.
SRP_G = 3
if not generator_is_valid(SRP_G, DH_PRIME):  # pragma: no cover - a constant, checked once
    raise ImportError(f"g={SRP_G} does not generate the prime-order subgroup of dh_prime")

SRP_P = DH_PRIME
SRP_P_BYTES = DH_PRIME_BYTES
NUMBER_SIZE = 256  # 2048 bits: the width of every number that is hashed or sent

SERVER_SALT1_SIZE = 8  # the client appends its own bytes (32 in tdlib and Telethon)
SALT2_SIZE = 16
SECURE_SALT_SIZE = 8
SECURE_RANDOM_SIZE = 32
PBKDF2_ITERATIONS = 100_000
#: How many bytes a client may append to salt1; generous, but bounds what we store.
MAX_CLIENT_SALT1 = 64

_G_BYTES = SRP_G.to_bytes(NUMBER_SIZE, "big")
_K = int.from_bytes(hashlib.sha256(SRP_P_BYTES + _G_BYTES).digest(), "big")
_H_P_XOR_H_G = bytes(
    x ^ y for x, y in zip(hashlib.sha256(SRP_P_BYTES).digest(), hashlib.sha256(_G_BYTES).digest())
)


class SrpError(ValueError):
    """A rule of the SRP exchange was broken; ``name`` is the RPC error Telegram uses.

    All of them are answered with code 400 (``rpc.errors.bad_request(err.name)``).
    """

    def __init__(self, name: str, detail: str = ""):
        super().__init__(f"{name}: {detail}" if detail else name)
        self.name = name
        self.detail = detail


def _number(value: int) -> bytes:
    return value.to_bytes(NUMBER_SIZE, "big")


def _sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.digest()


def _salted(data: bytes, salt: bytes) -> bytes:
    return _sha256(salt, data, salt)


def _is_ours(algo) -> bool:
    return isinstance(algo, Algo) and algo.g == SRP_G and algo.p == SRP_P_BYTES


def new_algo(*, salt1: bytes | None = None, salt2: bytes | None = None) -> Algo:
    """The algorithm to offer as ``new_algo`` in account.getPassword.

    salt1 is only the server's part: the client appends random bytes before it
    derives the verifier (tdlib also refuses salts shorter than 8 bytes).
    """
    return Algo(
        salt1=secrets.token_bytes(SERVER_SALT1_SIZE) if salt1 is None else salt1,
        salt2=secrets.token_bytes(SALT2_SIZE) if salt2 is None else salt2,
        g=SRP_G,
        p=SRP_P_BYTES,
    )


def new_secure_algo(*, salt: bytes | None = None) -> T.SecurePasswordKdfAlgoPBKDF2HMACSHA512iter100000:
    """The Telegram Passport KDF to offer as ``new_secure_algo``.

    PBKDF2 and not securePasswordKdfAlgoSHA512: tdlib rejects the latter as an
    "outdated secret encryption mode" and then cannot read account.password at all.
    """
    return T.SecurePasswordKdfAlgoPBKDF2HMACSHA512iter100000(
        salt=secrets.token_bytes(SECURE_SALT_SIZE) if salt is None else salt
    )


# to_password and no_password take a keyword argument of the same name (the TL field's).
_fresh_secure_algo = new_secure_algo


def password_hash(password: str, algo: Algo) -> bytes:
    """x = PH2(password, salt1, salt2), 32 bytes: the client's secret exponent."""
    ph1 = _salted(_salted(password.encode("utf-8"), algo.salt1), algo.salt2)
    stretched = hashlib.pbkdf2_hmac("sha512", ph1, algo.salt1, PBKDF2_ITERATIONS)
    return _salted(stretched, algo.salt2)


def verifier_for(password: str, algo: Algo) -> bytes:
    """v = g^x mod p as 256 bytes: what a client sends as ``new_password_hash``.

    The server never needs it for clients; it serves tests and the admin tool that
    sets a password for an account. Costs one 100000-round PBKDF2 (~0.1 s).
    """
    if not _is_ours(algo):
        raise ValueError("verifier_for only computes with our own p and g")
    x = int.from_bytes(password_hash(password, algo), "big")
    return _number(powmod_secret(SRP_G, x, SRP_P))


def check_new_settings(algo, new_password_hash: bytes, *, offered: Algo) -> None:
    """Validate the algo and verifier of account.passwordInputSettings; raise :class:`SrpError`.

    ``offered`` is the ``new_algo`` we sent in account.getPassword. The client must keep
    its p, g and salt2 and may only append to its salt1. v must be a 2048-bit number in
    (1, p - 1) and, as g^x is, a quadratic residue mod p: anything else cannot come from a
    password and would lock the account. (Removing a password, new_algo =
    passwordKdfAlgoUnknown with an empty hash, is the caller's case, not this one.)
    """
    if not isinstance(algo, Algo):
        raise SrpError(E.NEW_SETTINGS_INVALID, f"unsupported password algorithm {type(algo).__name__}")
    if algo.g != SRP_G or algo.p != SRP_P_BYTES:
        raise SrpError(E.NEW_SETTINGS_INVALID, f"p/g are not the ones offered (g={algo.g})")
    extra = len(algo.salt1) - len(offered.salt1)
    if not algo.salt1.startswith(offered.salt1) or not 0 <= extra <= MAX_CLIENT_SALT1:
        detail = f"salt1 ({len(algo.salt1)} bytes) is not the offered salt1 + 0-{MAX_CLIENT_SALT1} bytes"
        raise SrpError(E.NEW_SALT_INVALID, detail)
    if algo.salt2 != offered.salt2:
        raise SrpError(E.NEW_SALT_INVALID, "salt2 differs from the offered salt2")
    if len(new_password_hash) != NUMBER_SIZE:
        detail = f"new_password_hash has {len(new_password_hash)} bytes, not 256"
        raise SrpError(E.NEW_SETTINGS_INVALID, detail)
    v = int.from_bytes(new_password_hash, "big")
    if not 1 < v < SRP_P - 1:
        raise SrpError(E.NEW_SETTINGS_INVALID, "new_password_hash is not in (1, p - 1)")
    # Euler's criterion; the exponent is public, so the fast powmod is fine.
    if powmod(v, (SRP_P - 1) // 2, SRP_P) != 1:
        raise SrpError(E.NEW_SETTINGS_INVALID, "new_password_hash is not a power of g")


def _new_srp_id() -> int:
    return secrets.randbits(64) - (1 << 63)  # TL long is signed


@dataclass(frozen=True)
class SrpChallenge:
    """One account.getPassword answer for an account that has a password.

    ``algo`` is the stored password's algorithm (its salts), ``b`` the server's secret
    and ``B`` = k*v + g^b mod p. Single use: the caller keeps it until the next
    inputCheckPasswordSRP for this account, passes it to :func:`verify` once and then
    discards it (and makes a new one for the next account.getPassword).
    """

    algo: Algo
    srp_id: int
    B: int = field(repr=False)
    b: int = field(repr=False)
    verifier_digest: bytes = field(repr=False)  # sha256(v): tells a changed password apart

    @classmethod
    def new(
        cls, algo: Algo, verifier: bytes, *, b: int | None = None, srp_id: int | None = None
    ) -> SrpChallenge:
        """A fresh challenge for the stored ``algo`` and verifier ``v`` (256 bytes).

        b is drawn until g^b passes the handshake's range checks, which clients apply to
        g^b = B - k*v (Telethon's is_good_mod_exp_first); a given ``b`` must pass them.
        """
        if not _is_ours(algo):
            raise ValueError("the stored password uses a p/g this server does not offer")
        if len(verifier) != NUMBER_SIZE:
            raise ValueError(f"verifier is {len(verifier)} bytes, not 256")
        v = int.from_bytes(verifier, "big")
        kv = _K * v % SRP_P
        while True:
            secret = secrets.randbits(2048) if b is None else b
            g_b = powmod_secret(SRP_G, secret, SRP_P)
            B = (kv + g_b) % SRP_P
            try:
                check_dh_value(g_b, SRP_P, name="g_b")
                if B == 0:  # clients require 0 < B < p
                    raise DhParameterError("B is 0")
            except DhParameterError:
                if b is not None:
                    raise ValueError("the given b makes a B that clients reject") from None
                continue
            break
        return cls(
            algo=algo,
            srp_id=_new_srp_id() if srp_id is None else srp_id,
            B=B,
            b=secret,
            verifier_digest=hashlib.sha256(verifier).digest(),
        )

    @property
    def srp_B(self) -> bytes:
        return _number(self.B)

    def to_password(
        self,
        *,
        new_algo: Algo,
        hint: str | None = None,
        has_recovery: bool = False,
        has_secure_values: bool = False,
        email_unconfirmed_pattern: str | None = None,
        pending_reset_date: int | None = None,
        login_email_pattern: str | None = None,
        new_secure_algo: T.TypeSecurePasswordKdfAlgo | None = None,
        secure_random: bytes | None = None,
    ) -> T.account.Password:
        """account.password for an account with a password, carrying this challenge.

        ``new_algo`` is the one the caller keeps for :func:`check_new_settings`.
        """
        return T.account.Password(
            has_recovery=has_recovery,
            has_secure_values=has_secure_values,
            has_password=True,
            current_algo=self.algo,
            srp_B=self.srp_B,
            srp_id=self.srp_id,
            hint=hint,
            email_unconfirmed_pattern=email_unconfirmed_pattern,
            new_algo=new_algo,
            new_secure_algo=_fresh_secure_algo() if new_secure_algo is None else new_secure_algo,
            secure_random=secrets.token_bytes(SECURE_RANDOM_SIZE) if secure_random is None else secure_random,
            pending_reset_date=pending_reset_date,
            login_email_pattern=login_email_pattern,
        )


def no_password(
    *,
    new_algo: Algo,
    has_recovery: bool = False,
    email_unconfirmed_pattern: str | None = None,
    login_email_pattern: str | None = None,
    new_secure_algo: T.TypeSecurePasswordKdfAlgo | None = None,
    secure_random: bytes | None = None,
) -> T.account.Password:
    """account.password for an account without a password: only what setting one needs."""
    return T.account.Password(
        has_recovery=has_recovery,
        has_password=False,
        email_unconfirmed_pattern=email_unconfirmed_pattern,
        new_algo=new_algo,
        new_secure_algo=_fresh_secure_algo() if new_secure_algo is None else new_secure_algo,
        secure_random=secrets.token_bytes(SECURE_RANDOM_SIZE) if secure_random is None else secure_random,
        login_email_pattern=login_email_pattern,
    )


def verify(challenge: SrpChallenge, verifier: bytes, check: T.InputCheckPasswordSRP) -> bool:
    """Whether ``check`` proves knowledge of the password behind ``verifier``.

    False means PASSWORD_HASH_INVALID: a wrong password, or an A or M1 no honest client
    sends (A outside the handshake's range checks -- which excludes A mod p == 0 -- or u = 0).
    Raises :class:`SrpError` SRP_ID_INVALID when srp_id is not this challenge's (the
    client answers another account.getPassword), and SRP_PASSWORD_CHANGED when
    ``verifier`` is no longer the one the challenge was made for.

    Either way the challenge is spent: the caller must discard it.
    """
    if not isinstance(check, T.InputCheckPasswordSRP):
        return False
    if check.srp_id != challenge.srp_id:
        raise SrpError(E.SRP_ID_INVALID, f"srp_id {check.srp_id} is not the current challenge's")
    if not hmac.compare_digest(hashlib.sha256(verifier).digest(), challenge.verifier_digest):
        raise SrpError(E.SRP_PASSWORD_CHANGED, "the password changed after account.getPassword")
    if len(check.A) > NUMBER_SIZE:
        return False
    # A is read whatever its length (like the handshake's g_b) but always hashed as
    # 256 bytes, which is how the docs tell clients to hash it.
    A = int.from_bytes(check.A, "big")
    try:
        check_dh_value(A, SRP_P, name="A")
    except DhParameterError:
        return False
    a_bytes, b_bytes = _number(A), challenge.srp_B
    u = int.from_bytes(_sha256(a_bytes, b_bytes), "big")
    if u == 0:
        return False
    v = int.from_bytes(verifier, "big")
    # v is as good as a password hash and b is the challenge's secret: constant-time powmod.
    S = powmod_secret(A * powmod_secret(v, u, SRP_P) % SRP_P, challenge.b, SRP_P)
    K = _sha256(_number(S))
    algo = challenge.algo
    M1 = _sha256(_H_P_XOR_H_G, _sha256(algo.salt1), _sha256(algo.salt2), a_bytes, b_bytes, K)
    return hmac.compare_digest(M1, bytes(check.M1))
