"""MTProto cryptography, sans I/O: bytes in, bytes out, no sockets and no clocks.

One concept per module:

* :mod:`.aes_ige` / :mod:`.aes_ctr` -- the two AES modes MTProto uses;
* :mod:`.auth_key`, :mod:`.message_key`, :mod:`.message_cipher` -- MTProto 2.0
  encrypted messages (https://core.telegram.org/mtproto/description);
* :mod:`.primes`, :mod:`.rsa_keys`, :mod:`.rsa_decrypt`, :mod:`.dh`,
  :mod:`.handshake_keys`, :mod:`.handshake_cipher` -- the pieces of the auth key
  handshake (https://core.telegram.org/mtproto/auth_key);
* :mod:`.modexp` -- the big-integer backend, with :mod:`.openssl` for the
  constant-time secret exponentiations; :mod:`.errors` -- exceptions.

Randomness that reaches the server's output comes from the system CSPRNG
(``os.urandom``) through a ``randbytes`` argument that tests may replace with a
seeded one for reproducible output. RSA blinding (:mod:`.rsa_decrypt`, or OpenSSL's
own), which never reaches the output, and the client-only :func:`.message_v1.encrypt_message_v1` draw
from :mod:`secrets`.
"""

from .aes_ctr import AesCtr
from .aes_ige import ige256_decrypt, ige256_encrypt
from .auth_key import auth_key_aux_hash, auth_key_id, auth_key_id_bytes
from .dh import (
    DH_G,
    DH_PRIME,
    DH_PRIME_BYTES,
    VALID_GENERATORS,
    check_dh_value,
    check_g_b,
    compute_auth_key,
    generate_dh_secret,
    generator_is_valid,
)
from .errors import (
    BadMessageLength,
    CryptoError,
    DecryptionError,
    DhParameterError,
    HandshakeHashMismatch,
    MalformedCiphertext,
    MessageKeyMismatch,
    RsaDecryptionError,
)
from .handshake_cipher import decrypt_with_hash, encrypt_with_hash
from .handshake_keys import (
    dh_params_fail_hash,
    initial_server_salt,
    new_nonce_hash,
    tmp_aes_key_iv,
)
from .message_cipher import decrypt_message, decrypt_message_view, encrypt_message, quick_ack_token
from .message_v1 import decrypt_message_v1, derive_aes_key_iv_v1, encrypt_message_v1
from .message_key import (
    X_CLIENT_TO_SERVER,
    X_SERVER_TO_CLIENT,
    compute_msg_key,
    derive_aes_key_iv,
)
from .modexp import modinv, powmod, powmod_secret
from .primes import factorize_pq, generate_pq, is_prime
from .rsa_decrypt import (
    InnerData,
    check_old_padding,
    decrypt_inner_data,
    decrypt_old_padding,
    decrypt_rsa_pad,
    rsa_private_op,
)
from .rsa_keys import ServerRsaKey, fingerprint_hex, fingerprint_is_safe, rsa_fingerprint

__all__ = [
    "DH_G",
    "DH_PRIME",
    "DH_PRIME_BYTES",
    "VALID_GENERATORS",
    "X_CLIENT_TO_SERVER",
    "X_SERVER_TO_CLIENT",
    "AesCtr",
    "BadMessageLength",
    "CryptoError",
    "DecryptionError",
    "DhParameterError",
    "HandshakeHashMismatch",
    "InnerData",
    "MalformedCiphertext",
    "MessageKeyMismatch",
    "RsaDecryptionError",
    "ServerRsaKey",
    "auth_key_aux_hash",
    "auth_key_id",
    "auth_key_id_bytes",
    "check_dh_value",
    "check_g_b",
    "check_old_padding",
    "compute_auth_key",
    "compute_msg_key",
    "decrypt_inner_data",
    "decrypt_message",
    "decrypt_message_view",
    "decrypt_message_v1",
    "derive_aes_key_iv_v1",
    "encrypt_message_v1",
    "decrypt_old_padding",
    "decrypt_rsa_pad",
    "decrypt_with_hash",
    "derive_aes_key_iv",
    "dh_params_fail_hash",
    "encrypt_message",
    "encrypt_with_hash",
    "factorize_pq",
    "fingerprint_hex",
    "fingerprint_is_safe",
    "generate_dh_secret",
    "generate_pq",
    "generator_is_valid",
    "ige256_decrypt",
    "ige256_encrypt",
    "initial_server_salt",
    "is_prime",
    "new_nonce_hash",
    "modinv",
    "powmod",
    "quick_ack_token",
    "powmod_secret",
    "rsa_fingerprint",
    "rsa_private_op",
    "tmp_aes_key_iv",
]
