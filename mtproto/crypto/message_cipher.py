"""Encrypt and decrypt one MTProto 2.0 message body (everything after the external header).

The plaintext is the internal header plus the message
(https://core.telegram.org/mtproto/description#encrypted-message-encrypted-data):

    salt:int64 session_id:int64 msg_id:int64 seq_no:int32 message_data_length:int32
    message_data:bytes padding:12..1024 bytes

and the packet on the wire is ``auth_key_id (8) + msg_key (16) + ciphertext``; the
caller adds and strips that external header. Checks done on decryption, in the
order https://core.telegram.org/mtproto/security_guidelines asks for:

1. msg_key must equal the middle of SHA-256(auth_key fragment + whole plaintext,
   padding included) -- *before* anything in the plaintext is trusted;
2. message_data_length must be non-negative, divisible by 4, and leave between 12
   and 1024 bytes of padding ("Checking message length").

Everything else in the header (salt, session, msg_id, seq_no) is session state
and belongs to the session layer, not here.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

from .aes_ige import ige256_decrypt, ige256_encrypt
from .auth_key import auth_key_id
from .errors import BadMessageLength, MalformedCiphertext, MessageKeyMismatch
from .message_key import X_CLIENT_TO_SERVER, compute_msg_key, derive_aes_key_iv

#: Bytes of salt + session_id + msg_id + seq_no + message_data_length.
INTERNAL_HEADER_SIZE = 32
MIN_PADDING = 12
MAX_PADDING = 1024

# The docs allow up to 1024 bytes of padding so that message lengths can be
# hidden; a uniform choice over that range would add ~500 bytes to every
# message. We add the minimum that aligns to 16 plus 0..MAX_EXTRA_BLOCKS random
# blocks: some length jitter at a bounded cost. (A power of two minus one: one random
# byte modulo MAX_EXTRA_BLOCKS + 1 is then uniform.)
MAX_EXTRA_BLOCKS = 3


def _random_padding(plaintext_length: int, randbytes: Callable[[int], bytes]) -> bytes:
    aligned = MIN_PADDING + (-(plaintext_length + MIN_PADDING) % 16)
    extra = 16 * (randbytes(1)[0] % (MAX_EXTRA_BLOCKS + 1))
    return randbytes(aligned + extra)


def encrypt_message(
    auth_key: bytes, plaintext: bytes | tuple[bytes, ...], x: int, *, padding: bytes | None = None,
    randbytes: Callable[[int], bytes] = os.urandom,
) -> tuple[bytes, bytes]:
    """Encrypt ``plaintext`` (internal header + message, no padding), given whole or as
    a tuple of pieces (the header and the body: joined with the padding in one copy).

    Returns ``(msg_key, ciphertext)``. Random padding of 12..1024 bytes (from
    ``randbytes``, the system CSPRNG unless a test passes a seeded one) is appended
    so the total is a multiple of 16; pass ``padding`` to choose it (tests,
    reproducible vectors) -- it is validated against the same rules.
    ``x`` is 8 for messages the server sends, 0 for messages a client sends.
    """
    pieces = plaintext if isinstance(plaintext, tuple) else (plaintext,)
    length = sum(len(piece) for piece in pieces)
    if padding is None:
        padding = _random_padding(length, randbytes)
    elif not MIN_PADDING <= len(padding) <= MAX_PADDING or (length + len(padding)) % 16:
        raise ValueError(
            f"padding of {len(padding)} bytes for a {length}-byte plaintext must be "
            f"{MIN_PADDING}..{MAX_PADDING} bytes and make the total a multiple of 16"
        )
    data = b"".join((*pieces, padding))
    msg_key = compute_msg_key(auth_key, data, x)
    aes_key, aes_iv = derive_aes_key_iv(auth_key, msg_key, x)
    return msg_key, ige256_encrypt(data, aes_key, aes_iv)


def decrypt_message(auth_key: bytes, msg_key: bytes, ciphertext: bytes, x: int) -> bytes:
    """Decrypt and verify one message; return the plaintext *without* padding.

    The result is the 32-byte internal header followed by message_data
    (exactly ``message_data_length`` bytes). ``x`` is 0 for messages received
    from a client. Raises a :class:`~.errors.DecryptionError` subclass; callers
    should answer all of them the same way (security_guidelines).
    """
    return bytes(decrypt_message_view(auth_key, msg_key, ciphertext, x))


def decrypt_message_view(auth_key: bytes, msg_key: bytes, ciphertext: bytes, x: int) -> memoryview:
    """:func:`decrypt_message`, the result a read-only view of the decrypted buffer
    rather than a copy without the padding (an upload part is 512 KB): what the session
    layer reads, once, before it decodes."""
    if len(msg_key) != 16:
        raise MalformedCiphertext(f"msg_key must be 16 bytes, got {len(msg_key)}")
    # The smallest valid plaintext is a header, empty data and 12 bytes of
    # padding, rounded up to the block size: 48 bytes.
    if len(ciphertext) % 16 or len(ciphertext) < 48:
        raise MalformedCiphertext(
            f"ciphertext of {len(ciphertext)} bytes is not a multiple of 16 of at least 48"
        )

    aes_key, aes_iv = derive_aes_key_iv(auth_key, msg_key, x)
    plaintext = ige256_decrypt(ciphertext, aes_key, aes_iv)

    expected = compute_msg_key(auth_key, plaintext, x)
    if not hmac.compare_digest(expected, msg_key):
        raise MessageKeyMismatch(
            f"msg_key {msg_key.hex()} does not match the decrypted data "
            f"(auth_key_id={auth_key_id(auth_key)}, x={x}, {len(ciphertext)} bytes)"
        )

    length = int.from_bytes(plaintext[28:32], "little", signed=True)
    padding = len(plaintext) - INTERNAL_HEADER_SIZE - length
    if length < 0 or length % 4 or not MIN_PADDING <= padding <= MAX_PADDING:
        raise BadMessageLength(
            f"message_data_length={length} leaves {padding} bytes of padding in a "
            f"{len(plaintext)}-byte plaintext (need a multiple of 4 leaving "
            f"{MIN_PADDING}..{MAX_PADDING}; auth_key_id={auth_key_id(auth_key)})"
        )
    return memoryview(plaintext)[: INTERNAL_HEADER_SIZE + length]


def quick_ack_token(auth_key: bytes, msg_key: bytes, ciphertext: bytes) -> int:
    """The quick ACK a client asked for with its transport's flag: the first 32 bits
    (little-endian, as TDLib reads them) of the SHA256 behind this message's msg_key,
    with the top bit set (https://core.telegram.org/mtproto/mtproto-transports#quick-ack).

    Call it after :func:`decrypt_message` accepted the message; it decrypts again, which
    only the rare packets that ask for a quick ACK pay for.
    """
    aes_key, aes_iv = derive_aes_key_iv(auth_key, msg_key, X_CLIENT_TO_SERVER)
    plaintext = ige256_decrypt(ciphertext, aes_key, aes_iv)
    large = hashlib.sha256(auth_key[88 : 88 + 32] + plaintext).digest()
    return int.from_bytes(large[:4], "little") | 0x80000000
