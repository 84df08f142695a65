"""What one layer adds, removes and changes compared with another, as data.

Declarations are matched by name (predicate or method name, constructors and methods
apart), never by id: a changed declaration is one whose id, fields, field order,
generics or result type differ. Matching by id alone misses every change that keeps
the id, and there are many: `name:flags.N?true` fields are left out of the text whose
CRC32 is the id, so a new, removed or moved `true` flag keeps the id while the flag
bits mean something else (84 such changes between consecutive shipped layers, among
them user, message and messages.sendMessage).

This module only compares; report.py turns a LayerDiff into text and usage.py says
which declarations the server's code uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tl.schema import Combinator, Param, Schema


@dataclass(frozen=True)
class Change:
    """One declaration present in both layers under the same name, not the same in both.

    `retyped`: same field name, another type (its flag may have moved too).
    `moved`: same field name and type, another flag position: another bit, another
    flags field, or optional ↔ required.
    """

    old: Combinator
    new: Combinator
    added: tuple[Param, ...] = ()
    removed: tuple[Param, ...] = ()
    retyped: tuple[tuple[Param, Param], ...] = ()
    moved: tuple[tuple[Param, Param], ...] = ()
    reordered: bool = False

    @property
    def predicate(self) -> str:
        return self.new.predicate

    @property
    def is_function(self) -> bool:
        return self.new.is_function

    @property
    def id_changed(self) -> bool:
        return self.old.id != self.new.id

    @property
    def result_changed(self) -> bool:
        return self.old.result != self.new.result

    @property
    def generics_changed(self) -> bool:
        return self.old.generics != self.new.generics

    @property
    def fields_changed(self) -> bool:
        return bool(self.added or self.removed or self.retyped or self.moved or self.reordered)


@dataclass
class LayerDiff:
    old: int | None
    new: int | None
    added: list[Combinator] = field(default_factory=list)
    removed: list[Combinator] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def change(self, predicate: str, function: bool = False) -> Change | None:
        return next((c for c in self.changed if c.predicate == predicate and c.is_function == function), None)


def compare(old: Combinator, new: Combinator) -> Change | None:
    """The change from `old` to `new` (same name), or None when they are the same."""
    if (old.id, old.params, old.result, old.generics) == (new.id, new.params, new.result, new.generics):
        return None
    before = {p.name: p for p in old.params}
    after = {p.name: p for p in new.params}
    added = tuple(p for p in new.params if p.name not in before)
    removed = tuple(p for p in old.params if p.name not in after)
    retyped, moved = [], []
    for p in old.params:
        q = after.get(p.name)
        if q is None or q == p:
            continue
        if q.type != p.type:
            retyped.append((p, q))
        else:
            moved.append((p, q))
    common_old = [p.name for p in old.params if p.name in after]
    common_new = [p.name for p in new.params if p.name in before]
    return Change(old, new, added, removed, tuple(retyped), tuple(moved), common_old != common_new)


def diff_schemas(old: Schema, new: Schema) -> LayerDiff:
    result = LayerDiff(old.layer, new.layer)
    for kind_old, kind_new in ((old.constructors, new.constructors), (old.functions, new.functions)):
        before = {c.predicate: c for c in kind_old}
        after = {c.predicate: c for c in kind_new}
        result.added += [c for p, c in after.items() if p not in before]
        result.removed += [c for p, c in before.items() if p not in after]
        for p in before.keys() & after.keys():
            change = compare(before[p], after[p])
            if change is not None:
                result.changed.append(change)
    result.added.sort(key=lambda c: (c.is_function, c.predicate))
    result.removed.sort(key=lambda c: (c.is_function, c.predicate))
    result.changed.sort(key=lambda c: (c.is_function, c.predicate))
    return result
