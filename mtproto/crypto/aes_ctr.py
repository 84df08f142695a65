"""AES-256-CTR keystream for the obfuscated transport.

Transport obfuscation (https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation)
encrypts each direction of a connection with one continuous AES-256-CTR stream whose
key and IV come from the 64-byte init payload. The stream never restarts, so the
object here keeps the counter and the offset inside the current block between
calls: feeding a message in any number of pieces gives the same bytes as feeding
it at once.

Deriving the key/IV from the init payload is the transport's job (owned by
``mtproto/transport``); this module only holds the cipher. ``cryptography``
(OpenSSL, AES-NI) is used rather than ``tgcrypto.ctr256_*``: it is about nine
times faster on large buffers and keeps its state in its own context object.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class AesCtr:
    """One direction of an AES-256-CTR stream.

    CTR is symmetric, so the same object type encrypts (server -> client) and
    decrypts (client -> server); use one instance per direction.
    """

    __slots__ = ("_ctx",)

    def __init__(self, key: bytes, iv: bytes) -> None:
        if len(key) != 32:
            raise ValueError(f"AES-256-CTR key must be 32 bytes, got {len(key)}")
        if len(iv) != 16:
            raise ValueError(f"AES-CTR iv must be 16 bytes, got {len(iv)}")
        # MTProto treats the whole 16-byte IV as a big-endian counter, which is
        # exactly what OpenSSL's CTR mode does.
        self._ctx = Cipher(algorithms.AES(bytes(key)), modes.CTR(bytes(iv))).encryptor()

    def update(self, data: bytes) -> bytes:
        """XOR ``data`` with the next ``len(data)`` bytes of keystream."""
        return self._ctx.update(bytes(data))

    # Aliases so call sites read naturally in each direction.
    encrypt = update
    decrypt = update
