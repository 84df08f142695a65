"""Server side of 2FA SRP (rpc.services.srp) against Telethon's client side.

Each 100000-round PBKDF2 costs ~0.1 s, so the password's verifier and one valid
proof are derived once per module and shared; verify() is pure, so sharing them is safe.
"""

import hashlib
import secrets

import gmpy2
import pytest

pytest.importorskip("telethon")
from telethon.extensions import BinaryReader  # noqa: E402
from telethon.password import compute_check, compute_digest  # noqa: E402

import tl  # noqa: E402
from mtproto.crypto import DH_PRIME, DH_PRIME_BYTES, generator_is_valid  # noqa: E402
from rpc.services import srp  # noqa: E402
from tl import types as T  # noqa: E402

PASSWORD = "correct horse battery staple"
P = DH_PRIME


def n256(value: int) -> bytes:
    return value.to_bytes(256, "big")


def sha256(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def to_telethon(obj):
    return BinaryReader(tl.encode(obj)).tgread_object()


def from_telethon(obj):
    return tl.decode(bytes(obj))


def docs_m1(algo, A: bytes, B: bytes, S: int) -> bytes:
    """M1 as https://core.telegram.org/api/srp defines it, written out again here."""
    g = n256(algo.g)
    h_p_xor_h_g = bytes(x ^ y for x, y in zip(sha256(algo.p), sha256(g)))
    return sha256(h_p_xor_h_g, sha256(algo.salt1), sha256(algo.salt2), A, B, sha256(n256(S)))


@pytest.fixture(scope="module")
def offered():
    return srp.new_algo()


@pytest.fixture(scope="module")
def client_algo(offered):
    # What tdlib and Telethon do before deriving the verifier: append 32 random bytes to salt1.
    salt1 = offered.salt1 + secrets.token_bytes(32)
    return srp.Algo(salt1=salt1, salt2=offered.salt2, g=offered.g, p=offered.p)


@pytest.fixture(scope="module")
def verifier(client_algo):
    return compute_digest(client_algo, PASSWORD)


@pytest.fixture(scope="module")
def challenge(client_algo, verifier):
    return srp.SrpChallenge.new(client_algo, verifier)


def telethon_proof(challenge, offered, password) -> T.InputCheckPasswordSRP:
    return from_telethon(compute_check(to_telethon(challenge.to_password(new_algo=offered)), password))


@pytest.fixture(scope="module")
def proof(challenge, offered):
    return telethon_proof(challenge, offered, PASSWORD)


# --- new_algo --------------------------------------------------------------------------


def test_new_algo_offers_the_published_prime_with_g_3():
    algo = srp.new_algo()
    assert algo.p == DH_PRIME_BYTES and algo.g == 3
    # The docs' rule for g = 3 (p mod 3 == 2) and what it stands for: g is a quadratic residue.
    assert generator_is_valid(3, P) and gmpy2.legendre(3, P) == 1
    assert len(algo.salt1) == 8 and len(algo.salt2) == 16


def test_new_algo_salts_are_fresh_each_time():
    a, b = srp.new_algo(), srp.new_algo()
    assert a.salt1 != b.salt1 and a.salt2 != b.salt2


# --- the verifier ----------------------------------------------------------------------


def test_our_verifier_is_telethons_digest(client_algo, verifier):
    assert srp.verifier_for(PASSWORD, client_algo) == verifier
    assert len(verifier) == 256


def test_client_verifier_passes_check_new_settings(offered, client_algo, verifier):
    srp.check_new_settings(client_algo, verifier, offered=offered)


def test_salt1_exactly_as_offered_is_accepted(offered, verifier):
    # Only prefix and length are checked; the verifier's value cannot tell which salt made it.
    srp.check_new_settings(offered, verifier, offered=offered)


def _with(algo, **changes):
    fields = dict(salt1=algo.salt1, salt2=algo.salt2, g=algo.g, p=algo.p)
    fields.update(changes)
    return srp.Algo(**fields)


@pytest.mark.parametrize(
    "make_algo, expected",
    [
        (lambda algo: T.PasswordKdfAlgoUnknown(), "NEW_SETTINGS_INVALID"),
        (lambda algo: _with(algo, g=4), "NEW_SETTINGS_INVALID"),  # a valid g, but not ours
        (lambda algo: _with(algo, p=n256(P - 2)), "NEW_SETTINGS_INVALID"),
        (lambda algo: _with(algo, p=DH_PRIME_BYTES[1:]), "NEW_SETTINGS_INVALID"),
        (lambda algo: _with(algo, salt1=bytes(40)), "NEW_SALT_INVALID"),
        (lambda algo: _with(algo, salt1=algo.salt1[:7]), "NEW_SALT_INVALID"),
        (lambda algo: _with(algo, salt1=algo.salt1 + bytes(100)), "NEW_SALT_INVALID"),
        (lambda algo: _with(algo, salt2=bytes(16)), "NEW_SALT_INVALID"),
    ],
    ids=["unknown-algo", "g-4", "other-p", "short-p", "foreign-salt1", "cut-salt1", "long-salt1", "salt2"],
)
def test_new_settings_with_a_foreign_algo_are_rejected(offered, client_algo, verifier, make_algo, expected):
    with pytest.raises(srp.SrpError) as info:
        srp.check_new_settings(make_algo(client_algo), verifier, offered=offered)
    assert info.value.name == expected
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "make_hash",
    [
        lambda v: v[1:],  # 255 bytes
        lambda v: b"\x00" + v,  # 257 bytes
        lambda v: b"",
        lambda v: n256(0),
        lambda v: n256(1),
        lambda v: n256(P - 1),
        lambda v: n256(P),
        lambda v: b"\xff" * 256,
        # p = 3 mod 4, so -1 is not a square and -v is not a power of g.
        lambda v: n256(P - int.from_bytes(v, "big")),
    ],
    ids=["255-bytes", "257-bytes", "empty", "zero", "one", "p-1", "p", "2^2048-1", "non-residue"],
)
def test_new_password_hash_that_no_password_yields_is_rejected(offered, client_algo, verifier, make_hash):
    with pytest.raises(srp.SrpError) as info:
        srp.check_new_settings(client_algo, make_hash(verifier), offered=offered)
    assert info.value.name == "NEW_SETTINGS_INVALID"


