"""Straight-line reader and writer of one older layer's declaration, in canonical objects.

A declaration of an older layer that differs from the canonical one (another id, or the
same id with other `true` flags, which the id's CRC32 leaves out) is read into, and
written from, the canonical class of the same predicate:

- a field the older declaration lacks gets what the canonical model defaults it to
  (absent, unset, an empty vector, the type's zero);
- a field the canonical class lacks is read and dropped, handed to the predicate's
  upgrader when one is registered (tl/legacy.py), and written as its type's zero, or
  refused when it has none;
- a `string` where the canonical class holds a TextWithEntities is converted each way;
- any other field is read and written with the older type as it is;
- a predicate the canonical layer no longer has reads into a LegacyObject and is
  written back from it.

The code is the canonical generator's (codegen.py: struct runs, inline flags, table
dispatch for boxed objects) with the canonical attribute in place of each field. The
same rules used to be applied at run time by an interpreter walking each declaration;
tests/tl/interpreted.py keeps it as the reference these functions are checked against.
"""

from __future__ import annotations

from collections import defaultdict

from tl.schema import FIXED_SIZE, Combinator, Param

from .codegen import Generator, Module
from .naming import attr_name

# The zero a required field of each builtin type is written as when the canonical
# object has nothing for it (any other type has none: the write is refused).
_ZEROS = {"int": "0", "long": "0", "double": "0.0", "int128": "0", "int256": "0", "string": "''", "bytes": "b''",
          "Bool": "False"}


def default_literal(type_text: str) -> str | None:
    """What a field of `type_text` ("flags.2?int", "Vector<User>", "long") holds when the
    other side has no value for it, as Python source; None when there is no such value."""
    t = type_text.rpartition("?")[2]
    if "?" in type_text:
        return "False" if t == "true" else "None"
    if t.startswith(("Vector<", "vector<")):
        return "[]"
    return _ZEROS.get(t)


def _type_text(p: Param) -> str:
    return f"{p.flag_field}.{p.flag_bit}?{p.type}" if p.is_conditional else str(p.type)


def _is_text_pair(old: Param, new: Param | None) -> bool:
    """An older `string` field that the canonical class holds as a TextWithEntities."""
    return new is not None and old.type.name == "string" and new.type.name == "TextWithEntities"


