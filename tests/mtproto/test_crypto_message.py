"""MTProto 2.0 message encryption (auth_key, message_key, message_cipher), checked against Telethon."""

import collections
import logging
import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telethon.crypto import AuthKey
from telethon.network.mtprotostate import MTProtoState
from telethon.tl.types import BadServerSalt

from mtproto.crypto import (
    X_CLIENT_TO_SERVER,
    X_SERVER_TO_CLIENT,
    BadMessageLength,
    DecryptionError,
    MalformedCiphertext,
    MessageKeyMismatch,
    auth_key_aux_hash,
    auth_key_id,
    auth_key_id_bytes,
    compute_msg_key,
    decrypt_message,
    derive_aes_key_iv,
    encrypt_message,
    ige256_encrypt,
)

_LOGGERS = collections.defaultdict(lambda: logging.getLogger("telethon-reference"))


def _telethon_state(auth_key: bytes) -> MTProtoState:
    return MTProtoState(AuthKey(auth_key), _LOGGERS)


def _plaintext(message_data: bytes, *, length: int | None = None) -> bytes:
    """Internal header (salt, session_id, msg_id, seq_no, length) + message_data."""
    declared = len(message_data) if length is None else length
    return struct.pack("<qqqii", 0x1122334455667788, -42, (1700000000 << 32) | 4, 1, declared) + message_data


def _seal(auth_key: bytes, plaintext_with_padding: bytes, x: int) -> tuple[bytes, bytes]:
    """Encrypt with a correct msg_key but no validation, to craft bad messages."""
    msg_key = compute_msg_key(auth_key, plaintext_with_padding, x)
    aes_key, aes_iv = derive_aes_key_iv(auth_key, msg_key, x)
    return msg_key, ige256_encrypt(plaintext_with_padding, aes_key, aes_iv)


@pytest.mark.parametrize("x", [X_CLIENT_TO_SERVER, X_SERVER_TO_CLIENT])
def test_aes_key_and_iv_match_telethon_in_both_directions(x):
    for _ in range(20):
        auth_key, msg_key = os.urandom(256), os.urandom(16)
        expected = MTProtoState._calc_key(auth_key, msg_key, client=(x == 0))
        assert derive_aes_key_iv(auth_key, msg_key, x) == expected


def test_auth_key_id_is_the_last_eight_sha1_bytes_read_as_signed_long():
    for _ in range(20):
        auth_key = os.urandom(256)
        reference = AuthKey(auth_key)
        assert auth_key_id(auth_key) & 0xFFFFFFFFFFFFFFFF == reference.key_id
        assert -(1 << 63) <= auth_key_id(auth_key) < 1 << 63
        assert auth_key_id_bytes(auth_key) == struct.pack("<Q", reference.key_id)
        assert int.from_bytes(auth_key_aux_hash(auth_key), "little") == reference.aux_hash


def test_auth_key_of_wrong_size_is_rejected():
    with pytest.raises(ValueError):
        auth_key_id(bytes(255))


def test_message_encrypted_by_telethon_client_decrypts_with_x0():
    auth_key = os.urandom(256)
    state = _telethon_state(auth_key)
    state.salt = 0x0102030405060708
    body = os.urandom(40)
    inner = struct.pack("<qii", (1700000000 << 32) | 4, 1, len(body)) + body

    packet = state.encrypt_message_data(inner)

    assert packet[:8] == auth_key_id_bytes(auth_key)
    plaintext = decrypt_message(auth_key, packet[8:24], packet[24:], X_CLIENT_TO_SERVER)
    assert plaintext == struct.pack("<qq", state.salt, state.id) + inner


def test_server_message_encrypted_with_x8_is_accepted_by_telethon():
    auth_key = os.urandom(256)
    state = _telethon_state(auth_key)
    # bad_server_salt skips Telethon's clock check, keeping the test time-independent.
    obj = BadServerSalt(bad_msg_id=12345 << 2, bad_msg_seqno=3, error_code=48, new_server_salt=777)
    body = bytes(obj)
    server_msg_id = (1700000000 << 32) | 1
    plaintext = struct.pack("<qqqii", 0, state.id, server_msg_id, 2, len(body)) + body

    msg_key, ciphertext = encrypt_message(auth_key, plaintext, X_SERVER_TO_CLIENT)
    message = state.decrypt_message_data(auth_key_id_bytes(auth_key) + msg_key + ciphertext)

    assert message.msg_id == server_msg_id
    assert message.obj == obj


