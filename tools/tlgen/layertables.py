"""Generate tl/generated/layers.py: what each older layer differs in from the canonical one.

Per layer: the canonical ids that layer lacks, and the declarations it has that the
canonical layer does not (as their schema lines; tl/layers.py parses them once, on
first use of that layer). Same id means same declaration, so everything else is shared
with the canonical generated code.
"""

from __future__ import annotations

from tl.schema import Schema

from .codegen import HEADER


def render_layer_tables(canonical: Schema, layers: dict[int, Schema], source: str) -> str:
    canonical_ids = {c.id for c in canonical.all()}
    lines = [HEADER.format(source=source), "# fmt: off", "# ruff: noqa", ""]
    lines.append(f"CANONICAL = {canonical.layer}")
    lines.append(f"LAYERS = {tuple(sorted(set(layers) | {canonical.layer}))!r}")
    lines.append("")
    lines.append("# layer → (canonical ids it lacks, (is_function, declaration) it has of its own)")
    lines.append("TABLES = {")
    for number in sorted(layers):
        if number == canonical.layer:
            continue
        schema = layers[number]
        ids = {c.id for c in schema.all()}
        absent = sorted(i for i in canonical_ids if i not in ids)
        own = [c for c in schema.all() if c.id not in canonical_ids]
        lines.append(f"    {number}: (")
        lines.append("        frozenset((")
        for i in range(0, len(absent), 8):
            lines.append("            " + " ".join(f"0x{x:08x}," for x in absent[i : i + 8]))
        lines.append("        )),")
        lines.append("        (")
        for c in own:
            lines.append(f"            ({c.is_function!r}, {c.line!r}),")
        lines.append("        ),")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"
