"""Decrypting req_DH_params' encrypted_data under both paddings (mtproto.crypto.rsa_decrypt)."""

import hashlib
import os

import pytest
import tgcrypto
from telethon.crypto import rsa as telethon_rsa
from telethon.tl.types import PQInnerDataDc

from mtproto.crypto import (
    RsaDecryptionError,
    ServerRsaKey,
    check_old_padding,
    decrypt_inner_data,
    decrypt_old_padding,
    decrypt_rsa_pad,
    rsa_private_op,
)

# samples-auth_key step 4: the p_q_inner_data_dc and the random padding bytes the
# example feeds into RSA_PAD (its temp_key is not published, so the final
# ciphertext cannot be reproduced; we encrypt the same input to our own key).
SAMPLE_DATA = bytes.fromhex(
    "955FF5A9081460E7D3FA727791000000043C2357CF0000000456BFB29F00000015A084B3B9CA2A17"
    "F03925F44B78FE68D6701FCD212CEB87C966E5318F5564A8845FAD32D10A4C7967DA49A89FBE508A"
    "D24AA3150992B499B3B2C72CDC0F364C02000000"
)
SAMPLE_PADDING = bytes.fromhex(
    "5C3E7244F0896A34C58F66FC548B7A2D0A4153B5E703A8FF11FBF623B7E2F9BA25E3539490DA77CE"
    "B9AB45A44F9D7D3CB5DE7C0F69F0D5819112F5CACF06C964AE5D8BC3C727AC39A058681B8E80AAB7"
    "6BF06CD90FCBC2B7CFBF8135"
)


@pytest.fixture(scope="module")
def server_key() -> ServerRsaKey:
    return ServerRsaKey.generate()


@pytest.fixture()
def telethon_knows(server_key):
    """Register our public key with Telethon's client-side RSA module for one test."""
    added = []

    def register(*, old: bool) -> int:
        telethon_rsa.add_key(server_key.public_pem().decode(), old=old)
        added.append(server_key.fingerprint)
        return server_key.fingerprint

    yield register
    for fingerprint in added:
        telethon_rsa._server_keys.pop(fingerprint, None)


def _client_rsa_pad(data_with_padding: bytes, n: int, e: int) -> bytes:
    """RSA_PAD as a client does it, written from auth_key step 4.1 (Telethon 1.45 has none)."""
    assert len(data_with_padding) == 192
    while True:
        temp_key = os.urandom(32)
        data_with_hash = data_with_padding[::-1] + hashlib.sha256(temp_key + data_with_padding).digest()
        aes_encrypted = tgcrypto.ige256_encrypt(data_with_hash, temp_key, bytes(32))
        mask = hashlib.sha256(aes_encrypted).digest()
        key_aes_encrypted = bytes(a ^ b for a, b in zip(temp_key, mask)) + aes_encrypted
        value = int.from_bytes(key_aes_encrypted, "big")
        if value < n:  # otherwise the docs say: pick a new temp_key
            return pow(value, e, n).to_bytes(256, "big")


def _pq_inner_data() -> bytes:
    return bytes(
        PQInnerDataDc(
            pq=bytes.fromhex("17ED48941A08F981"),
            p=bytes.fromhex("494C553B"),
            q=bytes.fromhex("53911073"),
            nonce=int.from_bytes(os.urandom(16), "little", signed=True),
            server_nonce=int.from_bytes(os.urandom(16), "little", signed=True),
            new_nonce=int.from_bytes(os.urandom(32), "little", signed=True),
            dc=2,
        )
    )


def test_raw_rsa_operation_is_textbook_c_to_the_d_mod_n(server_key):
    d = server_key.private_key.private_numbers().d
    for _ in range(3):
        c = int.from_bytes(os.urandom(256), "big") % server_key.n
        assert rsa_private_op(server_key, c.to_bytes(256, "big")) == pow(c, d, server_key.n).to_bytes(256, "big")


def test_encrypted_data_shorter_than_256_bytes_is_read_as_a_number(server_key):
    d = server_key.private_key.private_numbers().d
    short = os.urandom(255)
    c = int.from_bytes(short, "big")
    assert rsa_private_op(server_key, short) == pow(c, d, server_key.n).to_bytes(256, "big")


@pytest.mark.parametrize("old_key", [False, True], ids=["current-key", "old-key"])
def test_old_padding_from_telethon_decrypts_to_the_exact_inner_data(server_key, telethon_knows, old_key):
    fingerprint = telethon_knows(old=old_key)
    data = _pq_inner_data()
    encrypted = telethon_rsa.encrypt(fingerprint, data, use_old=old_key)
    assert encrypted is not None, "Telethon did not find our key by fingerprint"

    assert decrypt_old_padding(server_key, encrypted) == data
    assert decrypt_inner_data(server_key, encrypted) == (data, "old")


def test_rsa_pad_of_the_docs_sample_input_decrypts_to_data_with_padding(server_key):
    data_with_padding = SAMPLE_DATA + SAMPLE_PADDING
    encrypted = _client_rsa_pad(data_with_padding, server_key.n, server_key.e)

    assert decrypt_rsa_pad(server_key, encrypted) == data_with_padding
    result = decrypt_inner_data(server_key, encrypted)
    assert result.scheme == "rsa_pad"
    assert result.data.startswith(SAMPLE_DATA)


def test_rsa_pad_with_random_inner_data_round_trips(server_key):
    for _ in range(3):
        data = _pq_inner_data()
        data_with_padding = data + os.urandom(192 - len(data))
        encrypted = _client_rsa_pad(data_with_padding, server_key.n, server_key.e)
        assert decrypt_inner_data(server_key, encrypted) == (data_with_padding, "rsa_pad")


def test_rsa_pad_ciphertext_is_not_mistaken_for_old_padding(server_key):
    encrypted = _client_rsa_pad(SAMPLE_DATA + SAMPLE_PADDING, server_key.n, server_key.e)
    with pytest.raises(RsaDecryptionError):
        decrypt_old_padding(server_key, encrypted)


def test_old_padding_ciphertext_is_not_mistaken_for_rsa_pad(server_key, telethon_knows):
    encrypted = telethon_rsa.encrypt(telethon_knows(old=False), _pq_inner_data())
    with pytest.raises(RsaDecryptionError):
        decrypt_rsa_pad(server_key, encrypted)


def test_random_garbage_is_rejected_cleanly(server_key):
    for _ in range(5):
        garbage = (int.from_bytes(os.urandom(256), "big") % server_key.n).to_bytes(256, "big")
        with pytest.raises(RsaDecryptionError, match="neither RSA_PAD nor the old padding"):
            decrypt_inner_data(server_key, garbage)


def test_tampered_rsa_pad_ciphertext_is_rejected(server_key):
    encrypted = bytearray(_client_rsa_pad(SAMPLE_DATA + SAMPLE_PADDING, server_key.n, server_key.e))
    encrypted[100] ^= 1
    with pytest.raises(RsaDecryptionError):
        decrypt_inner_data(server_key, bytes(encrypted))


def test_ciphertext_not_below_the_modulus_is_rejected(server_key):
    with pytest.raises(RsaDecryptionError, match="modulus"):
        decrypt_inner_data(server_key, b"\xff" * 256)


def test_ciphertext_longer_than_256_bytes_is_rejected(server_key):
    with pytest.raises(RsaDecryptionError):
        decrypt_inner_data(server_key, bytes(257))


def test_check_old_padding_verifies_a_known_prefix():
    data = _pq_inner_data()
    digest = hashlib.sha1(data).digest()
    assert check_old_padding(digest, data)
    assert not check_old_padding(digest, data[:-4])
