"""The auth key handshake, server side, as a state machine without I/O.

Theory of operation (https://core.telegram.org/mtproto/auth_key):

    AWAIT_PQ ──req_pq(_multi)──► AWAIT_DH_PARAMS ──req_DH_params──► AWAIT_CLIENT_DH
        ▲                                                            │ set_client_DH_params
        └──────────── req_pq again restarts at any point ────────────┤
                                                          KEY_CHECK (caller: is the id new?)
                                                             │ confirm(unique)
                                              DONE (dh_gen_ok) or AWAIT_CLIENT_DH (dh_gen_retry)

The caller feeds each unencrypted message's payload to `receive(payload, now)` and gets
back a `Reply` (bytes to send), a `KeyComputed` (the caller checks the new auth_key_id
against its store -- or stores `proposed_key` and sees whether the id was free -- and
calls `confirm`) or a `Failed` (close the connection; the docs
let the server answer -404 or just drop it). The clock is an argument; randomness
(server_nonce, pq's primes, the DH secret `a`, the padding of the encrypted answer)
comes from `randbytes`: the system CSPRNG unless the caller passes a seeded one, as for
the transport, so that a test can replay a handshake byte for byte. (RSA blinding draws
its own: it never reaches the output.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import tl
from tl import functions as F, types as T

from .crypto import (
    DH_G,
    DH_PRIME_BYTES,
    CryptoError,
    ServerRsaKey,
    auth_key_aux_hash,
    auth_key_id,
    compute_auth_key,
    decrypt_inner_data,
    decrypt_with_hash,
    encrypt_with_hash,
    generate_dh_secret,
    generate_pq,
    initial_server_salt,
    new_nonce_hash,
    tmp_aes_key_iv,
)
from .plain_message import PlainMessageError, build_plain, parse_plain, server_msg_id

# How many dh_gen_retry answers one handshake may get before it is failed.
MAX_RETRIES = 5
# Temporary keys may live at most this long (Telegram's own cap is about a day).
MAX_TEMP_KEY_LIFETIME = 86400


@dataclass(frozen=True)
class Reply:
    data: bytes  # a complete unencrypted message to frame and send


@dataclass(frozen=True)
class KeyComputed:
    auth_key_id: int


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class AuthKey:
    """What a finished handshake produced."""

    key: bytes
    key_id: int
    server_salt: int
    temporary: bool
    expires_at: int | None
    dc_id: int | None
    created_at: int


def _int128(value: bytes) -> int:
    return int.from_bytes(value, "little", signed=True)


def _be(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class Handshake:
    """One connection's handshake. States are the names in the module docstring."""

    def __init__(self, rsa_keys: list[ServerRsaKey], *, randbytes: Callable[[int], bytes] = os.urandom):
        self.keys = {k.fingerprint: k for k in rsa_keys}
        self._randbytes = randbytes
        self.state = "AWAIT_PQ"
        self.result: AuthKey | None = None
        self._last_msg_id = 0
        self._retries = 0

    # -- entry point ----------------------------------------------------------------

    def receive(self, payload: bytes, now: float, dh_secret: int | None = None) -> Reply | KeyComputed | Failed:
        try:
            _, data = parse_plain(payload)
            request = tl.decode(data)
        except (PlainMessageError, tl.TLDecodeError) as exc:
            return self._fail(f"unreadable handshake message: {exc}")
        if isinstance(request, (F.ReqPqMulti, F.ReqPq)):
            return self._on_req_pq(request, now)
        if isinstance(request, F.ReqDHParams) and self.state == "AWAIT_DH_PARAMS":
            return self._on_req_dh_params(request, now, dh_secret)
        if isinstance(request, F.SetClientDHParams) and self.state == "AWAIT_CLIENT_DH":
            return self._on_set_client_dh_params(request)
        return self._fail(f"{type(request).__name__} is not expected in state {self.state}")

    def proposed_key(self, now: float) -> AuthKey:
        """After KeyComputed: the key that ``confirm(True, now)`` makes the result, so a
        caller can store it first and learn from the store whether its id is new."""
        assert self.state == "KEY_CHECK"
        return AuthKey(
            key=self._auth_key,
            key_id=auth_key_id(self._auth_key),
            server_salt=initial_server_salt(self._new_nonce, self._server_nonce_bytes),
            temporary=self._expires_in is not None,
            expires_at=int(now) + self._expires_in if self._expires_in is not None else None,
            dc_id=self._dc,
            created_at=int(now),
        )

    def confirm(self, unique: bool, now: float) -> Reply:
        """After KeyComputed: `unique` says the auth_key_id is not taken by another key."""
        assert self.state == "KEY_CHECK"
        nonce, server_nonce = self._nonce, self._server_nonce
        if not unique:
            # A collision: ask the client to retry with a new b (auth_key step 9).
            self._retries += 1
            self.state = "AWAIT_CLIENT_DH" if self._retries <= MAX_RETRIES else "FAILED"
            answer = T.DhGenRetry(nonce=nonce, server_nonce=server_nonce,
                                  new_nonce_hash2=_int128(new_nonce_hash(self._new_nonce, 2, self._auth_key)))
            return self._reply(answer, now)
        self.result = self.proposed_key(now)
        self.state = "DONE"
        answer = T.DhGenOk(nonce=nonce, server_nonce=server_nonce,
                           new_nonce_hash1=_int128(new_nonce_hash(self._new_nonce, 1, self._auth_key)))
        return self._reply(answer, now)

    # -- steps ------------------------------------------------------------------------

    def _on_req_pq(self, request, now: float) -> Reply:
        # A client may restart the handshake at any point with a new req_pq.
        self._nonce = request.nonce
        self._server_nonce_bytes = self._randbytes(16)
        self._server_nonce = _int128(self._server_nonce_bytes)
        pq, self._p, self._q = generate_pq(self._randbytes)
        self._pq = pq
        self._retries = 0
        self.state = "AWAIT_DH_PARAMS"
        answer = T.ResPQ(nonce=self._nonce, server_nonce=self._server_nonce, pq=_be(pq),
                         server_public_key_fingerprints=list(self.keys))
        return self._reply(answer, now)

    def _on_req_dh_params(self, request, now: float, dh_secret: int | None):
        if request.nonce != self._nonce or request.server_nonce != self._server_nonce:
            return self._fail("req_DH_params nonce or server_nonce does not match resPQ")
        if _from_be(request.p) != self._p or _from_be(request.q) != self._q:
            return self._fail("req_DH_params p and q are not the factors of pq")
        key = self.keys.get(request.public_key_fingerprint)
        if key is None:
            return self._fail(f"unknown RSA key fingerprint {request.public_key_fingerprint:#x}")
        try:
            inner_bytes = decrypt_inner_data(key, request.encrypted_data).data
            inner = tl.decode(inner_bytes)
        except (CryptoError, tl.TLDecodeError) as exc:
            return self._fail(f"req_DH_params encrypted_data: {exc}")
        if not isinstance(inner, (T.PQInnerData, T.PQInnerDataDc, T.PQInnerDataTemp, T.PQInnerDataTempDc)):
            return self._fail(f"encrypted_data holds {type(inner).__name__}, not p_q_inner_data")
        if (inner.nonce, inner.server_nonce) != (self._nonce, self._server_nonce) or _from_be(inner.pq) != self._pq:
            return self._fail("p_q_inner_data does not match the handshake")
        if _from_be(inner.p) != self._p or _from_be(inner.q) != self._q:
            return self._fail("p_q_inner_data p and q are not the factors of pq")
        self._new_nonce = inner.new_nonce.to_bytes(32, "little", signed=True)
        self._dc = getattr(inner, "dc", None)
        expires_in = getattr(inner, "expires_in", None)
        if expires_in is not None and not 0 < expires_in <= MAX_TEMP_KEY_LIFETIME:
            return self._fail(f"temporary key lifetime {expires_in}s is outside 1..{MAX_TEMP_KEY_LIFETIME}")
        self._expires_in = expires_in
        if dh_secret is None:
            self._a, g_a = generate_dh_secret(randbytes=self._randbytes)
        else:
            from .crypto import powmod

            self._a, g_a = dh_secret, powmod(DH_G, dh_secret, _from_be(DH_PRIME_BYTES))
        dh_inner = T.ServerDHInnerData(nonce=self._nonce, server_nonce=self._server_nonce, g=DH_G,
                                       dh_prime=DH_PRIME_BYTES, g_a=g_a.to_bytes(256, "big"), server_time=int(now))
        self._tmp_key, self._tmp_iv = tmp_aes_key_iv(self._new_nonce, self._server_nonce_bytes)
        encrypted = encrypt_with_hash(tl.encode(dh_inner), self._tmp_key, self._tmp_iv, randbytes=self._randbytes)
        self.state = "AWAIT_CLIENT_DH"
        self._prev_aux_hash = 0
        return self._reply(T.ServerDHParamsOk(nonce=self._nonce, server_nonce=self._server_nonce,
                                              encrypted_answer=encrypted), now)

    def _on_set_client_dh_params(self, request):
        if request.nonce != self._nonce or request.server_nonce != self._server_nonce:
            return self._fail("set_client_DH_params nonce or server_nonce does not match")
        try:
            inner = tl.decode(decrypt_with_hash(request.encrypted_data, self._tmp_key, self._tmp_iv))
        except (CryptoError, tl.TLDecodeError) as exc:
            return self._fail(f"set_client_DH_params encrypted_data: {exc}")
        if not isinstance(inner, T.ClientDHInnerData):
            return self._fail(f"encrypted_data holds {type(inner).__name__}, not client_DH_inner_data")
        if (inner.nonce, inner.server_nonce) != (self._nonce, self._server_nonce):
            return self._fail("client_DH_inner_data nonces do not match")
        if inner.retry_id != self._prev_aux_hash:
            return self._fail(f"client_DH_inner_data retry_id {inner.retry_id} is not the previous key's aux hash")
        try:
            # g_b may come without its leading zero byte (PROTOCOL.md rule 25).
            self._auth_key = compute_auth_key(inner.g_b, self._a)
        except CryptoError as exc:
            return self._fail(f"g_b rejected: {exc}")
        self._prev_aux_hash = int.from_bytes(auth_key_aux_hash(self._auth_key), "little", signed=True)
        self.state = "KEY_CHECK"
        return KeyComputed(auth_key_id(self._auth_key))

    # -- helpers -------------------------------------------------------------------------

    def _reply(self, obj, now: float) -> Reply:
        self._last_msg_id = server_msg_id(now, self._last_msg_id)
        return Reply(build_plain(self._last_msg_id, tl.encode(obj)))

    def _fail(self, reason: str) -> Failed:
        self.state = "FAILED"
        return Failed(reason)


def _from_be(data: bytes) -> int:
    return int.from_bytes(data, "big")
