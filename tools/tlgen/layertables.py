"""Generate tl/generated/layers/: what each older layer differs in from the canonical one.

A declaration of an older layer differs when the canonical layer has no declaration
of its id, or has one with other fields (same id, other `true` flags: the id's CRC32
leaves them out). Everything else is shared with the canonical generated code, and only
the differences are generated, each once (oldcodec.py writes its functions), in the
module of the newest layer that has it: a declaration layers 158 to 190 share lives in
l190.py. So layer N's declarations are all in the modules of N and newer layers, and
each module says whose they are:

- DECLS: (layers that have it, id, predicate, reader, writer, result writer or None) for
  each declaration the module holds; the result writer is there when a method's result
  is typed otherwise than in the canonical layer;
- NEWER: the canonical ids this layer lacks and every newer shipped layer has. A layer
  lacks the NEWER ids of its own module and of every newer one,
- HAS: except these, which it has although some newer layer lacks them.

`__init__.py` names the canonical layer and the shipped ones; tl/layers.py imports a
layer's modules the first time that layer is served, so `import tl` loads none of them.
"""

from __future__ import annotations

from tl.schema import Combinator, Schema

from .codegen import HEADER, Generator, Module, localise, runtime_prelude
from .oldcodec import OlderCodecs

PACKAGE = "tl/generated/layers"


def _key(c: Combinator) -> tuple:
    return (c.is_function, c.signature(), c.generics)


def differing(canonical: Schema, schema: Schema) -> list[Combinator]:
    """The declarations of `schema` that the canonical layer does not have as they are."""
    by_id = {c.id: c for c in canonical.all()}
    return [c for c in schema.all() if c.id not in by_id or by_id[c.id].params != c.params]


def layered_predicates(canonical: Schema, layers: dict[int, Schema]) -> set[str]:
    """Canonical predicates that some older layer lacks or declares otherwise."""
    out = set()
    for n, schema in layers.items():
        if n == canonical.layer:
            continue
        ids = {c.id for c in schema.all()}
        out |= {c.predicate for c in canonical.all() if c.id not in ids}
        out |= {c.predicate for c in differing(canonical, schema)}
    return out


def render_layer_tables(canonical: Schema, layers: dict[int, Schema], generator: Generator,
                        source: str) -> dict[str, str]:
    older = [n for n in sorted(layers) if n != canonical.layer]
    results = {c.predicate: str(c.result) for c in generator.schema.functions}
    # Every differing declaration once, with the layers that have it.
    holders: dict[tuple, list[int]] = {}
    decls: dict[tuple, Combinator] = {}
    for n in older:
        for c in differing(canonical, layers[n]):
            holders.setdefault(_key(c), []).append(n)
            decls.setdefault(_key(c), c)
    home = {k: max(ns) for k, ns in holders.items()}
    # Names: predicate and id, and the home layer where `true` flags alone tell apart
    # two declarations of one id.
    base = {k: f"{c.predicate.replace('.', '_')}_{c.id:08x}" for k, c in decls.items()}
    counts: dict[str, int] = {}
    for b in base.values():
        counts[b] = counts.get(b, 0) + 1
    ident = {k: f"{b}_{home[k]}" if counts[b] > 1 else b for k, b in base.items()}

    # since: the oldest layer from which every shipped layer has the canonical id.
    order = [*older, canonical.layer]
    present = {n: {c.id for c in layers[n].all()} for n in order}
    since = {}
    for c in canonical.all():
        for n in reversed(order):
            if c.id not in present[n]:
                break
            since[c.id] = n

    codecs = OlderCodecs(generator)
    files = {f"{PACKAGE}/__init__.py": _render_package(canonical.layer, order, source)}
    for i, n in enumerate(older):
        mod = Module(f"layers.l{n}")
        entries = []
        for k in sorted((k for k in holders if home[k] == n), key=lambda k: ident[k]):
            c, name = decls[k], ident[k]
            mod.body.append(codecs.reader(c, f"r_{name}", mod))
            mod.body.append(codecs.writer(c, f"w_{name}", mod))
            result = "None"
            if _changed_result(c, results):
                mod.body.append(codecs.result_writer(c, f"wr_{name}", mod))
                result = f"wr_{name}"
            entries.append(f"    ({tuple(holders[k])!r}, 0x{c.id:08x}, {c.predicate!r}, r_{name}, w_{name}, {result}),")
        newer = sorted(cid for cid, s in since.items() if s == order[i + 1])
        kept = sorted(cid for cid, s in since.items() if s > n and cid in present[n])
        tables = ["DECLS = (", *entries, ")", *_ids("NEWER", newer), *_ids("HAS", kept)]
        files[f"{PACKAGE}/l{n}.py"] = _render_module(mod, n, tables, source)
    return files


def _changed_result(c: Combinator, canonical_results: dict[str, str]) -> bool:
    """A method whose result this layer types otherwise (and not through a generic)."""
    return c.is_function and not c.generics and canonical_results.get(c.predicate) not in (None, str(c.result))


def _ids(name: str, ids: list[int]) -> list[str]:
    lines = [f"{name} = frozenset(("]
    lines += ["    " + " ".join(f"0x{x:08x}," for x in ids[i : i + 8]) for i in range(0, len(ids), 8)]
    return lines + ["))"]


def _render_module(mod: Module, layer: int, tables: list[str], source: str) -> str:
    text = "\n".join(mod.body)
    head = [HEADER.format(source=source), "# fmt: off", "# ruff: noqa", "import struct", ""]
    head += sorted(mod.imports)
    wanted = [n for n in ("LegacyObject", "UPGRADERS", "text_with_entities", "write_text")
              if f"_{n}(" in text or f"_{n}." in text]
    if wanted:
        head.append("from tl.legacy import " + ", ".join(f"{n} as _{n}" for n in wanted))
    head += runtime_prelude(mod)
    head = [localise(h) if not h.startswith("from ") else h for h in head]
    body = [localise(b) for b in mod.body]
    intro = f"# The differing declarations whose newest layer is {layer}, and the canonical ids {layer} lacks.\n"
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + ("\n\n" if body else "") + intro + "\n".join(tables) + "\n"


def _render_package(canonical: int, layers: list[int], source: str) -> str:
    lines = [HEADER.format(source=source), "# ruff: noqa", ""]
    lines.append(f"CANONICAL = {canonical}")
    lines.append(f"LAYERS = {tuple(layers)!r}")
    return "\n".join(lines) + "\n"
