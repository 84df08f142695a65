"""Password logins: MD5 and SCRAM-SHA-256 (RFC 5802 / 7677), as PostgreSQL runs them.

PostgreSQL's SCRAM leaves the user name empty in the client-first message (the startup
message carried it) and offers channel binding only over TLS; this client does not bind
the channel ("n,,"), which every server accepts when the client says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def md5_password(user: str, password: str, salt: bytes) -> bytes:
    inner = hashlib.md5(password.encode() + user.encode()).hexdigest().encode()
    return b"md5" + hashlib.md5(inner + salt).hexdigest().encode()


class ScramSha256:
    """One SCRAM-SHA-256 exchange: client-first, then client-final, then the server's proof."""

    MECHANISM = "SCRAM-SHA-256"

    def __init__(self, password: str, *, nonce: str | None = None, user: str = ""):
        self._password = password.encode()
        self._nonce = nonce or base64.b64encode(secrets.token_bytes(18)).decode()
        self._client_first_bare = f"n={user},r={self._nonce}"
        self._expected_server_signature: bytes | None = None

    def client_first(self) -> bytes:
        return ("n,," + self._client_first_bare).encode()

    def client_final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        fields = dict(part.split("=", 1) for part in text.split(","))
        nonce, salt, iterations = fields.get("r", ""), fields.get("s", ""), int(fields.get("i", "0"))
        if not nonce.startswith(self._nonce) or len(nonce) == len(self._nonce) or iterations < 1:
            raise ValueError("SCRAM: the server's first message is not acceptable")
        salted = hashlib.pbkdf2_hmac("sha256", self._password, base64.b64decode(salt), iterations)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self._client_first_bare},{text},{without_proof}".encode()
        signature = hmac.digest(stored_key, auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self._expected_server_signature = hmac.digest(server_key, auth_message, "sha256")
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify_server_final(self, server_final: bytes) -> None:
        text = server_final.decode()
        if self._expected_server_signature is None or not text.startswith("v="):
            raise ValueError("SCRAM: the server did not prove it knows the password")
        if not hmac.compare_digest(base64.b64decode(text[2:].split(",")[0]), self._expected_server_signature):
            raise ValueError("SCRAM: the server's signature is wrong")