# --- account.password ------------------------------------------------------------------


def test_account_password_carries_the_challenge_and_reads_in_telethon(challenge, offered, client_algo):
    theirs = to_telethon(challenge.to_password(new_algo=offered, hint="horse", has_recovery=True))
    assert theirs.has_password and theirs.has_recovery and theirs.hint == "horse"
    assert theirs.current_algo.salt1 == client_algo.salt1 and theirs.current_algo.salt2 == client_algo.salt2
    assert theirs.srp_B == n256(challenge.B) and len(theirs.srp_B) == 256
    assert theirs.srp_id == challenge.srp_id
    assert theirs.new_algo.salt1 == offered.salt1 and theirs.new_algo.salt2 == offered.salt2
    # tdlib refuses securePasswordKdfAlgoSHA512 ("outdated secret encryption mode").
    assert type(theirs.new_secure_algo).__name__ == "SecurePasswordKdfAlgoPBKDF2HMACSHA512iter100000"
    assert len(theirs.new_secure_algo.salt) == 8
    assert len(theirs.secure_random) == 32


def test_account_without_password_offers_only_new_algo(offered):
    theirs = to_telethon(srp.no_password(new_algo=offered))
    assert not theirs.has_password
    assert theirs.current_algo is None and theirs.srp_B is None and theirs.srp_id is None
    assert theirs.new_algo.salt1 == offered.salt1


def test_B_is_k_v_plus_g_b_with_g_padded_to_256_bytes(client_algo, verifier):
    b = secrets.randbits(2048)
    made = srp.SrpChallenge.new(client_algo, verifier, b=b, srp_id=42)
    k = int.from_bytes(sha256(DH_PRIME_BYTES, n256(3)), "big")
    assert made.B == (k * int.from_bytes(verifier, "big") + pow(3, b, P)) % P
    assert made.srp_id == 42 and len(made.srp_B) == 256


def test_a_b_whose_g_b_clients_reject_is_refused(client_algo, verifier):
    with pytest.raises(ValueError):
        srp.SrpChallenge.new(client_algo, verifier, b=1)  # g^b = 3, far below 2^1984


def test_challenges_are_fresh_and_srp_id_is_a_signed_64_bit_long(client_algo, verifier):
    a, b = srp.SrpChallenge.new(client_algo, verifier), srp.SrpChallenge.new(client_algo, verifier)
    assert a.srp_id != b.srp_id and a.B != b.B
    assert all(-(1 << 63) <= c.srp_id < 1 << 63 for c in (a, b))
    assert str(a.b) not in repr(a)  # the secret stays out of logs


