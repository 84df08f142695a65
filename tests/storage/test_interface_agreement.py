"""Each storage Protocol (storage/interface.py) and the Sql class SqlStorage uses for it
(storage/sql.py) declare the same methods: the same public names, the same parameters
(names, kinds, defaults), async on both sides (a `*_query` method, which builds a read
to run with others, plain on both). The signatures are written twice by
hand, and a type checker is not run on every change: this keeps the copies in step.
No database: the repositories are only looked at."""

from __future__ import annotations

import inspect
import typing

import pytest

from storage import interface
from storage.sql import SqlStorage

# SqlStorage's repositories only keep the database they are given.
_SQL = SqlStorage(typing.cast(typing.Any, object()))
_PROTOCOLS = {name: hint for name, hint in typing.get_type_hints(interface.Storage).items()
              if getattr(hint, "_is_protocol", False)}
# (attribute, its Protocol, the class SqlStorage puts there); the storage itself too.
PAIRS = [("storage", interface.Storage, SqlStorage)] + [
    (name, protocol, type(getattr(_SQL, name))) for name, protocol in sorted(_PROTOCOLS.items())]


def methods(cls: type) -> dict[str, typing.Callable]:
    """The public methods a class declares or inherits (not object's or Protocol's)."""
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")}


def parameters(method: typing.Callable) -> list[tuple[str, str, object]]:
    return [(p.name, p.kind.name, p.default) for p in inspect.signature(method).parameters.values()]


def test_every_protocol_in_the_interface_is_an_attribute_of_the_storage():
    declared = {cls for cls in vars(interface).values()
                if isinstance(cls, type) and cls.__module__ == interface.__name__
                and getattr(cls, "_is_protocol", False) and cls is not interface.Storage}
    assert declared - set(_PROTOCOLS.values()) == set()
    assert all(hasattr(_SQL, name) for name in _PROTOCOLS)


@pytest.mark.parametrize(("attribute", "protocol", "sql_class"), PAIRS, ids=[p[0] for p in PAIRS])
def test_the_sql_class_has_the_protocols_methods(attribute, protocol, sql_class):
    declared, implemented = methods(protocol), methods(sql_class)
    assert declared, f"{protocol.__name__} declares no methods"
    assert sorted(declared) == sorted(implemented), (
        f"{attribute}: only in {protocol.__name__}: {sorted(set(declared) - set(implemented))}; "
        f"only in {sql_class.__name__}: {sorted(set(implemented) - set(declared))}")
    for name in declared:
        where = f"{attribute}.{name} ({protocol.__name__} / {sql_class.__name__})"
        assert parameters(declared[name]) == parameters(implemented[name]), where
        # A read built to run with others (storage/query.py) is plain on both sides.
        run = not name.endswith("_query")
        assert inspect.iscoroutinefunction(declared[name]) == run, f"{where}: the Protocol's is not async"
        assert inspect.iscoroutinefunction(implemented[name]) == run, f"{where}: the Sql class's is not async"
