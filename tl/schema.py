"""The schema model: what a .tl file declares, as plain immutable objects.

The parser builds it; the code generator, the layer tables, the layer diff tool and
the capture decoder all walk it. It knows nothing about bytes on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Types the wire format defines itself; everything else is a constructor or an
# abstract (boxed) type declared in a schema file.
BUILTIN_TYPES = frozenset(
    {"int", "long", "double", "string", "bytes", "int128", "int256", "Bool", "true", "#"}
)

# Fixed-size primitives: struct format letter and byte size.
FIXED_SIZE = {"int": ("i", 4), "long": ("q", 8), "double": ("d", 8), "#": ("I", 4)}


@dataclass(frozen=True)
class TypeRef:
    """A parameter or result type: `int`, `Vector<User>`, `%Message`, `!X`, `future_salt`.

    `bare` is true for a type written with a lowercase initial or `%`: its values are
    written without their constructor id. `generic_ref` is true for `!X`.
    """

    name: str
    arg: TypeRef | None = None
    bare: bool = False
    generic_ref: bool = False

    @property
    def is_vector(self) -> bool:
        return self.name in ("Vector", "vector")

    @property
    def is_builtin(self) -> bool:
        return self.name in BUILTIN_TYPES

    def __str__(self) -> str:
        if self.generic_ref:
            return "!" + self.name
        if self.arg is not None:
            return f"{self.name}<{self.arg}>"
        if self.bare and self.name[:1].isupper():
            return "%" + self.name
        return self.name


@dataclass(frozen=True)
class Param:
    """One `name:type` of a declaration.

    A conditional parameter (`flags.3?int`) names its flags field and bit; a flags
    field itself (`flags:#`) has `type.name == "#"`.
    """

    name: str
    type: TypeRef
    flag_field: str | None = None
    flag_bit: int | None = None

    @property
    def is_flags(self) -> bool:
        return self.type.name == "#"

    @property
    def is_conditional(self) -> bool:
        return self.flag_field is not None

    @property
    def is_true_flag(self) -> bool:
        return self.flag_field is not None and self.type.name == "true"

    def __str__(self) -> str:
        cond = f"{self.flag_field}.{self.flag_bit}?" if self.flag_field else ""
        return f"{self.name}:{cond}{self.type}"


@dataclass(frozen=True)
class Combinator:
    """A constructor or a function.

    `id` is the id as declared (or as computed when the line declares none);
    `computed_id` is CRC32 of the normalised declaration, so the two can be compared.
    """

    predicate: str
    id: int
    params: tuple[Param, ...]
    result: TypeRef
    is_function: bool
    generics: tuple[tuple[str, str], ...] = ()
    computed_id: int = 0
    declared_id: int | None = None
    line: str = ""
    line_no: int = 0

    @property
    def namespace(self) -> str:
        return self.predicate.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.predicate.rpartition(".")[2]

    @property
    def fields(self) -> tuple[Param, ...]:
        """Parameters that carry a value (flags fields are computed on write)."""
        return tuple(p for p in self.params if not p.is_flags)

    @property
    def id_matches(self) -> bool:
        return self.declared_id is None or self.declared_id == self.computed_id

    def signature(self) -> str:
        """The declaration as a comparable text (ids and field lists)."""
        params = " ".join(str(p) for p in self.params)
        return f"{self.predicate}#{self.id:08x} {params} = {self.result}".replace("  ", " ")


@dataclass
class Schema:
    """Everything one file (or several merged files) declares."""

    constructors: list[Combinator] = field(default_factory=list)
    functions: list[Combinator] = field(default_factory=list)
    # Declarations that exist only in comments marked "parsed manually" (mtproto.tl):
    # rpc_result, msg_container, gzip_packed... The runtime handles them by hand.
    manual: list[Combinator] = field(default_factory=list)
    # Id-less declarations (`int ? = Int;`, `tlsClientHello ...`), kept for reference.
    idless: list[str] = field(default_factory=list)
    layer: int | None = None

    def all(self) -> list[Combinator]:
        return self.constructors + self.functions

    def by_id(self) -> dict[int, Combinator]:
        return {c.id: c for c in self.all()}

    def mismatches(self) -> list[Combinator]:
        return [c for c in self.all() if not c.id_matches]

    def merged(self, other: Schema) -> Schema:
        return Schema(
            constructors=self.constructors + other.constructors,
            functions=self.functions + other.functions,
            manual=self.manual + other.manual,
            idless=self.idless + other.idless,
            layer=self.layer if self.layer is not None else other.layer,
        )