class OlderCodecs:
    """Emits the functions of older declarations, using the canonical generator's pieces."""

    def __init__(self, canonical: Generator):
        self.gen = canonical
        # Like tl.tlobject.REGISTRY: by predicate, functions after constructors.
        self.canonical = {c.predicate: c for c in canonical.schema.all()}

    # -- reading ---------------------------------------------------------------------------

    def reader(self, c: Combinator, name: str, mod: Module) -> str:
        canonical = self.canonical.get(c.predicate)
        new = {p.name: p for p in canonical.fields} if canonical else {}
        lines: list[str] = []
        run_fmt, run_vars, run_size = "", [], 0

        def flush():
            nonlocal run_fmt, run_vars, run_size
            if run_fmt:
                f = mod.fmt("<" + run_fmt)
                lines.append(f"{', '.join(run_vars)}, = _U_{f[1:]}(b, p); p += {run_size}")
            run_fmt, run_vars, run_size = "", [], 0

        values: dict[str, str] = {}  # TL name → the expression holding what was read
        for p in c.params:
            var = f"_{p.name}" if p.is_flags else f"v_{p.name}"
            if p.is_flags or (not p.is_conditional and p.type.name in FIXED_SIZE):
                letter, size = FIXED_SIZE[p.type.name]
                run_fmt += letter
                run_vars.append(var)
                run_size += size
                if not p.is_flags:
                    values[p.name] = var
                continue
            if p.is_true_flag:
                values[p.name] = f"_{p.flag_field} & {1 << p.flag_bit} != 0"
                continue
            flush()
            stmts = self.gen.read_stmts(p.type, var, mod)
            if _is_text_pair(p, new.get(p.name)):
                stmts.append(f"{var} = _text_with_entities({var})")
            if p.is_conditional:
                lines.append(f"if _{p.flag_field} & {1 << p.flag_bit}:")
                lines += ["    " + s for s in stmts]
                lines.append("else:")
                lines.append(f"    {var} = None")
            else:
                lines += stmts
            values[p.name] = var
        flush()
        if canonical is None:
            items = ", ".join(f"{n!r}: {v}" for n, v in values.items())
            lines.append(f"return _LegacyObject({c.predicate!r}, 0x{c.id:08x}, {{{items}}}), p")
        else:
            lines += self._build(c, canonical, values, mod)
        return "\n".join([f"def {name}(b, p, T):"] + ["    " + s for s in lines]) + "\n"

    def _build(self, c: Combinator, canonical: Combinator, values: dict[str, str], mod: Module) -> list[str]:
        flags = {p.name for p in c.params if p.is_flags}
        args = []
        for p in canonical.fields:
            if p.name in values:
                args.append(values[p.name])
            elif p.name in flags:
                # Named like one of the older flags fields: nothing read for it.
                args.append("False" if p.is_true_flag else "None")
            else:
                args.append(default_literal(_type_text(p)) or "None")
        build = f"{self.gen.class_ref(canonical, mod)}({', '.join(args)})"
        dropped = [p for p in c.fields if p.name not in {q.name for q in canonical.fields}]
        if not dropped:
            return [f"return {build}, p"]
        # Fields the canonical class lacks go to the predicate's upgrader, those that were
        # present only (a `true` flag when set), in the order of the declaration.
        lines = [f"o = {build}", "dropped = {}"]
        for p in dropped:
            if p.is_true_flag:
                lines.append(f"if {values[p.name]}:")
                lines.append(f"    dropped[{p.name!r}] = True")
            elif p.is_conditional:
                lines.append(f"if _{p.flag_field} & {1 << p.flag_bit}:")
                lines.append(f"    dropped[{p.name!r}] = {values[p.name]}")
            else:
                lines.append(f"dropped[{p.name!r}] = {values[p.name]}")
        lines.append(f"if dropped and (upgrade := _UPGRADERS.get({c.predicate!r})) is not None:")
        lines.append("    o = upgrade(o, dropped)")
        lines.append("return o, p")
        return lines

    # -- writing ---------------------------------------------------------------------------

    def writer(self, c: Combinator, name: str, mod: Module) -> str:
        canonical = self.canonical.get(c.predicate)
        new = {p.name: p for p in canonical.fields} if canonical else {}
        lines: list[str] = []
        # TL name → expression of the value to write (None: the canonical object has none).
        exprs: dict[str, str | None] = {}
        # Required fields whose value may be None: that object has no value for them.
        maybe_none: set[str] = set()
        if canonical is None:
            lines.append("_get = o.values.get")
        for p in c.fields:
            if canonical is None:
                lines.append(f"v_{p.name} = _get({p.name!r})")
                exprs[p.name] = f"v_{p.name}"
                maybe_none.add(p.name)
            elif p.name in new:
                q = new[p.name]
                exprs[p.name] = f"o.{attr_name(q.name)}"
                if q.is_conditional and not q.is_true_flag:
                    maybe_none.add(p.name)
            else:
                exprs[p.name] = None
        lines += self._shared_bit_checks(c, exprs)
        for p in c.fields:
            if p.is_conditional:
                continue
            zero = default_literal(str(p.type))
            if exprs[p.name] is None:
                if zero is None:
                    lines.append(self._refusal(c, p))
                    return self._function(name, lines)
                exprs[p.name] = zero
            elif p.name in maybe_none:
                var = f"v_{p.name}"
                if exprs[p.name] != var:
                    lines.append(f"{var} = {exprs[p.name]}")
                lines.append(f"if {var} is None:")
                lines.append(f"    {var} = {zero}" if zero is not None else "    " + self._refusal(c, p))
                exprs[p.name] = var
        flag_terms: dict[str, list[str]] = defaultdict(list)
        for p in c.fields:
            e = exprs[p.name]
            if p.is_conditional and e is not None:
                test = e if p.is_true_flag else f"{e} is not None"
                flag_terms[p.flag_field].append(f"({1 << p.flag_bit} if {test} else 0)")
        for p in c.params:
            if p.is_flags:
                lines.append(f"_{p.name} = {' | '.join(flag_terms[p.name]) or '0'}")
        run_fmt, run_args = "I", [f"0x{c.id:08x}"]

        def flush():
            nonlocal run_fmt, run_args
            if run_fmt:
                f = mod.fmt("<" + run_fmt)
                lines.append(f"out += _P_{f[1:]}({', '.join(run_args)})")
            run_fmt, run_args = "", []

        for p in c.params:
            e = exprs.get(p.name)
            if p.is_flags:
                run_fmt += "I"
                run_args.append(f"_{p.name}")
            elif p.is_true_flag or (p.is_conditional and e is None):
                continue
            elif not p.is_conditional and p.type.name in FIXED_SIZE:
                run_fmt += FIXED_SIZE[p.type.name][0]
                run_args.append(e)
            else:
                flush()
                if _is_text_pair(p, new.get(p.name)):
                    stmts = [f"_write_text(out, {e})"]
                else:
                    stmts = self.gen.write_stmts(p.type, e, mod)
                if p.is_conditional:
                    lines.append(f"if {e} is not None:")
                    lines += ["    " + s for s in stmts]
                else:
                    lines += stmts
        flush()
        return self._function(name, lines)

    @staticmethod
    def _function(name: str, lines: list[str]) -> str:
        return "\n".join([f"def {name}(o, out, L):"] + ["    " + s for s in lines]) + "\n"

    @staticmethod
    def _refusal(c: Combinator, p: Param) -> str:
        message = f"{c.predicate}.{p.name} is required in layer {{L.layer}} and has no value"
        return f"raise _TLEncodeError(f{message!r})"

    @staticmethod
    def _shared_bit_checks(c: Combinator, exprs: dict[str, str | None]) -> list[str]:
        """As the canonical writer's: fields on one flag bit are all set or none."""
        groups: dict[tuple[str, int], list[Param]] = defaultdict(list)
        for p in c.fields:
            if p.is_conditional:
                groups[(p.flag_field, p.flag_bit)].append(p)
        lines = []
        for (flag_field, bit), params in groups.items():
            if len(params) < 2:
                continue
            tests = []
            for p in params:
                e = exprs[p.name]
                tests.append("False" if e is None else f"bool({e})" if p.is_true_flag else f"({e} is not None)")
            names = ", ".join(p.name for p in params)
            message = f"{c.predicate}: {names} share {flag_field}.{bit} in layer {{L.layer}}: set all of them or none"
            lines.append(f"if not {' == '.join(tests)}:")
            lines.append(f"    raise _TLEncodeError(f{message!r})")
        return lines

    def result_writer(self, c: Combinator, name: str, mod: Module) -> str:
        """The method's result as this older declaration types it (after its adapter)."""
        lines = self.gen.write_stmts(c.result, "value", mod)
        return "\n".join([f"def {name}(value, out, L):"] + ["    " + s for s in lines]) + "\n"
