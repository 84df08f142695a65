"""AES-256-IGE and AES-256-CTR wrappers (mtproto.crypto.aes_ige / aes_ctr)."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telethon.crypto.aesctr import AESModeCTR

from mtproto.crypto import AesCtr, ige256_decrypt, ige256_encrypt
from mtproto.crypto import aes_ige

KEY = bytes(range(32))
IV = bytes(range(100, 132))


@settings(max_examples=50, deadline=None)
@given(blocks=st.integers(min_value=1, max_value=64), seed=st.binary(min_size=32, max_size=32))
def test_ige_decrypt_inverts_encrypt(blocks, seed):
    data = (seed * (blocks // 2 + 1))[: 16 * blocks]
    ciphertext = ige256_encrypt(data, KEY, IV)
    assert len(ciphertext) == len(data)
    assert ciphertext != data
    assert ige256_decrypt(ciphertext, KEY, IV) == data


def test_ige_backends_produce_identical_bytes():
    if "cryptg" not in aes_ige._BACKENDS:
        pytest.skip("cryptg is not installed; only tgcrypto is available")
    data = os.urandom(16 * 37)
    key, iv = os.urandom(32), os.urandom(32)
    (tg_enc, tg_dec), (cg_enc, cg_dec) = aes_ige._BACKENDS["tgcrypto"], aes_ige._BACKENDS["cryptg"]
    ciphertext = tg_enc(data, key, iv)
    assert cg_enc(data, key, iv) == ciphertext
    assert cg_dec(ciphertext, key, iv) == tg_dec(ciphertext, key, iv) == data


def test_ige_uses_cryptg_when_it_is_importable():
    expected = "cryptg" if "cryptg" in aes_ige._BACKENDS else "tgcrypto"
    assert aes_ige.BACKEND == expected


def test_ige_chains_blocks_so_equal_blocks_encrypt_differently():
    ciphertext = ige256_encrypt(bytes(32), KEY, IV)
    assert ciphertext[:16] != ciphertext[16:]


@pytest.mark.parametrize(
    ("data", "key", "iv"),
    [(bytes(15), KEY, IV), (bytes(16), KEY[:16], IV), (bytes(16), KEY, IV[:16])],
    ids=["unaligned-data", "short-key", "short-iv"],
)
def test_ige_rejects_bad_lengths(data, key, iv):
    with pytest.raises(ValueError):
        ige256_encrypt(data, key, iv)
    with pytest.raises(ValueError):
        ige256_decrypt(data, key, iv)


def test_ige_of_empty_data_is_empty():
    assert ige256_encrypt(b"", KEY, IV) == b""


def test_ctr_matches_telethon_reference_keystream():
    key, iv, data = os.urandom(32), os.urandom(16), os.urandom(1000)
    assert AesCtr(key, iv).update(data) == AESModeCTR(key, iv).encrypt(data)


def test_ctr_keeps_its_position_across_calls():
    key, iv, data = os.urandom(32), os.urandom(16), os.urandom(777)
    whole = AesCtr(key, iv).encrypt(data)
    stream = AesCtr(key, iv)
    pieces = b"".join(stream.encrypt(data[i : i + 7]) for i in range(0, len(data), 7))
    assert pieces == whole


def test_ctr_decrypt_with_a_fresh_stream_recovers_the_plaintext():
    key, iv, data = os.urandom(32), os.urandom(16), os.urandom(64)
    assert AesCtr(key, iv).decrypt(AesCtr(key, iv).encrypt(data)) == data


def test_ctr_rejects_bad_key_or_iv_lengths():
    with pytest.raises(ValueError):
        AesCtr(bytes(16), bytes(16))
    with pytest.raises(ValueError):
        AesCtr(bytes(32), bytes(32))
