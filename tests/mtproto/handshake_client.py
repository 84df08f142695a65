"""A client side of the auth key handshake, written from https://core.telegram.org/mtproto/auth_key,
with the knobs real clients differ in: RSA_PAD or the older padding, permanent or
temporary keys (p_q_inner_data_temp_dc), and g_b with its leading zero byte dropped.
Its randomness and clock can be fixed too (`randbytes`, `clock`), to replay a handshake."""

from __future__ import annotations

import hashlib
import os
import time

import tgcrypto

import tl
from mtproto.crypto import (
    DH_PRIME,
    decrypt_with_hash,
    encrypt_with_hash,
    factorize_pq,
    new_nonce_hash,
    powmod,
    tmp_aes_key_iv,
)
from mtproto.handshake import Handshake, KeyComputed, Reply
from mtproto.plain_message import build_plain, parse_plain
from tl import functions as F, types as T


def rsa_pad(data: bytes, n: int, e: int, randbytes=os.urandom) -> bytes:
    """RSA_PAD (auth_key step 4.1): what current official clients send."""
    data_with_padding = data + randbytes(192 - len(data))
    while True:
        temp_key = randbytes(32)
        data_with_hash = data_with_padding[::-1] + hashlib.sha256(temp_key + data_with_padding).digest()
        aes_encrypted = tgcrypto.ige256_encrypt(data_with_hash, temp_key, bytes(32))
        mask = hashlib.sha256(aes_encrypted).digest()
        value = int.from_bytes(bytes(a ^ b for a, b in zip(temp_key, mask)) + aes_encrypted, "big")
        if value < n:
            return pow(value, e, n).to_bytes(256, "big")


def old_padding(data: bytes, n: int, e: int, randbytes=os.urandom) -> bytes:
    block = hashlib.sha1(data).digest() + data + randbytes(255 - 20 - len(data))
    return pow(int.from_bytes(block, "big"), e, n).to_bytes(256, "big")


def run_handshake(handshake: Handshake | None, key, *, use_rsa_pad: bool = True, expires_in: int | None = None,
                  b: int | None = None, strip_g_b: bool = False, send=None, randbytes=os.urandom, clock=time.time):
    """Drive `handshake` to the end; returns (client's auth_key, server's dh_gen answer).
    `send` (plain packet in, plain packet out) replaces `handshake` to talk to a server."""
    msg_id = int(clock() * 2**32) & ~3

    def through_handshake(packet: bytes) -> bytes:
        event = handshake.receive(packet, clock())
        if isinstance(event, KeyComputed):
            event = handshake.confirm(True, clock())
        assert isinstance(event, Reply), event
        return event.data

    send = send or through_handshake

    def exchange(request):
        nonlocal msg_id
        msg_id += 4
        return tl.decode(parse_plain(send(build_plain(msg_id, tl.encode(request))))[1])

    nonce = int.from_bytes(randbytes(16), "little", signed=True)
    res_pq = exchange(F.ReqPqMulti(nonce=nonce))
    p, q = factorize_pq(int.from_bytes(res_pq.pq, "big"))
    new_nonce = randbytes(32)
    common = dict(pq=res_pq.pq, p=p.to_bytes(4, "big"), q=q.to_bytes(4, "big"), nonce=nonce,
                  server_nonce=res_pq.server_nonce, new_nonce=int.from_bytes(new_nonce, "little", signed=True), dc=2)
    inner = T.PQInnerDataTempDc(expires_in=expires_in, **common) if expires_in else T.PQInnerDataDc(**common)
    encrypt = rsa_pad if use_rsa_pad else old_padding
    dh_params = exchange(F.ReqDHParams(nonce=nonce, server_nonce=res_pq.server_nonce, p=common["p"], q=common["q"],
                                       public_key_fingerprint=key.fingerprint,
                                       encrypted_data=encrypt(tl.encode(inner), key.n, key.e, randbytes)))
    server_nonce_bytes = res_pq.server_nonce.to_bytes(16, "little", signed=True)
    tmp_key, tmp_iv = tmp_aes_key_iv(new_nonce, server_nonce_bytes)
    dh_inner = tl.decode(decrypt_with_hash(dh_params.encrypted_answer, tmp_key, tmp_iv))
    g_a = int.from_bytes(dh_inner.g_a, "big")
    b = b or int.from_bytes(randbytes(256), "big")
    g_b = powmod(dh_inner.g, b, DH_PRIME).to_bytes(256, "big")
    if strip_g_b:
        g_b = g_b.lstrip(b"\0")
    client_inner = T.ClientDHInnerData(nonce=nonce, server_nonce=res_pq.server_nonce, retry_id=0, g_b=g_b)
    answer = exchange(F.SetClientDHParams(nonce=nonce, server_nonce=res_pq.server_nonce,
                                          encrypted_data=encrypt_with_hash(tl.encode(client_inner), tmp_key, tmp_iv,
                                                                           randbytes=randbytes)))
    auth_key = powmod(g_a, b, DH_PRIME).to_bytes(256, "big")
    assert answer.new_nonce_hash1 == int.from_bytes(new_nonce_hash(new_nonce, 1, auth_key), "little", signed=True)
    return auth_key, answer
