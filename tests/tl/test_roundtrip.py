"""Every constructor and function of every shipped layer survives decode → encode.

Bytes are generated from each layer's own declarations (tests/tl/tlrandom.py), read as
canonical objects with that layer's tables, and written back for the same layer: the
bytes must be identical. Fields an older layer has and the canonical model dropped are
left at the value a round trip preserves, since the model cannot keep them.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tl
from tl.tlobject import REGISTRY

from .tlrandom import RandomTL, layer_schema

NATIVE = {"boolFalse", "boolTrue", "true", "vector"}


def keep_canonical_fields(predicate: str, field: str) -> bool:
    cls = REGISTRY.get(predicate)
    return cls is None or any(name == field for _, name, _ in cls._FIELDS)


def lossy(c) -> bool:
    """An older declaration with a required object field the canonical class lacks
    (e.g. layer 158's messageActionRequestedPeer.peer, now `peers`): it decodes, but
    the field cannot survive the canonical model."""
    cls = REGISTRY.get(c.predicate)
    if cls is None:
        return False
    names = {name for _, name, _ in cls._FIELDS}
    return any(not p.is_conditional and not p.is_flags and not p.type.is_builtin and not p.type.is_vector
               and p.name not in names for p in c.params)


def lossy_closure(layer: int) -> set[str]:
    return {c.predicate for c in layer_schema(layer).all() if lossy(c)}


@pytest.mark.parametrize("layer", tl.SHIPPED_LAYERS)
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_every_declaration_round_trips(layer, seed):
    schema = layer_schema(layer)
    gen = RandomTL(random.Random(seed), layer, keep=keep_canonical_fields)
    lossy_predicates = lossy_closure(layer)
    checked = 0
    for c in schema.all():
        if c.predicate in NATIVE:
            continue
        data = gen.combinator(c)
        obj = tl.decode(data, layer)
        try:
            again = tl.encode(obj, layer)
        except tl.TLEncodeError as exc:
            # Only a lossy declaration, itself or nested inside, may refuse.
            assert any(f"{p}." in str(exc) for p in lossy_predicates), (layer, c.predicate, str(exc))
            continue
        assert again == data, (layer, c.predicate, data.hex(), again.hex())
        checked += 1
    assert checked > len(schema.all()) * 0.95


def test_lossy_declarations_are_few():
    # If this grows, conversion rules for renamed fields are overdue (tools/tlgen/oldcodec.py).
    assert len(lossy_closure(158)) <= 6
