"""Which TL declarations the server's code uses, to mark them in a layer diff report.

Methods: the request classes registered in rpc.router.ROUTES once `import rpc` has
registered every handler module; exact, and it names the handler's module.

Constructors: a text search, and only that. A constructor counts as used when its
generated class is written as `T.<Name>` or `T.<ns>.<Name>` (`from tl import types as
T`, the one spelling rpc/ and storage/ use) or `tl.types.<...>` in a .py file under
rpc/ or storage/. Objects built another way (tl.from_dict, a handler returning what
storage decoded, a class reached through a variable) are not seen, and a mention in
an isinstance check counts as much as building one.

It imports the server package and reads files; it never changes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("rpc", "storage")
_REFERENCE = re.compile(r"\b(?:T|tl\.types)\.((?:[a-z_]\w*\.)?[A-Z]\w*)")

METHODS_RULE = "methods: registered in rpc.router.ROUTES"
CONSTRUCTORS_RULE = "constructors: written as T.<Name> in rpc/ or storage/ (a text search)"


@dataclass
class Usage:
    """predicate → where the server uses it (handler module, or the files naming it)."""

    methods: dict[str, str] = field(default_factory=dict)
    constructors: dict[str, list[str]] = field(default_factory=dict)
    # Why a part could not be computed (the report says so instead of marking nothing).
    problems: list[str] = field(default_factory=list)

    def of(self, predicate: str, is_function: bool) -> str | None:
        """A short mark for the report, or None when the server does not use it."""
        if is_function:
            module = self.methods.get(predicate)
            return f"handler in {module}" if module else None
        files = self.constructors.get(predicate)
        if not files:
            return None
        shown = ", ".join(files[:3]) + (f" +{len(files) - 3}" if len(files) > 3 else "")
        return f"used in {shown}"


def handled_methods() -> dict[str, str]:
    import rpc  # noqa: F401  (registers every handler module)
    from rpc.router import ROUTES

    return {cls.QUALNAME: route.module for cls, route in ROUTES.items() if getattr(cls, "QUALNAME", "")}


def referenced_constructors(root: Path = ROOT, dirs: tuple[str, ...] = SOURCE_DIRS) -> dict[str, list[str]]:
    from tl import types

    found: dict[str, set[str]] = {}
    for d in dirs:
        for path in sorted((root / d).rglob("*.py")):
            rel = str(path.relative_to(root))
            for dotted in set(_REFERENCE.findall(path.read_text(encoding="utf-8"))):
                obj = types
                for part in dotted.split("."):
                    obj = getattr(obj, part, None)
                predicate = getattr(obj, "QUALNAME", "") if isinstance(obj, type) else ""
                if predicate:
                    found.setdefault(predicate, set()).add(rel)
    return {p: sorted(files) for p, files in found.items()}


def server_usage(root: Path = ROOT) -> Usage:
    usage = Usage()
    try:
        usage.methods = handled_methods()
    except Exception as exc:  # the report still prints, saying why methods are unmarked
        usage.problems.append(f"methods not marked: `import rpc` failed: {exc!r}")
    try:
        usage.constructors = referenced_constructors(root)
    except Exception as exc:
        usage.problems.append(f"constructors not marked: {exc!r}")
    return usage
