"""Big-integer backend (mtproto.crypto.modexp)."""

import random

import pytest

from mtproto.crypto import DH_PRIME, modinv, powmod, powmod_secret
from mtproto.crypto import modexp


def _cases():
    rng = random.Random(99)
    for _ in range(5):
        yield rng.getrandbits(2048) % DH_PRIME, rng.getrandbits(2048) | 1, DH_PRIME
    yield 3, 65537, (1 << 521) - 1
    yield 0, 5, 7
    yield 7, 1, 13


@pytest.mark.parametrize(("base", "exp", "mod"), list(_cases()), ids=lambda v: f"{v.bit_length()}bit")
def test_powmod_and_powmod_secret_equal_builtin_pow(base, exp, mod):
    expected = pow(base, exp, mod)
    assert powmod(base, exp, mod) == expected
    assert powmod_secret(base, exp, mod) == expected
    assert modexp._powmod_python(base, exp, mod) == expected


def test_results_are_plain_python_ints():
    assert type(powmod(3, 5, 7)) is int
    assert type(powmod_secret(3, 5, 7)) is int
    assert type(modinv(3, 7)) is int


def test_powmod_accepts_exponent_zero():
    assert powmod(5, 0, DH_PRIME) == 1


def test_modinv_inverts_and_rejects_non_invertible_values():
    assert modinv(3, 7) * 3 % 7 == 1
    value = DH_PRIME // 5
    assert modinv(value, DH_PRIME) * value % DH_PRIME == 1
    with pytest.raises(ValueError):
        modinv(6, 9)
    with pytest.raises(ValueError):
        modexp._modinv_python(6, 9)


def test_gmpy2_backend_is_selected_when_installed():
    pytest.importorskip("gmpy2")
    assert modexp.BACKEND == "gmpy2"
