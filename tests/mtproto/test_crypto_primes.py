"""The handshake's pq proof of work (mtproto.crypto.primes)."""

import random

import gmpy2
import pytest

from mtproto.crypto import factorize_pq, generate_pq, is_prime

try:
    import cryptg
except ImportError:
    cryptg = None


@pytest.mark.parametrize(
    ("pq", "p", "q"),
    [
        # samples-auth_key, current page: resPQ's pq and the client's answer.
        (1468428376148703121, 1008949199, 1455403679),
        # samples-auth_key, earlier revision: 0x17ED48941A08F981 = 0x494C553B * 0x53911073.
        (0x17ED48941A08F981, 0x494C553B, 0x53911073),
    ],
)
def test_docs_sample_pq_factorizes_into_p_less_than_q(pq, p, q):
    assert factorize_pq(pq) == (p, q)


def test_generated_pq_is_a_product_of_two_distinct_31_bit_primes():
    rng = random.Random(2024)
    for _ in range(20):
        pq, p, q = generate_pq(rng.randbytes)
        assert pq == p * q
        assert p < q
        assert p.bit_length() == q.bit_length() == 31
        assert gmpy2.is_prime(p) and gmpy2.is_prime(q)
        assert pq < 1 << 63


def test_generated_pq_is_factorized_back_to_its_primes():
    rng = random.Random(7)
    for _ in range(3):
        pq, p, q = generate_pq(rng.randbytes)
        assert factorize_pq(pq) == (p, q)


def test_generated_pq_factorizes_with_cryptg_like_a_client_would():
    if cryptg is None:
        pytest.skip("cryptg is not installed")
    pq, p, q = generate_pq()
    assert tuple(sorted(cryptg.factorize_pq_pair(pq))) == (p, q)


def test_default_generation_uses_fresh_randomness():
    assert generate_pq() != generate_pq()


def test_is_prime_agrees_with_gmp():
    rng = random.Random(1)
    numbers = list(range(0, 2000)) + [rng.getrandbits(64) for _ in range(2000)]
    # Strong pseudoprimes to several small bases must still be caught.
    numbers += [3215031751, 2152302898747, 3474749660383, 341550071728321, 3825123056546413051]
    for n in numbers:
        assert is_prime(n) == bool(gmpy2.is_prime(n)), n


def test_factorize_refuses_primes_and_tiny_numbers():
    with pytest.raises(ValueError):
        factorize_pq(1455403679)
    with pytest.raises(ValueError):
        factorize_pq(3)


def test_even_pq_is_split_by_two():
    assert factorize_pq(2 * 1455403679) == (2, 1455403679)
