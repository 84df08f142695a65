"""`python -m tools.catalogue`: regenerate docs/methods.md, docs/methods.csv and rpc/error_names.py.

    python -m tools.catalogue                  write them (and print the totals)
    python -m tools.catalogue --check          exit 1 if any of them is stale
    python -m tools.catalogue --lists DIR      first copy rpc-errors.csv and rpc-methods.csv
                                               from DIR (e.g. ../shared/data) into tools/catalogue/
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from pathlib import Path

from . import errors, methods

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def outputs() -> dict[Path, str]:
    """Each generated file and the text it should hold."""
    layer, entries, outside = methods.catalogue()
    return {
        DOCS / "methods.md": methods.render_markdown(layer, entries, outside),
        DOCS / "methods.csv": methods.render_csv(entries, outside),
        errors.MODULE: errors.render(errors.load()),
    }


def stale() -> list[Path]:
    return [path for path, text in outputs().items() if not path.exists() or path.read_text() != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.catalogue", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    parser.add_argument("--lists", type=Path, help="copy Telegram's CSV lists from this directory first")
    args = parser.parse_args(argv)
    if args.lists:
        for name in (errors.ERRORS_CSV.name, methods.METHODS_CSV.name):
            shutil.copyfile(args.lists / name, methods.HERE / name)
    if args.check:
        old = stale()
        for path in old:
            print(f"stale: {path.relative_to(ROOT)} (run python -m tools.catalogue)", file=sys.stderr)
        return 1 if old else 0
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    _, entries, _ = methods.catalogue()
    counts = Counter(e.status for e in entries)
    print(", ".join(f"{counts[s]} {s}" for s in methods.STATUSES) + f" of {len(entries)} methods")
    return 0


if __name__ == "__main__":
    sys.exit(main())
