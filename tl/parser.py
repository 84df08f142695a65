"""Parse TL schema text (api-layer-N.tl, mtproto.tl) into the schema model.

It accepts everything the official files contain: `---types---`/`---functions---`
sections (mtproto.tl has two pairs), `flags:#`/`flags2:#` with `flags.N?T`,
`Vector<T>` and bare `vector<T>`, bare types (`%T`, lowercase names), `{X:Type}`
generics with `!X`, the builtin lines (`vector#1cb5c415 {t:Type} # [ t ] = Vector t;`)
and declarations that only exist in comments marked "parsed manually" (rpc_result,
msg_container, gzip_packed).

Every constructor id is recomputed from the declaration (see `normalise`), so a
schema that does not agree with itself is caught at generation time.

A declaration without an id (`foo bar:int = Foo;`) is an error (SchemaParseError with
the file and line), except for the two kinds the official files publish that way,
which are kept as text in `Schema.idless` and never become constructors:

- the wire builtins, declared in TL's own notation: `int ? = Int;`, `long ? = Long;`,
  `double ? = Double;`, `string ? = String;`, `int128 4*[ int ] = Int128;`,
  `int256 8*[ int ] = Int256;` and an id-less `vector {t:Type} # [ t ] = Vector t;`.
  Allowed: a predicate in WIRE_BUILTINS. The runtime reads and writes these itself.
- mtproto.tl's description of the fake-TLS ClientHello an MTProxy `ee` secret sends
  (`tlsClientHello ... = TlsClientHello;`, `tlsBlockString ... = TlsBlock;` ...).
  Allowed: a result type in FAKE_TLS_TYPES. They describe bytes, not TL objects.

Lines inside comments are not declarations and are never errors: the "parsed manually"
ones are read when they carry an id (`//rpc_result#f35c6d01 ...`) and skipped when not
(`//message msg_id:long ... // parsed manually`, a container item's layout); other
commented-out declarations (`//ipPort ipv4:int port:int = IpPort;`) are skipped.
Anything else without an id, in any file, is a mistake: a constructor the generator
would silently drop and no client could ever send.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from .schema import BUILTIN_TYPES, Combinator, Param, Schema, TypeRef


class SchemaParseError(ValueError):
    def __init__(self, message: str, line_no: int, line: str, source: str = ""):
        where = f"{source}:{line_no}" if source else f"line {line_no}"
        super().__init__(f"{where}: {message}: {line!r}")
        self.reason = message
        self.line_no = line_no
        self.line = line
        self.source = source


# The id-less declarations the official files contain (see the module docstring).
WIRE_BUILTINS = frozenset({"int", "long", "double", "string", "int128", "int256", "vector"})
FAKE_TLS_TYPES = frozenset({"TlsClientHello", "TlsBlock"})


_DECL_HEAD = re.compile(r"^([A-Za-z_][\w.]*)(?:#([0-9a-fA-F]{1,8}))?(?=\s|$|;)")
_TRUE_FLAG = re.compile(r"^\w+:flags\d*\.\d+\?true$")
_COND = re.compile(r"^(\w+)\.(\d+)\?(.+)$")
_LAYER = re.compile(r"^//\s*LAYER\s+(\d+)")
# The one declaration whose published id was computed with `bytes` as written.
_BYTES_KEPT = {"ipPortSecret"}


def normalise(declaration: str) -> str:
    """The text whose CRC32 is the constructor id (../shared/schema/README.md rules).

    Strip the id and `;`, drop `name:flagsN.K?true` params, spell `bytes` as
    `string`, turn `Vector<T>` into `Vector T`, drop braces, collapse whitespace.
    """
    text = declaration.strip().rstrip(";").strip()
    head, _, rest = text.partition(" ")
    name = head.split("#", 1)[0]
    tokens = [t for t in rest.split() if not _TRUE_FLAG.match(t)]
    text = " ".join([name] + tokens) + " "
    if name not in _BYTES_KEPT:
        text = text.replace(":bytes ", ":string ").replace("?bytes ", "?string ")
    text = text.replace("<", " ").replace(">", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def compute_id(declaration: str) -> int:
    return zlib.crc32(normalise(declaration).encode())


def parse_type(text: str) -> TypeRef:
    """`Vector<User>` → TypeRef("Vector", TypeRef("User")); `%Message` is bare."""
    if text.startswith("!"):
        return TypeRef(text[1:], generic_ref=True)
    if text.startswith("%"):
        return TypeRef(text[1:], bare=True)
    if "<" in text:
        if not text.endswith(">"):
            raise ValueError(f"bad type {text!r}")
        outer, _, inner = text[:-1].partition("<")
        return TypeRef(outer, arg=parse_type(inner), bare=outer == "vector")
    last = text.rpartition(".")[2]
    bare = text not in BUILTIN_TYPES and last[:1].islower()
    return TypeRef(text, bare=bare)


def _parse_param(token: str) -> Param:
    name, sep, type_text = token.partition(":")
    if not sep or not name or not type_text:
        raise ValueError(f"bad parameter {token!r}")
    cond = _COND.match(type_text)
    if cond:
        return Param(name, parse_type(cond.group(3)), cond.group(1), int(cond.group(2)))
    return Param(name, parse_type(type_text))


def parse_declaration(line: str, is_function: bool, line_no: int = 0) -> Combinator | None:
    """One declaration (without comments). None for id-less builtin forms."""
    text = line.strip()
    if not text.endswith(";"):
        raise SchemaParseError("declaration does not end with ';'", line_no, line)
    head = _DECL_HEAD.match(text)
    if not head or "=" not in text:
        raise SchemaParseError("not a declaration", line_no, line)
    predicate, id_text = head.group(1), head.group(2)
    body, _, result_text = text[head.end() : -1].rpartition("=")
    result_text = result_text.strip()
    computed = compute_id(text)
    if "[" in body or "?" in body.split() or " " in result_text:
        # `vector {t:Type} # [ t ] = Vector t;`, `int ? = Int;`: wire builtins that the
        # runtime implements itself. Only the id (when declared) matters.
        if id_text is None:
            return None
        return Combinator(
            predicate, int(id_text, 16), (), TypeRef(result_text.split()[0]), is_function,
            computed_id=computed, declared_id=int(id_text, 16), line=text, line_no=line_no,
        )
    generics: list[tuple[str, str]] = []
    params: list[Param] = []
    try:
        for token in body.split():
            if token.startswith("{"):
                name, _, kind = token.strip("{}").partition(":")
                generics.append((name, kind))
            else:
                params.append(_parse_param(token))
        result = parse_type(result_text)
    except ValueError as exc:
        raise SchemaParseError(str(exc), line_no, line) from None
    declared = int(id_text, 16) if id_text is not None else None
    return Combinator(
        predicate=predicate,
        id=declared if declared is not None else computed,
        params=tuple(params),
        result=result,
        is_function=is_function,
        generics=tuple(generics),
        computed_id=computed,
        declared_id=declared,
        line=text,
        line_no=line_no,
    )


def idless_allowed(declaration: str) -> bool:
    """True for the id-less declarations the official files publish (module docstring)."""
    head = _DECL_HEAD.match(declaration.strip())
    result = declaration.rstrip().rstrip(";").rpartition("=")[2].split()
    return bool(head) and (head.group(1) in WIRE_BUILTINS or (bool(result) and result[0] in FAKE_TLS_TYPES))


def parse_text(text: str, source: str = "") -> Schema:
    """`source` (a file name) only goes into error messages."""
    try:
        return _parse_lines(text)
    except SchemaParseError as exc:
        if exc.source or not source:
            raise
        raise SchemaParseError(exc.reason, exc.line_no, exc.line, source) from None


def _parse_lines(text: str) -> Schema:
    schema = Schema()
    is_function = False
    pending = ""
    pending_no = 0
    for line_no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        layer = _LAYER.match(stripped)
        if layer:
            schema.layer = int(layer.group(1))
            continue
        if stripped.startswith("//"):
            if "parsed manually" in stripped:
                _parse_manual(stripped, is_function, line_no, schema)
            continue
        code = stripped.split("//", 1)[0].strip()
        if not code:
            continue
        if code == "---types---":
            is_function = False
            continue
        if code == "---functions---":
            is_function = True
            continue
        if not pending:
            pending_no = line_no
        pending = f"{pending} {code}".strip()
        if not pending.endswith(";"):
            continue
        decl, pending = pending, ""
        combinator = parse_declaration(decl, is_function, pending_no)
        if combinator is None or combinator.declared_id is None:
            if not idless_allowed(decl):
                raise SchemaParseError("declaration without a constructor id (only the wire builtins and "
                                       "mtproto.tl's fake-TLS blocks may omit it)", pending_no, decl)
            schema.idless.append(decl)
            continue
        (schema.functions if is_function else schema.constructors).append(combinator)
    if pending:
        raise SchemaParseError("unterminated declaration", pending_no, pending)
    return schema


def _parse_manual(comment: str, is_function: bool, line_no: int, schema: Schema) -> None:
    code = comment.lstrip("/").split("//", 1)[0].strip()
    if "#" not in code.split(" ", 1)[0]:
        return  # `message msg_id:long ...` has no id: it is a container item layout
    combinator = parse_declaration(code, is_function, line_no)
    if combinator is not None:
        schema.manual.append(combinator)


def parse_file(path: str | Path) -> Schema:
    path = Path(path)
    return parse_text(path.read_text(encoding="utf-8"), _display(path))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
