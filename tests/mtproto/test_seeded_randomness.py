"""The handshake (mtproto/handshake.py) and the encrypted session (mtproto/session.py)
draw their randomness from a `randbytes` the caller may pass, as the transport does: with
the same seeded one and the same clock, the server says exactly the same bytes; by
default (the OS CSPRNG) it never does."""

import random

import tl
from mtproto.crypto import ServerRsaKey
from mtproto.handshake import Handshake, KeyComputed, Reply
from mtproto.salts import SaltPolicy
from mtproto.session import EncryptedSession, Rpc
from mtproto.session import Reply as SessionReply
from tl import functions as F, types as T

from .handshake_client import run_handshake
from .session_client import FakeClient

KEY = ServerRsaKey.generate()
SALTS = SaltPolicy(b"s" * 32)
NOW = 1_700_000_000.0


def server_output(randbytes=None) -> list[bytes]:
    """Every packet the server sends in a handshake, then in the first encrypted exchange
    (new_session_created, and the rpc_result of help.getNearestDc), the client's side
    and the clock being the same each time. `randbytes` None: the server's default."""
    seeded = {} if randbytes is None else {"randbytes": randbytes}
    client_random = random.Random("client").randbytes
    handshake = Handshake([KEY], **seeded)
    sent = []

    def send(packet: bytes) -> bytes:
        event = handshake.receive(packet, NOW)
        if isinstance(event, KeyComputed):
            event = handshake.confirm(True, NOW)
        assert isinstance(event, Reply), event
        sent.append(event.data)
        return event.data

    auth_key, _ = run_handshake(None, KEY, send=send, randbytes=client_random, clock=lambda: NOW)
    key = handshake.result
    assert key.key == auth_key
    session = EncryptedSession(key.key, key.key_id, SALTS, {}, initial_salt=key.server_salt,
                               initial_salt_until=NOW + 1800, **seeded)
    client = FakeClient(auth_key, session_id=int.from_bytes(client_random(8), "little", signed=True))
    client.salt = key.server_salt
    msg_id = int(NOW * 2**32) & ~3
    events = session.receive(client.request(F.help.GetNearestDc(), msg_id=msg_id, seqno=1), NOW)
    sent += [event.data for event in events if isinstance(event, SessionReply)]
    [call] = [event for event in events if isinstance(event, Rpc)]
    nearest = T.NearestDc(country="NL", this_dc=2, nearest_dc=2)
    sent.append(session.result(call.session_id, call.msg_id, tl.encode(nearest), NOW))
    created, answer = sent[3:]
    assert isinstance(client.read(created)[0][2], T.NewSessionCreated)
    assert client.read(answer)[0][2][1] == msg_id
    return sent


def test_the_same_seed_gives_byte_identical_server_output():
    first = server_output(random.Random(1).randbytes)
    assert len(first) == 5  # resPQ, server_DH_params_ok, dh_gen_ok, new_session_created, rpc_result
    assert server_output(random.Random(1).randbytes) == first
    other = server_output(random.Random(2).randbytes)
    assert all(a != b for a, b in zip(first, other))


def test_by_default_the_randomness_is_fresh():
    first, second = server_output(), server_output()
    assert all(a != b for a, b in zip(first, second))
