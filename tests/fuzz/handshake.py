"""Fuzz target: the server side of the auth key handshake (mtproto/handshake.py).

A case drives a valid client (as tests/mtproto/handshake_client.py does) up to one step,
then sends that step's message broken in one of several ways:

- the whole unencrypted message mutated (envelope, lengths, TL);
- only its TL body mutated, in a valid envelope;
- the TL *inside* the encryption mutated and then encrypted correctly (RSA_PAD for
  p_q_inner_data, AES-IGE with its SHA-1 for client_DH_inner_data), so that it gets past
  the cryptography and reaches the inner decoder and checks;
- one field set to a hostile value (g_b of 1, p-1 or 512 bytes, a swapped p and q, an
  unknown fingerprint, an out-of-range temporary key lifetime...);
- random bytes;

followed, sometimes, by another message (a replay, a restart with req_pq, the next valid
step). Invariants: every receive returns Reply, Failed or KeyComputed (then confirm
returns a Reply), never raises; every Reply is a readable unencrypted message; no single
call takes more than 50 ms of CPU.

The server draws its own nonce and DH secret, so a case cannot hold the exact bytes sent:
it holds the step, the way of breaking and the seed of the mutations (step, mode, seed).
Replaying it repeats the same breakage of a fresh handshake.
"""

from __future__ import annotations

import functools
import random
import struct

import tl
from mtproto.crypto import (
    DH_PRIME,
    ServerRsaKey,
    decrypt_with_hash,
    encrypt_with_hash,
    factorize_pq,
    powmod,
    tmp_aes_key_iv,
)
from mtproto.handshake import Failed, Handshake, KeyComputed, Reply
from mtproto.plain_message import build_plain, parse_plain
from tl import functions as F, types as T
from tests.mtproto.handshake_client import old_padding, rsa_pad

from .mutate import mutate, random_bytes
from .target import Target

STEP_CPU_LIMIT = 0.050
NOW = 1_700_000_000.0
WHOLE, BODY, INNER, FIELD, RANDOM = range(5)
STEPS = 3  # req_pq_multi, req_DH_params, set_client_DH_params
_CASE = struct.Struct("<BBQ")


@functools.lru_cache(maxsize=1)
def server_key() -> ServerRsaKey:
    return ServerRsaKey.generate()


#: The client's DH secrets: a few fixed ones, so that g_b (10 ms each) is computed once.
B_POOL = tuple(int.from_bytes(bytes([i + 1]) * 256, "big") for i in range(4))


@functools.lru_cache(maxsize=None)
def g_b_of(g: int, b_index: int) -> bytes:
    return powmod(g, B_POOL[b_index], DH_PRIME).to_bytes(256, "big")


def _int(rng: random.Random, bits: int) -> int:
    return rng.getrandbits(bits) - (1 << (bits - 1))


