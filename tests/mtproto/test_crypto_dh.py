"""Diffie-Hellman parameters and checks of the handshake (mtproto.crypto.dh)."""

import gmpy2
import pytest

from mtproto.crypto import (
    DH_G,
    DH_PRIME,
    DH_PRIME_BYTES,
    VALID_GENERATORS,
    DhParameterError,
    check_dh_value,
    check_g_b,
    compute_auth_key,
    generate_dh_secret,
    generator_is_valid,
)
from mtproto.crypto.dh import SAFETY_MARGIN

# The prime as printed (spaced hex) on https://core.telegram.org/mtproto/auth_key
# and security_guidelines, transcribed separately from the constant in dh.py.
DOCS_PRIME = """
C7 1C AE B9 C6 B1 C9 04 8E 6C 52 2F 70 F1 3F 73 98 0D 40 23 8E 3E 21 C1 49 34 D0 37 56 3D 93 0F
48 19 8A 0A A7 C1 40 58 22 94 93 D2 25 30 F4 DB FA 33 6F 6E 0A C9 25 13 95 43 AE D4 4C CE 7C 37
20 FD 51 F6 94 58 70 5A C6 8C D4 FE 6B 6B 13 AB DC 97 46 51 29 69 32 84 54 F1 8F AF 8C 59 5F 64
24 77 FE 96 BB 2A 94 1D 5B CD 1D 4A C8 CC 49 88 07 08 FA 9B 37 8E 3C 4F 3A 90 60 BE E6 7C F9 A4
A4 A6 95 81 10 51 90 7E 16 27 53 B5 6B 0F 6B 41 0D BA 74 D8 A8 4B 2A 14 B3 14 4E 0E F1 28 47 54
FD 17 ED 95 0D 59 65 B4 B9 DD 46 58 2D B1 17 8D 16 9C 6B C4 65 B0 D6 FF 9C A3 92 8F EF 5B 9A E4
E4 18 FC 15 E8 3E BE A0 F8 7F A9 FF 5E ED 70 05 0D ED 28 49 F4 7B F9 59 D9 56 85 0C E9 29 85 1F
0D 81 15 F6 35 B1 05 EE 2E 4E 15 D0 4B 24 54 BF 6F 4F AD F0 34 B1 04 03 11 9C D8 E3 B9 2F CC 5B
"""


def test_dh_prime_is_the_one_published_in_the_docs():
    assert DH_PRIME_BYTES == bytes.fromhex(DOCS_PRIME)
    assert DH_PRIME == int.from_bytes(DH_PRIME_BYTES, "big")


def test_dh_prime_is_a_safe_2048_bit_prime():
    assert 1 << 2047 < DH_PRIME < 1 << 2048
    assert gmpy2.is_prime(DH_PRIME, 30)
    assert gmpy2.is_prime((DH_PRIME - 1) // 2, 30)


def test_valid_generators_for_the_prime_are_3_4_and_7():
    assert VALID_GENERATORS == (3, 4, 7)
    assert DH_G in VALID_GENERATORS


@pytest.mark.parametrize("g", [2, 3, 4, 5, 6, 7])
def test_generator_rule_agrees_with_the_legendre_symbol_for_the_prime(g):
    # g generates the subgroup of order (p-1)/2 iff it is a quadratic residue.
    assert generator_is_valid(g) == (gmpy2.legendre(g, DH_PRIME) == 1)


def test_generator_rules_from_the_docs_match_quadratic_residuosity_on_small_safe_primes():
    safe_primes = [p for p in range(11, 20000) if gmpy2.is_prime(p) and gmpy2.is_prime((p - 1) // 2)]
    assert len(safe_primes) > 50
    for p in safe_primes:
        for g in range(2, 8):
            assert generator_is_valid(g, p) == (gmpy2.legendre(g, p) == 1), (g, p)


def test_generators_outside_2_to_7_are_never_valid():
    assert not generator_is_valid(8)
    assert not generator_is_valid(1)


@pytest.mark.parametrize(
    "g_b",
    [
        0,
        1,
        2,
        SAFETY_MARGIN,
        DH_PRIME - SAFETY_MARGIN,
        DH_PRIME - 2,
        DH_PRIME - 1,
        DH_PRIME,
        DH_PRIME + 5,
    ],
)
def test_g_b_outside_the_safe_range_is_rejected(g_b):
    with pytest.raises(DhParameterError):
        check_g_b(g_b)


@pytest.mark.parametrize("g_b", [SAFETY_MARGIN + 1, DH_PRIME - SAFETY_MARGIN - 1, DH_PRIME // 2])
def test_g_b_inside_the_safe_range_is_accepted(g_b):
    assert check_g_b(g_b) == g_b


def test_g_b_is_accepted_as_big_endian_bytes():
    g_b = DH_PRIME // 3
    assert check_g_b(g_b.to_bytes(256, "big")) == g_b


def test_g_b_missing_its_leading_zero_byte_gives_the_same_auth_key():
    g_b = (1 << 2039) + 12345  # top byte of the 256-byte form is zero
    a = (1 << 2047) + 987654321
    full, stripped = g_b.to_bytes(256, "big"), g_b.to_bytes(255, "big")
    assert full[0] == 0
    expected = pow(g_b, a, DH_PRIME).to_bytes(256, "big")
    assert compute_auth_key(stripped, a) == compute_auth_key(full, a) == compute_auth_key(g_b, a) == expected


def test_compute_auth_key_validates_g_b_first():
    with pytest.raises(DhParameterError):
        compute_auth_key(bytes(256), 12345)
    with pytest.raises(DhParameterError):
        compute_auth_key(DH_PRIME - 1, 12345)


def test_server_and_client_agree_on_the_auth_key():
    a, g_a = generate_dh_secret()
    b = (1 << 2046) + 0xC0FFEE
    g_b = pow(DH_G, b, DH_PRIME)
    auth_key = compute_auth_key(g_b, a)
    assert len(auth_key) == 256
    assert auth_key == pow(g_a, b, DH_PRIME).to_bytes(256, "big")


def test_generated_g_a_is_g_to_the_a_and_in_the_safe_range():
    a, g_a = generate_dh_secret()
    assert 0 < a < 1 << 2048
    assert g_a == pow(DH_G, a, DH_PRIME)
    check_dh_value(g_a, name="g_a")


def test_range_error_names_the_value_that_failed():
    with pytest.raises(DhParameterError, match="g_a"):
        check_dh_value(1, name="g_a")
