"""Server RSA keys: fingerprints, PEM formats, generation rules (mtproto.crypto.rsa_keys)."""

import pytest
import rsa as pyrsa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from telethon.crypto import rsa as telethon_rsa

from mtproto.crypto import ServerRsaKey, fingerprint_hex, fingerprint_is_safe, rsa_fingerprint
from mtproto.crypto import rsa_keys


@pytest.fixture(scope="module")
def server_key() -> ServerRsaKey:
    return ServerRsaKey.generate()


def test_generated_key_is_2048_bit_with_e_65537(server_key):
    assert server_key.n.bit_length() == 2048
    assert server_key.e == 65537


def test_generated_key_has_a_fingerprint_printing_as_16_hex_digits(server_key):
    assert fingerprint_is_safe(server_key.fingerprint)
    text = fingerprint_hex(server_key.fingerprint)
    assert len(text) == 16 and text[0] != "0"
    assert len(f"{server_key.fingerprint % (1 << 64):x}") == 16


def test_fingerprint_matches_telethon_for_our_public_pem(server_key):
    public = pyrsa.PublicKey.load_pkcs1(server_key.public_pem())
    assert telethon_rsa._compute_fingerprint(public) == server_key.fingerprint


def test_fingerprints_of_telegram_keys_match_the_docs_sample():
    # samples-auth_key: resPQ lists fingerprints whose wire bytes (little-endian
    # long) are A5B7F709355FC30B and 216BE86C022BB4C3; both keys ship in Telethon.
    ours = {
        rsa_fingerprint(key.n, key.e).to_bytes(8, "little", signed=True).hex().upper()
        for key, _old in telethon_rsa._server_keys.values()
    }
    assert {"A5B7F709355FC30B", "216BE86C022BB4C3"} <= ours
    for fingerprint, (key, _old) in telethon_rsa._server_keys.items():
        assert rsa_fingerprint(key.n, key.e) == fingerprint


def test_public_pem_is_pkcs1_as_clients_embed_it(server_key):
    pem = server_key.public_pem()
    assert pem.startswith(b"-----BEGIN RSA PUBLIC KEY-----\n")
    loaded = serialization.load_pem_public_key(pem)
    assert loaded.public_numbers().n == server_key.n


def test_private_pem_is_pkcs8_and_reloads_to_the_same_key(server_key):
    pem = server_key.private_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    reloaded = ServerRsaKey.from_pem(pem)
    assert (reloaded.n, reloaded.e, reloaded.fingerprint) == (server_key.n, server_key.e, server_key.fingerprint)


def test_password_protected_private_pem_reloads_with_the_password(server_key):
    pem = server_key.private_pem(password=b"secret")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    assert ServerRsaKey.from_pem(pem, password=b"secret").fingerprint == server_key.fingerprint


def test_legacy_pkcs1_private_pem_is_accepted(server_key):
    pem = server_key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert ServerRsaKey.from_pem(pem).fingerprint == server_key.fingerprint


def test_key_that_is_not_2048_bit_is_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError, match="2048"):
        ServerRsaKey.from_private_key(small)


@pytest.mark.parametrize(
    ("fingerprint", "safe"),
    [
        (0x0BC35F3509F7B7A5, False),  # a real Telegram key: prints as "bc35f35..." without zero-padding
        (0x0FFFFFFFFFFFFFFF, False),
        (0x1000000000000000, True),
        (0x7FFFFFFFFFFFFFFF, True),
        (-(1 << 63), True),  # unsigned 0x8000000000000000
        (-0x1000000000000000, True),  # unsigned 0xF000000000000000
        (-0x0FFFFFFFFFFFFFFF, False),  # unsigned 0xF000000000000001: signed magnitude has 15 digits
        (-1, False),
        (0, False),
    ],
)
def test_fingerprint_is_safe_requires_16_digits_unsigned_and_signed(fingerprint, safe):
    assert fingerprint_is_safe(fingerprint) is safe


def test_fingerprint_hex_is_unsigned_and_zero_padded():
    assert fingerprint_hex(-1) == "ffffffffffffffff"
    assert fingerprint_hex(0x0BC35F3509F7B7A5) == "0bc35f3509f7b7a5"


def test_generation_retries_until_the_fingerprint_is_safe(server_key, monkeypatch):
    made = []

    def fake_generate(public_exponent, key_size):
        made.append(key_size)
        return server_key.private_key

    verdicts = iter([False, False, True])
    monkeypatch.setattr(rsa_keys.rsa, "generate_private_key", fake_generate)
    monkeypatch.setattr(rsa_keys, "fingerprint_is_safe", lambda fp: next(verdicts))

    assert ServerRsaKey.generate().fingerprint == server_key.fingerprint
    assert made == [2048, 2048, 2048]


def test_generation_gives_up_after_max_attempts(server_key, monkeypatch):
    monkeypatch.setattr(rsa_keys.rsa, "generate_private_key", lambda **_: server_key.private_key)
    monkeypatch.setattr(rsa_keys, "fingerprint_is_safe", lambda fp: False)
    with pytest.raises(RuntimeError):
        ServerRsaKey.generate(max_attempts=3)
