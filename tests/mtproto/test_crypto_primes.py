"""The handshake's pq proof of work (mtproto.crypto.primes)."""

import random

import gmpy2
import pytest

from mtproto.crypto import factorize_pq, generate_pq, is_prime
from mtproto.crypto.primes import random_prime

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


@pytest.mark.parametrize("n", [2_047, 1_373_653, 25_326_001, 3_215_031_751, 2_152_302_898_747, 3_474_749_660_383,
                               341_550_071_728_321, 3_825_123_056_546_413_051])
def test_the_strong_pseudoprime_at_each_base_count_bound_is_composite(n):
    # Each is the smallest composite that passes Miller-Rabin with the bases used below
    # it: is_prime must switch to more bases exactly there.
    assert not is_prime(n) and not gmpy2.is_prime(n)


def test_is_prime_agrees_with_gmp_at_every_size_it_uses():
    rng = random.Random(31)
    for bits in (4, 11, 21, 25, 31, 32, 41, 42, 49, 62, 63, 64, 70):
        for _ in range(2000):
            n = rng.getrandbits(bits) | 1
            assert is_prime(n) == bool(gmpy2.is_prime(n)), n


def test_the_fast_path_below_2_64_agrees_with_deterministic_miller_rabin():
    """Below 2^64 is_prime asks GMP and Baillie-PSW (in C); Miller-Rabin with enough
    bases, the Python path above 2^64 and without gmpy2, must give the same answers."""
    from mtproto.crypto.primes import _miller_rabin

    rng = random.Random(64)
    numbers = [rng.getrandbits(bits) | 1 for bits in (31, 32, 48, 63, 64) for _ in range(1500)]
    numbers += [3_215_031_751, 3_825_123_056_546_413_051, 2**31 - 1, 2**61 - 1, 2**64 - 59]
    for n in numbers:
        trial = next((n == p for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37) if n % p == 0), None)
        assert is_prime(n) == (trial if trial is not None else _miller_rabin(n)), n


def test_miller_rabin_in_c_agrees_with_the_python_one_and_at_each_bound():
    """random_prime confirms GMP's next prime with the bases' strong-probable-prime
    tests in C: the same answers as the Python Miller-Rabin, pseudoprimes at the
    bounds included."""
    from mtproto.crypto.primes import _miller_rabin, _miller_rabin_in_c

    rng = random.Random(62)
    numbers = [rng.getrandbits(bits) | 1 | (1 << (bits - 1)) for bits in (31, 32, 48, 63, 64) for _ in range(1500)]
    numbers += [1_373_653, 25_326_001, 3_215_031_751, 2_152_302_898_747, 3_474_749_660_383, 341_550_071_728_321,
                3_825_123_056_546_413_051, 2**31 - 1, 2**61 - 1]
    for n in numbers:
        assert _miller_rabin_in_c(n) == _miller_rabin(n), n


def test_random_primes_have_exactly_the_bits_asked_and_vary():
    rng = random.Random(7)
    primes = [random_prime(31, rng.randbytes) for _ in range(300)]
    assert all(p.bit_length() == 31 and is_prime(p) for p in primes)
    assert len(set(primes)) > 290
