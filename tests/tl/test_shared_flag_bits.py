"""Issue 12.14: the encoder never writes bytes it cannot read back.

Fields that share one flag bit (`flags.14?true bot` and `flags.14?int bot_info_version`
in `user`, `flags.10?int views` and `flags.10?int forwards` in `message`, ...) are one
group on the wire: the bit says all of them follow, and a reader then reads every one.
An object with only some of them set used to get the bit and only the present fields,
bytes that no reader can decode (the next field is read in their place). Now such an
object is refused with TLEncodeError, in the generated codec (newest layer) and in the
interpreted tables of older layers alike.

The property: take random valid objects (from random valid bytes of each declaration),
drop conditional fields at random, anywhere in the tree; then encoding either raises
TLEncodeError or writes bytes that decode to an object that encodes to the same bytes
(and, in the newest layer, to an equal object).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import tl
from tl import types as T
from tl.tlobject import TLObject

from .tlrandom import RandomTL, layer_schema

NATIVE = {"boolFalse", "boolTrue", "true", "vector"}


def drop_some(obj, rng: random.Random, rate: float = 0.3):
    """Unset conditional fields of obj and everything inside it, each with probability rate."""
    if isinstance(obj, list):
        for item in obj:
            drop_some(item, rng, rate)
        return
    if not isinstance(obj, TLObject):
        return
    for attr, _, type_text in obj._FIELDS:
        value = getattr(obj, attr)
        if "?" in type_text and rng.random() < rate:
            setattr(obj, attr, False if type_text.endswith("?true") else None)
        else:
            drop_some(value, rng, rate)


def encode_or_refuse(obj, layer):
    try:
        return tl.encode(obj, layer)
    except tl.TLEncodeError:
        return None


def test_one_of_two_fields_on_one_bit_is_refused():
    for user in (T.User(id=1, bot=True), T.User(id=1, bot=False, bot_info_version=3)):
        with pytest.raises(tl.TLEncodeError, match="flags.14"):
            tl.encode(user)
        for layer in tl.SHIPPED_LAYERS:
            with pytest.raises(tl.TLEncodeError):
                tl.encode(user, layer)
    both = T.User(id=1, bot=True, bot_info_version=3)
    for layer in tl.SHIPPED_LAYERS:
        assert tl.decode(tl.encode(both, layer), layer) == both
    with pytest.raises(tl.TLEncodeError, match="views"):
        tl.encode(T.Message(id=1, peer_id=T.PeerUser(user_id=1), date=0, message="", views=5))


@pytest.mark.parametrize("layer", [tl.LAYER, *[n for n in tl.SHIPPED_LAYERS if n != tl.LAYER][::4]])
# No shrinking: each example walks the whole schema, and the seed alone reproduces it.
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(seed=st.integers(0, 2**32 - 1))
def test_encoded_objects_decode_or_encoding_is_refused(layer, seed):
    rng = random.Random(seed)
    gen = RandomTL(rng, tl.LAYER)
    refused = written = 0
    for c in layer_schema(tl.LAYER).all():
        if c.predicate in NATIVE:
            continue
        obj = tl.decode(gen.combinator(c))
        drop_some(obj, rng)
        data = encode_or_refuse(obj, layer)
        if data is None:
            refused += 1
            continue
        again = tl.decode(data, layer)  # never a TLDecodeError
        assert tl.encode(again, layer) == data, (layer, c.predicate)
        if layer == tl.LAYER:
            assert again == obj, c.predicate
        written += 1
    assert written > refused