@settings(max_examples=60, deadline=None)
@given(data_words=st.integers(min_value=0, max_value=300))
def test_encrypt_pads_to_16_with_12_to_1024_bytes_and_round_trips(data_words):
    auth_key = os.urandom(256)
    plaintext = _plaintext(os.urandom(4 * data_words))
    msg_key, ciphertext = encrypt_message(auth_key, plaintext, X_SERVER_TO_CLIENT)
    assert len(ciphertext) % 16 == 0
    assert 12 <= len(ciphertext) - len(plaintext) <= 1024
    assert decrypt_message(auth_key, msg_key, ciphertext, X_SERVER_TO_CLIENT) == plaintext


def test_explicit_padding_gives_reproducible_ciphertext():
    auth_key = os.urandom(256)
    plaintext = _plaintext(bytes(8))
    padding = bytes(range(24))
    assert encrypt_message(auth_key, plaintext, 0, padding=padding) == encrypt_message(
        auth_key, plaintext, 0, padding=padding
    )


@pytest.mark.parametrize("padding_length", [8, 1040, 13])
def test_encrypt_refuses_padding_outside_the_rules(padding_length):
    plaintext = _plaintext(bytes(4))  # 36 bytes: 12 pads to 48, 13 does not align
    with pytest.raises(ValueError):
        encrypt_message(os.urandom(256), plaintext, 0, padding=bytes(padding_length))


def test_tampered_msg_key_is_rejected():
    auth_key = os.urandom(256)
    msg_key, ciphertext = encrypt_message(auth_key, _plaintext(bytes(16)), 0)
    forged = bytes([msg_key[0] ^ 1]) + msg_key[1:]
    with pytest.raises(MessageKeyMismatch):
        decrypt_message(auth_key, forged, ciphertext, 0)


def test_tampered_ciphertext_is_rejected():
    auth_key = os.urandom(256)
    msg_key, ciphertext = encrypt_message(auth_key, _plaintext(bytes(16)), 0)
    flipped = ciphertext[:-1] + bytes([ciphertext[-1] ^ 0x80])
    with pytest.raises(MessageKeyMismatch):
        decrypt_message(auth_key, msg_key, flipped, 0)


def test_message_reflected_in_the_other_direction_is_rejected():
    auth_key = os.urandom(256)
    msg_key, ciphertext = encrypt_message(auth_key, _plaintext(bytes(16)), X_SERVER_TO_CLIENT)
    with pytest.raises(MessageKeyMismatch):
        decrypt_message(auth_key, msg_key, ciphertext, X_CLIENT_TO_SERVER)


def test_message_under_another_auth_key_is_rejected_with_key_id_in_error():
    auth_key, other = os.urandom(256), os.urandom(256)
    msg_key, ciphertext = encrypt_message(auth_key, _plaintext(bytes(16)), 0)
    with pytest.raises(MessageKeyMismatch, match=str(auth_key_id(other))):
        decrypt_message(other, msg_key, ciphertext, 0)


@pytest.mark.parametrize("length", [17, 32, 0], ids=["misaligned", "shorter-than-48", "empty"])
def test_ciphertext_that_cannot_be_a_message_is_malformed(length):
    with pytest.raises(MalformedCiphertext):
        decrypt_message(os.urandom(256), bytes(16), bytes(length), 0)


def test_msg_key_of_wrong_length_is_malformed():
    with pytest.raises(MalformedCiphertext):
        decrypt_message(os.urandom(256), bytes(15), bytes(48), 0)


@pytest.mark.parametrize(
    ("declared", "actual_data", "padding"),
    [
        (64, 16, 32),  # length field claims more than the plaintext holds
        (16, 16, 1040),  # padding longer than 1024 bytes
        (15, 16, 16),  # length not a multiple of 4
        (-4, 0, 16),  # negative length
        (24, 16, 16),  # padding shorter than 12 bytes once the declared data is removed
    ],
)
def test_bad_message_data_length_is_rejected_after_a_valid_msg_key(declared, actual_data, padding):
    auth_key = os.urandom(256)
    full = _plaintext(os.urandom(actual_data), length=declared) + os.urandom(padding)
    assert len(full) % 16 == 0
    msg_key, ciphertext = _seal(auth_key, full, 0)
    with pytest.raises(BadMessageLength):
        decrypt_message(auth_key, msg_key, ciphertext, 0)


def test_every_decryption_failure_shares_one_base_class():
    for cls in (MalformedCiphertext, MessageKeyMismatch, BadMessageLength):
        assert issubclass(cls, DecryptionError)


def test_direction_other_than_0_or_8_is_refused():
    with pytest.raises(ValueError):
        compute_msg_key(os.urandom(256), bytes(48), 4)
