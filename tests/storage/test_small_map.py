"""storage/small_map.py: a mapping that keeps a lone entry in slots, checked against a dict."""

import sys

from hypothesis import given, strategies as st

from storage.small_map import SmallMap

# Keys that compare equal across types (1 and 1.0, 0 and False) must behave as in a dict.
_keys = st.sampled_from([1, 2, 3, 1.0, 0, False, "a"])
_ops = st.lists(st.tuples(st.sampled_from(["set", "del", "pop", "get", "setdefault"]), _keys,
                          st.integers(0, 9)), max_size=60)


@given(_ops)
def test_agrees_with_a_dict(ops):
    got, model = SmallMap(), {}
    for op, key, value in ops:
        if op == "set":
            got[key] = value
            model[key] = value
        elif op == "del":
            if key in model:
                del got[key]
                del model[key]
            else:
                try:
                    del got[key]
                except KeyError:
                    pass
                else:
                    raise AssertionError("deleted a key it did not have")
        elif op == "pop":
            assert got.pop(key, None) == model.pop(key, None)
        elif op == "setdefault":
            assert got.setdefault(key, value) == model.setdefault(key, value)
        assert got.get(key) == model.get(key) and (key in got) == (key in model)
        assert len(got) == len(model) and list(map(repr, got)) == list(map(repr, model)) and dict(got.items()) == model
        assert sorted(map(str, got.values())) == sorted(map(str, model.values()))


def test_a_lone_entry_costs_less_than_a_dict():
    lone = SmallMap()
    lone[7] = "session"
    plain = {7: "session"}
    assert sys.getsizeof(lone) < sys.getsizeof(plain) // 2
