"""The handshake's secret exponentiations through OpenSSL (mtproto/crypto/openssl.py)
against the GMP path they replaced: the same numbers on fixed inputs, and with the same
seeded randomness the same handshake byte for byte."""

import dataclasses
import random

import gmpy2
import pytest

from mtproto.crypto import DH_PRIME, ServerRsaKey, modexp, openssl, rsa_private_op
from mtproto.crypto.rsa_decrypt import rsa_private_op_crt
from mtproto.handshake import Handshake, KeyComputed, Reply

from .handshake_client import run_handshake

pytestmark = pytest.mark.skipif(not openssl.AVAILABLE, reason="no OpenSSL 3 libcrypto in this Python")

NOW = 1_700_000_000.0


@pytest.fixture(scope="module")
def key() -> ServerRsaKey:
    return ServerRsaKey.generate()


def _exponentiations():
    rng = random.Random(13)
    rsa = rng.getrandbits(1024) | (1 << 1023) | 1  # an odd 1024-bit modulus, as an RSA prime is
    for _ in range(4):
        # g^a and g_b^a as the handshake computes them: 2048-bit a, any g_b below p.
        yield 3, rng.getrandbits(2048), DH_PRIME
        yield rng.randrange(2, DH_PRIME - 1), rng.getrandbits(2048), DH_PRIME
        yield rng.getrandbits(1100), rng.getrandbits(1024), rsa  # base above the modulus
    yield 3, DH_PRIME - 1, DH_PRIME  # Fermat: 1
    yield 0, 5, 7
    yield 7, 1, 13
    yield 5, 0, 9
    yield 2, 1 << 4096, DH_PRIME  # an exponent longer than the modulus


@pytest.mark.parametrize(("base", "exp", "mod"), list(_exponentiations()),
                         ids=lambda v: f"{v.bit_length()}bit")
def test_powmod_consttime_equals_gmp_and_pow(base, exp, mod):
    expected = pow(base, exp, mod)
    assert openssl.powmod_consttime(base, exp, mod) == expected
    if exp:
        assert int(gmpy2.powmod_sec(base, exp, mod)) == expected


def test_powmod_consttime_needs_an_odd_modulus():
    with pytest.raises(ValueError):
        openssl.powmod_consttime(3, 5, DH_PRIME + 1)
    with pytest.raises(ValueError):
        openssl.powmod_consttime(3, 5, 1)


def test_powmod_secret_uses_openssl_when_it_is_there():
    assert modexp.SECRET_BACKEND == openssl.VERSION and openssl.VERSION.startswith("OpenSSL 3")


def test_unpadded_rsa_decryption_equals_the_crt_path(key):
    assert key.raw is not None
    rng = random.Random(5)
    values = [0, 1, 2, key.n - 1, key.n - 2, key.n // 2] + [rng.randrange(key.n) for _ in range(40)]
    for c in values:
        assert rsa_private_op(key, c.to_bytes(256, "big")) == rsa_private_op_crt(key, c)
        assert rsa_private_op_crt(key, c) == pow(c, key.private_key.private_numbers().d, key.n).to_bytes(256, "big")


def test_a_key_loaded_from_pem_is_held_by_openssl_too(key):
    loaded = ServerRsaKey.from_pem(key.private_pem())
    assert loaded.raw is not None and loaded.raw is not key.raw and loaded.fingerprint == key.fingerprint
    c = (key.n // 3).to_bytes(256, "big")
    assert rsa_private_op(loaded, c) == rsa_private_op(key, c)


def _server_output(key: ServerRsaKey, *, use_rsa_pad: bool) -> tuple[list[bytes], bytes]:
    """Every packet the server sends in one handshake, client and server seeded."""
    handshake = Handshake([key], randbytes=random.Random("server").randbytes)
    sent, proposed = [], []

    def send(packet: bytes) -> bytes:
        event = handshake.receive(packet, NOW)
        if isinstance(event, KeyComputed):
            proposed.append(handshake.proposed_key(NOW))
            event = handshake.confirm(True, NOW)
        assert isinstance(event, Reply), event
        sent.append(event.data)
        return event.data

    auth_key, _ = run_handshake(None, key, send=send, randbytes=random.Random("client").randbytes,
                                clock=lambda: NOW, use_rsa_pad=use_rsa_pad)
    assert proposed == [handshake.result] and handshake.result.key == auth_key
    return sent, auth_key


@pytest.mark.parametrize("use_rsa_pad", [True, False], ids=["rsa_pad", "old_padding"])
def test_the_handshake_says_the_same_bytes_with_openssl_and_with_gmp(key, monkeypatch, use_rsa_pad):
    with_openssl = _server_output(key, use_rsa_pad=use_rsa_pad)
    monkeypatch.setattr(modexp, "_powmod_secret", modexp._powmod_secret_gmp)
    with_gmp = _server_output(dataclasses.replace(key, raw=None), use_rsa_pad=use_rsa_pad)
    assert with_openssl == with_gmp
    assert len(with_openssl[0]) == 3  # resPQ, server_DH_params_ok, dh_gen_ok
