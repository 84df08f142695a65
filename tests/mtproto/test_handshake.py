"""The handshake state machine against Telethon's own client-side authenticator.

Telethon's `do_authentication` runs unmodified; a fake plain sender carries its requests
as bytes into our `Handshake` and our replies back as bytes, so both sides only see what
would cross the wire. Telethon encrypts req_DH_params with the older RSA padding.
"""

import struct
import time

import pytest
from telethon.crypto import rsa as telethon_rsa
from telethon.extensions import BinaryReader
from telethon.network.authenticator import do_authentication

import tl
from mtproto.crypto import ServerRsaKey, auth_key_id
from mtproto.handshake import Failed, Handshake, KeyComputed, Reply
from mtproto.plain_message import build_plain, parse_plain


@pytest.fixture(scope="module")
def server_key():
    key = ServerRsaKey.generate()
    telethon_rsa.add_key(key.public_pem().decode(), old=False)
    return key


class WireSender:
    """Telethon's MTProtoPlainSender interface, over our handshake, in bytes."""

    def __init__(self, handshake: Handshake, unique=lambda key_id: True):
        self.handshake = handshake
        self.unique = unique
        self.msg_id = int(time.time() * 2**32) & ~3
        self.computed = []

    async def send(self, request):
        self.msg_id += 4
        event = self.handshake.receive(build_plain(self.msg_id, bytes(request)), time.time())
        if isinstance(event, KeyComputed):
            self.computed.append(event.auth_key_id)
            event = self.handshake.confirm(self.unique(event.auth_key_id), time.time())
        assert isinstance(event, Reply), event
        server_msg_id, body = parse_plain(event.data)
        assert server_msg_id % 4 == 1
        return BinaryReader(body).tgread_object()


async def authenticate(server_key):
    """Telethon's authenticator; retried when it hits its own 1-in-256 failure (it drops
    a leading zero byte of the auth key, so its new_nonce_hash1 check fails)."""
    from telethon.errors import SecurityError

    for _ in range(5):
        handshake = Handshake([server_key])
        try:
            return handshake, await do_authentication(WireSender(handshake))
        except SecurityError as exc:
            assert "new nonce hash" in str(exc) and handshake.result.key[0] == 0
    raise AssertionError("five handshakes in a row failed")


async def test_telethon_creates_an_auth_key(server_key):
    handshake, (auth_key, time_offset) = await authenticate(server_key)
    result = handshake.result
    assert handshake.state == "DONE"
    assert auth_key.key == result.key and len(result.key) == 256
    assert auth_key.key_id % 2**64 == result.key_id % 2**64 and result.key_id == auth_key_id(result.key)
    assert abs(time_offset) <= 1
    assert not result.temporary


async def test_an_auth_key_id_collision_gets_dh_gen_retry(server_key):
    seen = []
    handshake = Handshake([server_key])
    sender = WireSender(handshake, unique=lambda key_id: bool(seen) or seen.append(key_id))
    # Telethon does not implement dh_gen_retry; it reports it as a security error.
    with pytest.raises(Exception, match="retry|Retry|DhGen"):
        await do_authentication(sender)
    assert handshake.state == "AWAIT_CLIENT_DH"


def test_garbage_and_out_of_order_messages_fail_cleanly(server_key):
    assert isinstance(Handshake([server_key]).receive(b"\x00" * 7, 0), Failed)
    assert isinstance(Handshake([server_key]).receive(build_plain(4, b"\x01\x02\x03\x04"), 0), Failed)
    from tl import functions as F

    dh = F.SetClientDHParams(nonce=1, server_nonce=2, encrypted_data=b"x" * 32)
    assert isinstance(Handshake([server_key]).receive(build_plain(4, tl.encode(dh)), 0), Failed)


def test_wrong_nonce_and_unknown_fingerprint_fail(server_key):
    from tl import functions as F

    hs = Handshake([server_key])
    reply = hs.receive(build_plain(4, tl.encode(F.ReqPqMulti(nonce=7))), 1000.0)
    res_pq = tl.decode(parse_plain(reply.data)[1])
    assert res_pq.nonce == 7 and res_pq.server_public_key_fingerprints == [server_key.fingerprint]
    pq = int.from_bytes(res_pq.pq, "big")
    assert pq < 2**63
    from mtproto.crypto import factorize_pq

    p, q = factorize_pq(pq)
    req = F.ReqDHParams(nonce=7, server_nonce=res_pq.server_nonce, p=p.to_bytes(4, "big"), q=q.to_bytes(4, "big"),
                        public_key_fingerprint=12345, encrypted_data=b"\0" * 256)
    event = hs.receive(build_plain(8, tl.encode(req)), 1000.0)
    assert isinstance(event, Failed) and "fingerprint" in event.reason
    hs = Handshake([server_key])
    hs.receive(build_plain(4, tl.encode(F.ReqPqMulti(nonce=7))), 1000.0)
    req.nonce = 8
    assert isinstance(hs.receive(build_plain(8, tl.encode(req)), 1000.0), Failed)


def test_server_message_ids_are_odd_responses_and_increase(server_key):
    from tl import functions as F

    hs = Handshake([server_key])
    ids = []
    for i in range(3):
        reply = hs.receive(build_plain(4 * (i + 1), tl.encode(F.ReqPqMulti(nonce=i))), 1000.0)
        ids.append(struct.unpack_from("<q", reply.data, 8)[0])
    assert all(i % 4 == 1 for i in ids) and ids == sorted(set(ids))


@pytest.mark.parametrize("use_rsa_pad", [True, False], ids=["rsa_pad", "old_padding"])
def test_both_paddings_of_req_dh_params_are_accepted(server_key, use_rsa_pad):
    from .handshake_client import run_handshake

    handshake = Handshake([server_key])
    auth_key, answer = run_handshake(handshake, server_key, use_rsa_pad=use_rsa_pad)
    assert handshake.result.key == auth_key and handshake.result.dc_id == 2


def test_temporary_keys_record_their_expiry(server_key):
    from .handshake_client import run_handshake

    handshake = Handshake([server_key])
    before = int(time.time())
    run_handshake(handshake, server_key, expires_in=3600)
    assert handshake.result.temporary and before + 3600 <= handshake.result.expires_at <= before + 3602


def test_g_b_without_its_leading_zero_byte_is_accepted(server_key):
    from mtproto.crypto import DH_PRIME, powmod

    from .handshake_client import run_handshake

    # A b whose g_b starts with a zero byte: search a few (≈1 in 256 qualifies).
    b = next(b for b in range(2**200, 2**200 + 100000) if powmod(3, b, DH_PRIME) < 2**2040)
    handshake = Handshake([server_key])
    auth_key, _ = run_handshake(handshake, server_key, b=b, strip_g_b=True)
    assert handshake.result.key == auth_key
