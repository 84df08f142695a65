"""The generated codecs of older layers agree with the interpreter they replaced.

For every declaration in which a shipped layer differs from the canonical one (another
id, or the same id with other `true` flags), on random objects:
- random bytes of that declaration decode to equal objects through the generated reader
  and the interpreted one (tests/tl/interpreted.py), hand the same dropped fields to the
  upgrader, and encode back to identical bytes through both writers (or both refuse);
- random canonical objects of the same predicate, some conditional fields unset, encode
  to identical bytes for that layer through both writers (or both refuse the same way);
- results whose type the layer declares otherwise are written identically.
"""

from __future__ import annotations

import functools
import random
import struct

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import tl
from tl.layers import codec_for
from tl.legacy import UPGRADERS
from tl.tlobject import REGISTRY

from .interpreted import InterpretedCodec, differing, element_reader
from .test_shared_flag_bits import drop_some
from .tlrandom import RandomTL, layer_schema

OLDER = [n for n in tl.SHIPPED_LAYERS if n != tl.LAYER]


@functools.lru_cache(maxsize=None)
def interpreted(layer: int) -> InterpretedCodec:
    return InterpretedCodec(layer)


def outcome(fn, *args):
    """What fn returns, or the class of the codec error it raises."""
    try:
        return fn(*args)
    except tl.TLError as exc:
        return type(exc)


@pytest.fixture
def recording_upgraders():
    """An upgrader on every predicate, recording what each decode hands it."""
    saved = dict(UPGRADERS)
    seen: list[tuple[str, dict]] = []

    def record(predicate):
        def upgrade(obj, dropped):
            seen.append((predicate, dropped))
            return obj

        return upgrade

    UPGRADERS.clear()
    UPGRADERS.update({p: record(p) for p in REGISTRY})
    try:
        yield seen
    finally:
        UPGRADERS.clear()
        UPGRADERS.update(saved)


def test_every_older_layer_has_differing_declarations_and_generated_tables():
    for layer in OLDER:
        own = differing(layer)
        assert own, layer
        codec = codec_for(layer)
        assert all(codec.readers[c.id] is not tl.layers.CANONICAL_READERS.get(c.id) for c in own)


@pytest.mark.parametrize("layer", OLDER)
# No shrinking: each example walks every differing declaration, and the seed reproduces it.
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(seed=st.integers(0, 2**32 - 1))
def test_older_bytes_read_and_write_as_the_interpreter_does(layer, seed, recording_upgraders):
    rng = random.Random(seed)
    gen = RandomTL(rng, layer)
    reference = interpreted(layer)
    for c in differing(layer):
        data = gen.combinator(c)
        del recording_upgraders[:]
        ours = outcome(tl.decode, data, layer)
        ours_dropped = list(recording_upgraders)
        del recording_upgraders[:]
        theirs = outcome(reference.decode, data)
        assert type(ours) is type(theirs) and ours == theirs, (layer, c.predicate, data.hex())
        assert ours_dropped == recording_upgraders, (layer, c.predicate)
        if isinstance(ours, type):
            continue
        written = outcome(tl.encode, ours, layer)
        assert written == outcome(reference.encode, theirs), (layer, c.predicate, data.hex())


@pytest.mark.parametrize("layer", OLDER)
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(seed=st.integers(0, 2**32 - 1))
def test_canonical_objects_write_for_an_older_layer_as_the_interpreter_does(layer, seed):
    rng = random.Random(seed)
    gen = RandomTL(rng, tl.LAYER)
    canonical = {c.predicate: c for c in layer_schema(tl.LAYER).all()}
    reference = interpreted(layer)
    compared = 0
    for c in differing(layer):
        if c.predicate not in canonical:
            continue
        obj = tl.decode(gen.combinator(canonical[c.predicate]))
        drop_some(obj, rng)
        assert outcome(tl.encode, obj, layer) == outcome(reference.encode, obj), (layer, c.predicate)
        compared += 1
    assert compared


@pytest.fixture
def no_result_adapters(monkeypatch):
    # The reference writes the result as it is: so does the generated writer without an adapter.
    monkeypatch.setattr(tl.layers, "_RESULT_ADAPTERS", {})


@pytest.mark.parametrize("layer", OLDER)
def test_results_typed_otherwise_write_as_the_interpreter_does(layer, no_result_adapters):
    rng = random.Random(layer)
    gen = RandomTL(rng, layer)
    reference = interpreted(layer)
    codec = codec_for(layer)
    assert set(codec.result_writers) == set(reference.result_writers)
    for predicate, write in reference.result_writers.items():
        c = next(c for c in layer_schema(layer).functions if c.predicate == predicate)
        for _ in range(5):
            data = gen.value(c.result, 0)
            value, _ = element_reader(c.result)(data, 0, reference.readers)
            theirs, ours = bytearray(), bytearray()
            write(theirs, value, reference.overrides)
            codec.result_writers[predicate](value, ours, codec.overrides)
            assert bytes(ours) == bytes(theirs), predicate


def test_a_same_id_declaration_with_other_true_flags_is_read_by_its_own_bits():
    # stickerSet keeps its id across layers, but layer 158 has animated:flags.5 and
    # videos:flags.6, which the canonical layer dropped; its emojis:flags.7 is shared.
    c = next(c for c in layer_schema(158).constructors if c.predicate == "stickerSet")
    assert c.id == next(x for x in layer_schema(tl.LAYER).constructors if x.predicate == "stickerSet").id
    obj = tl.types.StickerSet(id=1, access_hash=2, title="t", short_name="s", count=0, hash=0, emojis=True,
                              creator=True)
    data = tl.encode(obj, 158)
    flags = struct.unpack_from("<I", data, 4)[0]
    assert flags == 1 << 7  # `creator` (flags.11) is not a layer-158 field: not written
    assert tl.decode(data, 158) == tl.types.StickerSet(id=1, access_hash=2, title="t", short_name="s", count=0,
                                                       hash=0, emojis=True)
