"""The parser reads every shipped file and every constructor id agrees with its line."""

import zlib

import pytest

import tl
from tl.parser import FAKE_TLS_TYPES, WIRE_BUILTINS, SchemaParseError, compute_id, normalise, parse_file, parse_text
from tools.tlgen.__main__ import SCHEMA_DIR, shipped_layers

# ../shared/schema/README.md: constructors and functions per file. A layer added
# later is checked without counts (no test edit needed to add one).
COUNTS = {158: (1114, 511), 167: (1187, 560), 170: (1207, 569), 190: (1363, 663), 198: (1402, 689),
          214: (1479, 727), 216: (1488, 732), 220: (1526, 749), 222: (1541, 754), 223: (1546, 757),
          224: (1560, 769), 227: (1620, 790), 228: (1644, 807), 229: (1658, 813)}


@pytest.mark.parametrize("layer", list(shipped_layers()))
def test_every_api_layer_parses_with_zero_id_mismatches(layer):
    schema = parse_file(SCHEMA_DIR / f"api-layer-{layer}.tl")
    assert schema.layer == layer
    counts = (len(schema.constructors), len(schema.functions))
    assert counts == COUNTS[layer] if layer in COUNTS else min(counts) > 0
    assert schema.mismatches() == []
    assert schema.idless == []  # the API files declare every id


def test_shipped_layers_are_all_there_and_the_newest_is_canonical():
    assert set(COUNTS) <= set(shipped_layers())
    assert list(shipped_layers()) == list(tl.SHIPPED_LAYERS)
    assert max(shipped_layers()) == tl.LAYER


def test_mtproto_file_parses_including_idless_and_manual_lines():
    schema = parse_file(SCHEMA_DIR / "mtproto.tl")
    assert (len(schema.constructors), len(schema.functions)) == (40, 10)
    manual = {c.predicate: c.id for c in schema.manual}
    assert manual == {"rpc_result": 0xF35C6D01, "msg_container": 0x73F1F8DC, "msg_copy": 0xE06046B2, "gzip_packed": 0x3072CFA1}
    assert all(c.id_matches for c in schema.manual)
    assert any(line.startswith("tlsClientHello") for line in schema.idless)
    assert any(line.startswith("int ?") for line in schema.idless)
    # The two DNS-config declarations are published with ids no normalisation
    # reproduces (README of ../shared/schema); they are not MTProto transport objects.
    assert {c.predicate for c in schema.mismatches()} == {"accessPointRule", "help.configSimple"}


def test_normalisation_follows_the_documented_examples():
    assert normalise("invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;") == "invokeWithLayer X:Type layer:int query:!X = X"
    assert compute_id("invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;") == 0xDA9B0D0D
    assert normalise("updates#74ae4240 updates:Vector<Update> users:Vector<User> chats:Vector<Chat> date:int seq:int = Updates;") == \
        "updates updates:Vector Update users:Vector User chats:Vector Chat date:int seq:int = Updates"
    assert compute_id("vector#1cb5c415 {t:Type} # [ t ] = Vector t;") == 0x1CB5C415
    assert zlib.crc32(b"msgs_ack msg_ids:Vector long = MsgsAck") == 0x62D6B459


def test_flags_generics_and_bare_types_are_modelled():
    schema = parse_text("""
---types---
future_salt#0949d9dc valid_since:int valid_until:int salt:long = FutureSalt;
future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts;
x#1 flags:# a:flags.0?true b:flags2.3?Vector<int> c:%Message = X;
---functions---
invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;
""")
    salts = schema.constructors[1].params[2].type
    assert salts.is_vector and salts.bare and salts.arg.bare and salts.arg.name == "future_salt"
    x = schema.constructors[2]
    assert x.params[1].is_true_flag and x.params[2].flag_field == "flags2" and x.params[2].flag_bit == 3
    assert x.params[3].type.bare and x.params[3].type.name == "Message"
    f = schema.functions[0]
    assert f.generics == (("X", "Type"),) and f.params[1].type.generic_ref and f.is_function


@pytest.mark.parametrize("line", [
    "broken x:int = Broken;",                      # a constructor whose id was forgotten
    "users.getThing id:long = users.Thing;",       # a namespaced one
    "intish ? = Intish;",                           # builtin notation, not a builtin name
    "tlsClientHelloLike blocks:vector<int> = Tls;",  # looks like fake TLS, another type
])
def test_a_declaration_without_an_id_is_an_error_with_file_and_line(tmp_path, line):
    path = tmp_path / "api-layer-1.tl"
    path.write_text(f"---types---\nok#1 = Ok;\n\n{line}\n// LAYER 1\n")
    with pytest.raises(SchemaParseError, match="without a constructor id") as info:
        parse_file(path)
    assert info.value.line_no == 4 and info.value.source.endswith("api-layer-1.tl")
    assert str(info.value).startswith(f"{info.value.source}:4: ")


def test_a_multiline_declaration_without_an_id_points_at_its_first_line():
    with pytest.raises(SchemaParseError) as info:
        parse_text("---functions---\nok#1 = Ok;\nfoo.bar\n  x:int\n  = Bool;\n", "x.tl")
    assert (info.value.line_no, info.value.source) == (3, "x.tl")


def test_the_documented_idless_exceptions_still_parse():
    schema = parse_text("""
int ? = Int;
vector {t:Type} # [ t ] = Vector t;
int128 4*[ int ] = Int128;
tlsBlockZero length:int = TlsBlock;
tlsClientHello blocks:vector<TlsBlock> = TlsClientHello;
// a commented-out one is not a declaration: ipPort ipv4:int port:int = IpPort;
//message msg_id:long seqno:int bytes:int body:Object = Message; // parsed manually
""")
    assert len(schema.idless) == 5 and schema.all() == [] and schema.manual == []
    # What the official mtproto.tl publishes without ids is exactly these two kinds.
    mtproto = parse_file(SCHEMA_DIR / "mtproto.tl")
    kinds = {"builtin" if d.split()[0] in WIRE_BUILTINS else d.rstrip(";").split("=")[1].split()[0] for d in mtproto.idless}
    assert kinds == {"builtin"} | FAKE_TLS_TYPES


def test_a_malformed_line_is_reported_with_its_line_number():
    with pytest.raises(SchemaParseError) as info:
        parse_text("ok#1 = Ok;\nbroken#2 x = Y;\n")
    assert info.value.line_no == 2
