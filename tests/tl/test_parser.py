"""The parser reads every shipped file and every constructor id agrees with its line."""

import zlib

import pytest

from tl.parser import SchemaParseError, compute_id, normalise, parse_file, parse_text
from tools.tlgen.__main__ import SCHEMA_DIR, shipped_layers

# ../shared/schema/README.md: constructors and functions per file.
COUNTS = {158: (1114, 511), 167: (1187, 560), 170: (1207, 569), 190: (1363, 663), 198: (1402, 689),
          214: (1479, 727), 216: (1488, 732), 220: (1526, 749), 222: (1541, 754), 223: (1546, 757),
          224: (1560, 769), 227: (1620, 790), 228: (1644, 807), 229: (1658, 813)}


@pytest.mark.parametrize("layer", sorted(COUNTS))
def test_every_api_layer_parses_with_zero_id_mismatches(layer):
    schema = parse_file(SCHEMA_DIR / f"api-layer-{layer}.tl")
    assert schema.layer == layer
    assert (len(schema.constructors), len(schema.functions)) == COUNTS[layer]
    assert schema.mismatches() == []


def test_shipped_layers_are_all_there():
    assert list(shipped_layers()) == sorted(COUNTS)


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


def test_a_malformed_line_is_reported_with_its_line_number():
    with pytest.raises(SchemaParseError) as info:
        parse_text("ok#1 = Ok;\nbroken#2 x = Y;\n")
    assert info.value.line_no == 2
