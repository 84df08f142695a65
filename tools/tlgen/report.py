"""A LayerDiff as the text a developer reads when adding a layer.

Printed by `python -m tools.tlgen diff OLD NEW` and after every regeneration (newest
layer against the one before). It opens with what the server's code uses among the
changed and removed declarations (what to revisit), then lists everything:

    Changed constructors:
      user#8f97c628 → #b1b8cc83   [used in rpc/services/users.py]
          + close_friend:flags2.2?true          a field the new layer adds
          - bot_can_edit:flags2.1?true          a field it drops
          ~ type  x:int → x:long                same field, another type
          ~ flag  x:flags.3?int → x:flags.5?int same field and type, another flag bit
          ~ field order changed                 same fields, another order
          = result Foo → Bar                    the type a method returns (or a constructor builds)

A header without an arrow (`chatFull#2633421b (same id)`) is a change the id does not
show: only `true` flags were added, removed or moved, which the id's CRC32 leaves out.
"""

from __future__ import annotations

from .diff import Change, LayerDiff
from .usage import CONSTRUCTORS_RULE, METHODS_RULE, Usage


def _kind(is_function: bool) -> str:
    return "method" if is_function else "constructor"


def _header(c: Change) -> str:
    if c.id_changed:
        return f"{c.predicate}#{c.old.id:08x} → #{c.new.id:08x}"
    return f"{c.predicate}#{c.new.id:08x} (same id)"


def _details(c: Change) -> list[str]:
    lines = [f"+ {p}" for p in c.added]
    lines += [f"- {p}" for p in c.removed]
    lines += [f"~ type  {a} → {b}" for a, b in c.retyped]
    lines += [f"~ flag  {a} → {b}" for a, b in c.moved]
    if c.reordered:
        lines.append("~ field order changed")
    if c.result_changed:
        lines.append(f"= result {c.old.result} → {c.new.result}")
    if c.generics_changed:
        lines.append(f"~ generics {c.old.generics} → {c.new.generics}")
    if not lines:
        lines.append("(same fields and result; only the id differs)")
    return lines


def _revisit(d: LayerDiff, usage: Usage) -> list[str]:
    rows = []
    for c in d.changed:
        mark = usage.of(c.predicate, c.is_function)
        if mark:
            rows.append((c.is_function, "changed", c.predicate, mark))
    for c in d.removed:
        mark = usage.of(c.predicate, c.is_function)
        if mark:
            rows.append((c.is_function, "removed", c.predicate, mark))
    if not rows and not usage.problems:
        return []
    lines = [f"\nServer code to revisit ({len(rows)}):", f"  ({METHODS_RULE}; {CONSTRUCTORS_RULE})"]
    lines += [f"  ! {p}" for p in usage.problems]
    width = max((len(r[2]) for r in rows), default=0)
    for is_function, what, predicate, mark in sorted(rows, key=lambda r: (not r[0], r[2])):
        lines.append(f"  {_kind(is_function):11} {what:7} {predicate:{width}}  {mark}")
    return lines


def format_diff(d: LayerDiff, usage: Usage | None = None) -> str:
    used = sum(1 for c in d.changed if usage and usage.of(c.predicate, c.is_function))
    counts = f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"
    if usage is not None:
        counts += f" ({used} of them used by the server)"
    lines = [f"Layer {d.old} → {d.new}: {counts}"]
    if usage is not None:
        lines += _revisit(d, usage)
    for title, items in (("Added", d.added), ("Removed", d.removed)):
        if items:
            lines.append(f"\n{title}:")
            for c in items:
                mark = usage.of(c.predicate, c.is_function) if usage and title == "Removed" else None
                lines.append(f"  {_kind(c.is_function):11} {c.predicate}#{c.id:08x} = {c.result}" + (f"   [{mark}]" if mark else ""))
    for is_function in (False, True):
        changes = [c for c in d.changed if c.is_function == is_function]
        if not changes:
            continue
        lines.append(f"\nChanged {_kind(is_function)}s:")
        for c in changes:
            mark = usage.of(c.predicate, c.is_function) if usage else None
            lines.append(f"  {_header(c)}" + (f"   [{mark}]" if mark else ""))
            lines += [f"      {x}" for x in _details(c)]
    return "\n".join(lines)
