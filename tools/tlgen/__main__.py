"""`python -m tools.tlgen`: regenerate tl/generated/ from schema/.

    python -m tools.tlgen            write tl/generated/ and print what the newest layer changed
    python -m tools.tlgen --check    exit 1 if tl/generated/ is not what the schema gives
    python -m tools.tlgen diff A B   print what layer B adds, removes and changes against A

Both reports match declarations by name, list field by field what changed, and mark
the methods with a handler and the constructors rpc/ and storage/ name (usage.py);
`--no-usage` leaves the marks out (and does not import the server).

The canonical layer is the newest api-layer-N.tl in schema/; the others get generated
codecs for the declarations in which they differ from it (layertables.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tl.parser import SchemaParseError, parse_file
from dataclasses import replace

from tl.schema import Combinator, Schema, TypeRef

from .codegen import Generator
from .diff import diff_schemas
from .layertables import layered_predicates, render_layer_tables
from .report import format_diff
from .usage import server_usage

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schema"
GENERATED = ROOT / "tl" / "generated"


def shipped_layers(schema_dir: Path = SCHEMA_DIR) -> dict[int, Path]:
    layers = {}
    for path in schema_dir.glob("api-layer-*.tl"):
        layers[int(path.stem.rsplit("-", 1)[1])] = path
    return dict(sorted(layers.items()))


def load_layer(layer: int, schema_dir: Path = SCHEMA_DIR) -> Schema:
    schema = parse_file(schema_dir / f"api-layer-{layer}.tl")
    schema.layer = layer
    return schema


# In mtproto.tl, `string` carries binary data: nonces' products, RSA and DH payloads,
# msgs_state_info's status bytes. The wire format of string and bytes is the same; only
# the Python type differs. The one real text is the error message.
MTPROTO_TEXT_FIELDS = {("rpc_error", "error_message")}


def binary_strings(schema: Schema) -> Schema:
    def fix(c: Combinator) -> Combinator:
        params = tuple(
            replace(p, type=TypeRef("bytes")) if p.type.name == "string" and (c.predicate, p.name) not in MTPROTO_TEXT_FIELDS else p
            for p in c.params
        )
        return replace(c, params=params)

    return Schema([fix(c) for c in schema.constructors], [fix(c) for c in schema.functions],
                  schema.manual, schema.idless, schema.layer)


def render_all(schema_dir: Path = SCHEMA_DIR) -> dict[str, str]:
    layers = {n: parse_file(p) for n, p in shipped_layers(schema_dir).items()}
    for n, s in layers.items():
        s.layer = n
        if s.mismatches():
            bad = ", ".join(f"{c.predicate} (declared {c.declared_id:08x}, computed {c.computed_id:08x})" for c in s.mismatches())
            raise SystemExit(f"api-layer-{n}.tl: constructor ids do not match their declarations: {bad}")
    newest = max(layers)
    mtproto = binary_strings(parse_file(schema_dir / "mtproto.tl"))
    canonical = mtproto.merged(layers[newest])
    canonical.layer = newest
    source = f"schema/api-layer-{newest}.tl and schema/mtproto.tl"
    generator = Generator(canonical, source, layered_predicates(layers[newest], layers))
    files = generator.generate()
    files.update(render_layer_tables(layers[newest], layers, generator, "schema/api-layer-*.tl"))
    return files


def stale_files(files: dict[str, str]) -> list[str]:
    stale = [p for p, text in files.items() if not (ROOT / p).exists() or (ROOT / p).read_text() != text]
    expected = {ROOT / p for p in files}
    stale += [str(p.relative_to(ROOT)) for p in GENERATED.rglob("*.py") if p not in expected]
    return stale


def write(files: dict[str, str]) -> None:
    expected = {ROOT / p for p in files}
    for p in GENERATED.rglob("*.py"):
        if p not in expected:
            p.unlink()
    for rel, text in files.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.tlgen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if tl/generated/ is stale")
    parser.add_argument("command", nargs="?", choices=["diff"], help="diff OLD NEW")
    parser.add_argument("layers", nargs="*", type=int)
    parser.add_argument("--no-usage", action="store_true", help="do not mark what the server uses (no `import rpc`)")
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except SchemaParseError as exc:
        print(f"schema error: {exc}", file=sys.stderr)
        return 2


def _report(old: int, new: int, with_usage: bool) -> str:
    return format_diff(diff_schemas(load_layer(old), load_layer(new)), server_usage() if with_usage else None)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "diff":
        if len(args.layers) != 2:
            parser.error("diff takes two layer numbers, e.g. `diff 228 229`")
        missing = [n for n in args.layers if n not in shipped_layers()]
        if missing:
            parser.error(f"no schema/api-layer-{missing[0]}.tl; shipped: {', '.join(map(str, shipped_layers()))}")
        print(_report(*args.layers, not args.no_usage))
        return 0
    files = render_all()
    if args.check:
        stale = stale_files(files)
        if stale:
            print("tl/generated/ is stale; run `python -m tools.tlgen`:", *stale, sep="\n  ", file=sys.stderr)
            return 1
        print(f"tl/generated/ is up to date ({len(files)} files)")
        return 0
    stale = stale_files(files)
    write(files)
    layers = list(shipped_layers())
    print(f"wrote {len(stale)} changed file(s) of {len(files)} under tl/generated/ (canonical layer {layers[-1]})")
    if len(layers) > 1:
        print(_report(layers[-2], layers[-1], not args.no_usage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