# --- verify ----------------------------------------------------------------------------


def test_telethons_proof_of_the_right_password_is_accepted(challenge, verifier, proof):
    assert srp.verify(challenge, verifier, proof)


def test_wrong_password_is_rejected(challenge, offered, verifier):
    assert not srp.verify(challenge, verifier, telethon_proof(challenge, offered, PASSWORD + "!"))


def test_tampered_M1_is_rejected(challenge, verifier, proof):
    m1 = bytearray(proof.M1)
    m1[-1] ^= 1
    for M1 in (bytes(m1), proof.M1[:16], b""):
        check = T.InputCheckPasswordSRP(srp_id=proof.srp_id, A=proof.A, M1=M1)
        assert not srp.verify(challenge, verifier, check)


def test_proof_for_another_challenge_is_rejected(client_algo, verifier, proof):
    other = srp.SrpChallenge.new(client_algo, verifier, srp_id=proof.srp_id)
    assert not srp.verify(other, verifier, proof)


def test_wrong_srp_id_is_SRP_ID_INVALID(challenge, verifier, proof):
    stale = T.InputCheckPasswordSRP(srp_id=proof.srp_id ^ 1, A=proof.A, M1=proof.M1)
    with pytest.raises(srp.SrpError) as info:
        srp.verify(challenge, verifier, stale)
    assert info.value.name == "SRP_ID_INVALID"


def test_password_changed_since_the_challenge_is_SRP_PASSWORD_CHANGED(challenge, proof, verifier):
    other_v = n256(pow(3, 12345, P))
    with pytest.raises(srp.SrpError) as info:
        srp.verify(challenge, other_v, proof)
    assert info.value.name == "SRP_PASSWORD_CHANGED"


@pytest.mark.parametrize("A", [0, P], ids=["zero", "p"])
def test_A_that_is_0_mod_p_is_rejected_even_with_the_M1_it_makes_computable(challenge, verifier, A):
    # A = 0 mod p makes S = 0 whatever the password: without the check this M1 would pass.
    A_bytes = n256(A)
    forged = docs_m1(challenge.algo, A_bytes, challenge.srp_B, 0)
    check = T.InputCheckPasswordSRP(srp_id=challenge.srp_id, A=A_bytes, M1=forged)
    assert not srp.verify(challenge, verifier, check)


@pytest.mark.parametrize(
    "A",
    [b"", n256(1), n256(P - 1), n256(P + 1), b"\xff" * 256, b"\x00" + n256(P), b"\x01" + bytes(256)],
    ids=["empty", "one", "p-1", "p+1", "2^2048-1", "257-bytes", "2^2048"],
)
def test_A_out_of_range_is_rejected(challenge, verifier, proof, A):
    assert not srp.verify(challenge, verifier, T.InputCheckPasswordSRP(srp_id=proof.srp_id, A=A, M1=proof.M1))


def test_other_input_check_password_is_rejected(challenge, verifier):
    assert not srp.verify(challenge, verifier, T.InputCheckPasswordEmpty())


def test_A_without_its_leading_zero_byte_is_accepted(client_algo, verifier):
    """A client written from the docs alone, whose A happens to start with a zero byte.

    Like the handshake's g_b, A is read whatever its length but hashed as 256 bytes.
    """
    x = int.from_bytes(srp.password_hash(PASSWORD, client_algo), "big")
    assert n256(pow(3, x, P)) == verifier
    made = srp.SrpChallenge.new(client_algo, verifier)
    B = int.from_bytes(made.srp_B, "big")
    while True:  # about 256 tries
        a = secrets.randbits(2048)
        A = int(gmpy2.powmod(3, a, P))
        if 1 << 1984 < A < 1 << 2040:
            break
    k = int.from_bytes(sha256(DH_PRIME_BYTES, n256(3)), "big")
    u = int.from_bytes(sha256(n256(A), made.srp_B), "big")
    S = int(gmpy2.powmod((B - k * pow(3, x, P)) % P, a + u * x, P))
    M1 = docs_m1(client_algo, n256(A), made.srp_B, S)
    short = A.to_bytes((A.bit_length() + 7) // 8, "big")
    assert len(short) < 256
    assert srp.verify(made, verifier, T.InputCheckPasswordSRP(srp_id=made.srp_id, A=short, M1=M1))
