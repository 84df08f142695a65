"""storage/peer.py: the one-integer peer encoding round-trips for every kind."""

import msgspec
import pytest
from hypothesis import given, strategies as st

from storage.peer import Peer, PeerKind

IDS = st.integers(min_value=1, max_value=999_999_999_999)


@given(kind=st.sampled_from(list(PeerKind)), peer_id=IDS)
def test_key_round_trips(kind, peer_id):
    peer = Peer(kind, peer_id)
    assert Peer.from_key(peer.key) == peer


def test_keys_of_each_kind_are_apart():
    assert Peer.user(5).key == 5
    assert Peer.chat(5).key == -5
    assert Peer.channel(5).key == -1_000_000_000_005
    assert len({Peer.user(5), Peer.chat(5), Peer.channel(5)}) == 3


def test_key_zero_is_no_peer():
    with pytest.raises(ValueError):
        Peer.from_key(0)


def test_a_peer_travels_in_a_bus_event():
    assert msgspec.json.encode(Peer.channel(7)) == b'["channel",7]'
    assert msgspec.json.decode(b'["chat",3]', type=Peer) == Peer.chat(3)
