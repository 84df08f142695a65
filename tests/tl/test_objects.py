"""Objects: equality, repr, dict/JSON form, primitives at their edges."""

import msgspec
import pytest
from hypothesis import given, strategies as st

import tl
from tl import functions as F, types as T


def test_equality_and_repr():
    a = T.User(id=1, first_name="A", self_=True)
    assert a == T.User(id=1, first_name="A", self_=True)
    assert a != T.User(id=2, first_name="A", self_=True)
    assert a != T.Chat(id=1)
    assert repr(a) == "User(self_=True, id=1, first_name='A')"


def test_dict_form_round_trips_through_json():
    msg = T.Message(id=3, peer_id=T.PeerUser(user_id=9), date=5, message="hi",
                    media=T.MessageMediaDocument(document=T.Document(
                        id=1, access_hash=2, file_reference=b"\x00\xffref", date=1, mime_type="a/b", size=10,
                        dc_id=1, attributes=[T.DocumentAttributeFilename(file_name="f.bin")])))
    d = msg.to_dict()
    assert d["_"] == "message" and d["media"]["document"]["file_reference"] == "AP9yZWY="
    back = tl.from_dict(msgspec.json.decode(msgspec.json.encode(d)))
    assert back == msg
    assert T.Message.from_dict(d) == msg
    with pytest.raises(tl.TLEncodeError):
        T.User.from_dict(d)


def test_dict_form_of_requests_and_int128():
    ResPQ = T.ResPQ

    r = ResPQ(nonce=-(2**127), server_nonce=2**127 - 1, pq=b"\x17\xed", server_public_key_fingerprints=[-1])
    assert tl.from_dict(msgspec.json.decode(msgspec.json.encode(r.to_dict()))) == r
    req = F.messages.GetHistory(peer=T.InputPeerSelf(), offset_id=0, offset_date=0, add_offset=0, limit=10,
                                max_id=0, min_id=0, hash=0)
    assert tl.from_dict(req.to_dict()) == req


@given(st.binary(max_size=70000))
def test_bytes_of_any_length_round_trip_with_padding(data):
    doc = T.Document(id=1, access_hash=1, file_reference=data, date=0, mime_type="", size=0, dc_id=1, attributes=[])
    raw = tl.encode(doc)
    assert len(raw) % 4 == 0
    assert tl.decode(raw).file_reference == data


def test_long_length_form_is_used_from_254_bytes():
    from tl.wire import write_bytes

    out = bytearray()
    write_bytes(out, b"x" * 253)
    assert out[0] == 253 and len(out) == 256
    out = bytearray()
    write_bytes(out, b"x" * 254)
    assert out[:4] == b"\xfe\xfe\x00\x00" and len(out) == 4 + 256


def test_results_are_written_as_their_schema_type():
    assert tl.encode_result(F.account.UpdateStatus(offline=True), True) == bytes.fromhex("b5757299")
    ids = tl.encode_result(F.messages.ReceivedMessages(max_id=1), [])
    assert ids == bytes.fromhex("15c4b51c00000000")
    got = tl.encode_result(F.contacts.GetContactIDs(hash=0), [1, -2])
    assert tl.decode_result(F.contacts.GetContactIDs(hash=0), got) == [1, -2]
    wrapped = F.InvokeWithLayer(layer=158, query=F.InitConnection(
        api_id=1, device_model="d", system_version="s", app_version="a", system_lang_code="en",
        lang_pack="", lang_code="en", query=F.help.GetConfig()))
    assert wrapped.RESULT == "X" and wrapped.query.query.RESULT == "Config"
    # A wrapped query's result is written as the innermost method's result type.
    assert tl.encode_result(F.InvokeWithLayer(layer=1, query=F.account.UpdateStatus(offline=True)), False) == \
        bytes.fromhex("379779bc")
