"""Exceptions raised by ``mtproto.crypto``.

Every failure of a check the MTProto documentation asks for has its own class, so
the layers above can tell "drop this packet" from "abort the handshake" without
parsing messages. Nothing here knows about sockets or transport error codes: the
caller decides what goes on the wire (usually a -404 transport error).
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error raised by ``mtproto.crypto``."""


# --- encrypted messages (https://core.telegram.org/mtproto/description) -----


class DecryptionError(CryptoError):
    """An encrypted MTProto message could not be accepted.

    security_guidelines#checking-sha256-hash-value-of-msg-key says the response
    to any error found before the msg_key check must be the same as to a failed
    msg_key check, so callers should treat every subclass identically on the
    wire; the subclasses exist for logs and tests.
    """


class MalformedCiphertext(DecryptionError):
    """The ciphertext cannot be an MTProto 2.0 message (length, not a multiple of 16...)."""


class MessageKeyMismatch(DecryptionError):
    """msg_key is not the middle of SHA-256(auth_key fragment + plaintext)."""


class BadMessageLength(DecryptionError):
    """message_data_length is negative, unaligned, or leaves padding outside 12..1024 bytes."""


# --- handshake: RSA (https://core.telegram.org/mtproto/auth_key step 4) -----


class RsaDecryptionError(CryptoError):
    """encrypted_data of req_DH_params did not decrypt under either padding scheme."""


# --- handshake: Diffie-Hellman (auth_key step 6-9, security_guidelines) -----


class DhParameterError(CryptoError):
    """A Diffie-Hellman value (g, g_a, g_b) is outside the ranges the docs require."""


class HandshakeHashMismatch(CryptoError):
    """The SHA1 in front of an AES-encrypted handshake payload does not match it."""