class Client:
    """The client's side, one step at a time; the `rng` picks its nonces and DH secret."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.msg_id = int(NOW * 2**32) & ~3
        self.nonce = _int(rng, 128)
        self.new_nonce = rng.randbytes(32)
        self.b = rng.randrange(len(B_POOL))
        self.temp = rng.random() < 0.3

    def envelope(self, data: bytes) -> bytes:
        self.msg_id += 4
        return build_plain(self.msg_id, data)

    def req_pq(self) -> F.ReqPqMulti:
        return F.ReqPqMulti(nonce=self.nonce)

    def on_res_pq(self, res_pq, factors: tuple[int, int] | None = None) -> None:
        """`factors`: the server's own p and q, which the harness may pass to skip the
        ~50 ms factorisation a real client does (it tests nothing on the server)."""
        self.res_pq = res_pq
        p, q = factors or factorize_pq(int.from_bytes(res_pq.pq, "big"))
        self.p, self.q = p.to_bytes(4, "big"), q.to_bytes(4, "big")

    def pq_inner(self, **override):
        fields = dict(pq=self.res_pq.pq, p=self.p, q=self.q, nonce=self.nonce, server_nonce=self.res_pq.server_nonce,
                      new_nonce=int.from_bytes(self.new_nonce, "little", signed=True), dc=2)
        expires_in = override.pop("expires_in", 3600)
        fields.update(override)
        return T.PQInnerDataTempDc(expires_in=expires_in, **fields) if self.temp else T.PQInnerDataDc(**fields)

    def req_dh_params(self, inner_bytes: bytes | None = None, inner: dict | None = None, outer: dict | None = None) -> F.ReqDHParams:
        key = server_key()
        inner_bytes = tl.encode(self.pq_inner(**(inner or {}))) if inner_bytes is None else inner_bytes
        if self.rng.random() < 0.8:
            encrypted = rsa_pad(inner_bytes[:144], key.n, key.e)  # RSA_PAD carries at most 144 bytes
        else:
            encrypted = old_padding(inner_bytes[:255 - 20 - 1], key.n, key.e)
        fields = dict(nonce=self.nonce, server_nonce=self.res_pq.server_nonce, p=self.p, q=self.q,
                      public_key_fingerprint=key.fingerprint, encrypted_data=encrypted)
        fields.update(outer or {})
        return F.ReqDHParams(**fields)

    def on_dh_params(self, answer) -> None:
        server_nonce_bytes = self.res_pq.server_nonce.to_bytes(16, "little", signed=True)
        self.tmp_key, self.tmp_iv = tmp_aes_key_iv(self.new_nonce, server_nonce_bytes)
        inner = tl.decode(decrypt_with_hash(answer.encrypted_answer, self.tmp_key, self.tmp_iv))
        self.g = inner.g

    def client_inner(self, **override):
        g_b = g_b_of(self.g, self.b)
        fields = dict(nonce=self.nonce, server_nonce=self.res_pq.server_nonce, retry_id=0, g_b=g_b)
        fields.update(override)
        return T.ClientDHInnerData(**fields)

    def set_client_dh(self, inner_bytes: bytes | None = None, inner: dict | None = None, outer: dict | None = None) -> F.SetClientDHParams:
        inner_bytes = tl.encode(self.client_inner(**(inner or {}))) if inner_bytes is None else inner_bytes
        fields = dict(nonce=self.nonce, server_nonce=self.res_pq.server_nonce,
                      encrypted_data=encrypt_with_hash(inner_bytes, self.tmp_key, self.tmp_iv))
        fields.update(outer or {})
        return F.SetClientDHParams(**fields)


def hostile_field(rng: random.Random, step: int, client: Client) -> dict:
    """One field of the step's message (outer) or of its encrypted inner data (inner) set
    to a bad value: {"outer": {...}} or {"inner": {...}}."""
    if step == 0:
        return {"outer": {"nonce": rng.choice((0, -1, _int(rng, 128)))}}
    if step == 1:
        return rng.choice((
            {"outer": {"p": client.q, "q": client.p}},
            {"outer": {"p": b"\x01", "q": client.res_pq.pq}},
            {"outer": {"p": bytes(4), "q": bytes(4)}},
            {"outer": {"public_key_fingerprint": _int(rng, 64)}},
            {"outer": {"server_nonce": _int(rng, 128)}},
            {"outer": {"encrypted_data": rng.choice((b"", bytes(256), b"\xff" * 256, rng.randbytes(255),
                                                     rng.randbytes(257)))}},
            {"inner": {"p": client.q, "q": client.p}},
            {"inner": {"pq": b"\0" * 8}},
            {"inner": {"nonce": _int(rng, 128)}},
            {"inner": {"server_nonce": _int(rng, 128)}},
            {"inner": {"expires_in": rng.choice((0, -1, 86401, 2**31 - 1))}},
            {"inner": {"dc": rng.choice((0, -1, 2**31 - 1))}},
        ))
    g_b_values = (b"", b"\x01", b"\x02", (DH_PRIME - 1).to_bytes(256, "big"), DH_PRIME.to_bytes(256, "big"),
                  b"\xff" * 256, rng.randbytes(512), rng.randbytes(255), b"\0" * 256)
    return rng.choice((
        {"inner": {"g_b": rng.choice(g_b_values)}},
        {"inner": {"retry_id": _int(rng, 64)}},
        {"inner": {"server_nonce": _int(rng, 128)}},
        {"outer": {"server_nonce": _int(rng, 128)}},
        {"outer": {"encrypted_data": rng.choice((b"", bytes(16), rng.randbytes(272), rng.randbytes(300)))}},
    ))


def generate(rng: random.Random) -> bytes:
    step = rng.randrange(STEPS)
    mode = rng.choice((WHOLE, BODY, INNER, INNER, FIELD, FIELD, RANDOM))
    return _CASE.pack(step, mode, rng.getrandbits(64))


class Run:
    """One case against one fresh Handshake, with the checks around each call."""

    def __init__(self, target: Target):
        self.target = target
        self.handshake = Handshake([server_key()])

    def send(self, payload: bytes, unique: bool = True):
        event = self.target.timed(STEP_CPU_LIMIT, "Handshake.receive", self.handshake.receive, payload, NOW)
        assert isinstance(event, (Reply, Failed, KeyComputed)), f"unexpected {event!r}"
        if isinstance(event, KeyComputed):
            event = self.target.timed(STEP_CPU_LIMIT, "Handshake.confirm", self.handshake.confirm, unique, NOW)
            assert isinstance(event, Reply), f"confirm gave {event!r}"
        if isinstance(event, Reply):
            msg_id, data = parse_plain(event.data)
            assert msg_id % 4 == 1
            return tl.decode(data)
        assert isinstance(event.reason, str) and self.handshake.state == "FAILED"
        return event


def make_check(target: Target):
    def check(case: bytes) -> None:
        step, mode, seed = _CASE.unpack_from(case)
        step %= STEPS
        rng = random.Random(seed)
        client = Client(rng)
        run = Run(target)
        valid = []  # the valid messages sent so far, for replays
        if step >= 1:
            valid.append(client.envelope(tl.encode(client.req_pq())))
            client.on_res_pq(run.send(valid[-1]), (run.handshake._p, run.handshake._q))
        if step >= 2:
            valid.append(client.envelope(tl.encode(client.req_dh_params())))
            client.on_dh_params(run.send(valid[-1]))
        build = (lambda inner=None, outer=None: F.ReqPqMulti(**{"nonce": client.nonce, **(outer or {})}),
                 client.req_dh_params, client.set_client_dh)[step]
        if mode == RANDOM:
            payload = random_bytes(rng, 600)
            if rng.random() < 0.5:
                payload = client.envelope(payload)
        elif mode == FIELD:
            payload = client.envelope(tl.encode(build(**hostile_field(rng, step, client))))
        elif mode == INNER and step > 0:
            inner = tl.encode(client.pq_inner() if step == 1 else client.client_inner())
            payload = client.envelope(tl.encode(build(inner_bytes=mutate(rng, inner))))
        elif mode == BODY:
            payload = client.envelope(mutate(rng, tl.encode(build()), donors=valid))
        else:
            payload = mutate(rng, client.envelope(tl.encode(build())), donors=valid)
        run.send(payload, unique=rng.random() < 0.9)
        follow = rng.randrange(4)
        if follow == 0:
            run.send(client.envelope(tl.encode(client.req_pq())))
        elif follow == 1 and valid:
            run.send(rng.choice(valid))
        elif follow == 2:
            run.send(client.envelope(mutate(rng, tl.encode(build()))))

    return check


TARGET = Target(
    name="handshake",
    summary="Handshake.receive: each step's message mutated (envelope, TL, inside the encryption, hostile fields)",
    generate=generate,
    check=lambda case: None,
    prepare=server_key,
)
TARGET.check = make_check(TARGET)
