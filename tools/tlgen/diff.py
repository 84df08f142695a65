"""What one layer adds, removes and changes compared with another.

Printed by `python -m tools.tlgen diff OLD NEW` and after every regeneration, so the
developer adding a layer reads a short report instead of a 3,000-line file diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tl.schema import Combinator, Schema


@dataclass
class LayerDiff:
    old: int | None
    new: int | None
    added: list[Combinator] = field(default_factory=list)
    removed: list[Combinator] = field(default_factory=list)
    # (old, new, fields added, fields removed, fields whose type changed)
    changed: list[tuple[Combinator, Combinator, list[str], list[str], list[str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_schemas(old: Schema, new: Schema) -> LayerDiff:
    result = LayerDiff(old.layer, new.layer)
    for kind_old, kind_new in ((old.constructors, new.constructors), (old.functions, new.functions)):
        before = {c.predicate: c for c in kind_old}
        after = {c.predicate: c for c in kind_new}
        result.added += [c for p, c in after.items() if p not in before]
        result.removed += [c for p, c in before.items() if p not in after]
        for p in before.keys() & after.keys():
            a, b = before[p], after[p]
            if a.id == b.id and a.result == b.result:
                continue
            fa = {x.name: x for x in a.params}
            fb = {x.name: x for x in b.params}
            added = [str(fb[n]) for n in fb if n not in fa]
            removed = [str(fa[n]) for n in fa if n not in fb]
            retyped = [f"{fa[n]} → {fb[n]}" for n in fa if n in fb and str(fa[n]) != str(fb[n])]
            result.changed.append((a, b, added, removed, retyped))
    result.changed.sort(key=lambda t: t[1].predicate)
    return result


def format_diff(d: LayerDiff) -> str:
    lines = [f"Layer {d.old} → {d.new}: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"]
    for title, items in (("Added", d.added), ("Removed", d.removed)):
        if items:
            lines.append(f"\n{title}:")
            for c in sorted(items, key=lambda c: (c.is_function, c.predicate)):
                kind = "function" if c.is_function else "constructor"
                lines.append(f"  {kind:11} {c.predicate}#{c.id:08x} = {c.result}")
    if d.changed:
        lines.append("\nChanged:")
        for a, b, added, removed, retyped in d.changed:
            lines.append(f"  {b.predicate}: #{a.id:08x} → #{b.id:08x}")
            for f in added:
                lines.append(f"      + {f}")
            for f in removed:
                lines.append(f"      - {f}")
            for f in retyped:
                lines.append(f"      ~ {f}")
            if a.result != b.result:
                lines.append(f"      result {a.result} → {b.result}")
    return "\n".join(lines)
