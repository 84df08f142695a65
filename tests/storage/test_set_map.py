"""storage/set_map.py: a dict of sets that keeps a lone member without a set, checked
against a plain dict of sets."""

from hypothesis import given, strategies as st

from storage.set_map import SetMap

_keys = st.sampled_from(["a", "b", "c"])
# Members that are themselves sets (frozensets) and tuples must not be mistaken for the map's own sets.
_members = st.sampled_from([1, 2, 3, (1, 2), frozenset({1}), frozenset()])
_ops = st.lists(st.tuples(st.sampled_from(["add", "discard", "pop"]), _keys, _members), max_size=60)


@given(_ops)
def test_agrees_with_a_dict_of_sets(ops):
    got, model = SetMap(), {}
    for op, key, member in ops:
        if op == "add":
            got.add(key, member)
            model.setdefault(key, set()).add(member)
        elif op == "discard":
            got.discard(key, member)
            if key in model:
                model[key].discard(member)
                if not model[key]:
                    del model[key]
        else:
            assert set(got.pop(key)) == model.pop(key, set())
        assert set(got.keys()) == set(model) and len(got) == len(model)
        for k in ("a", "b", "c"):
            assert set(got.get(k)) == model.get(k, set())
            assert len(got.get(k)) == len(model.get(k, ())) and (k in got.keys()) == (k in model)


def test_a_lone_member_is_held_without_a_set():
    found = SetMap()
    found.add("user:1", "sub")
    assert found._map == {"user:1": "sub"}
    found.add("user:1", "other")
    found.discard("user:1", "sub")
    assert found._map == {"user:1": "other"}
    found.clear()
    assert not found and found.get("user:1") == ()
