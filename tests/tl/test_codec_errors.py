"""Bad bytes give the codec's own error, naming what and where; never another exception."""

import gzip
import struct

import pytest
from hypothesis import given, settings, strategies as st

import tl
from tl import types as T
from tl.wire import GZIP_PACKED_ID, MAX_GZIP_SIZE


def test_unknown_constructor_names_id_offset_and_layer():
    vector_of_unknown = struct.pack("<IiI", 0x1CB5C415, 1, 0xDEADBEEF)
    data = struct.pack("<I", T.Updates.CONSTRUCTOR_ID) + vector_of_unknown
    with pytest.raises(tl.TLDecodeError) as info:
        tl.decode(data, layer=158)
    err = info.value
    assert (err.constructor_id, err.offset, err.layer) == (0xDEADBEEF, 12, 158)
    assert "0xdeadbeef" in str(err) and "offset 12" in str(err) and "layer 158" in str(err)


def test_truncated_object_is_a_decode_error():
    data = tl.encode(T.User(id=1, first_name="Ann", phone="1"))
    for cut in range(len(data)):
        with pytest.raises(tl.TLDecodeError):
            tl.decode(data[:cut])


def test_string_longer_than_the_data_is_a_decode_error():
    data = struct.pack("<I", T.TextPlain.CONSTRUCTOR_ID) + bytes([200]) + b"abc"
    with pytest.raises(tl.TLDecodeError):
        tl.decode(data)


def test_invalid_bool_is_a_decode_error():
    from tl import functions as F

    data = struct.pack("<I", F.account.UpdateStatus.CONSTRUCTOR_ID) + struct.pack("<I", 12345)
    with pytest.raises(tl.TLDecodeError) as info:
        tl.decode(data)
    assert info.value.constructor_id == 12345


def test_gzip_packed_is_read_transparently():
    inner = tl.encode(T.User(id=5, first_name="x" * 500))
    packed = gzip.compress(inner)
    data = struct.pack("<I", GZIP_PACKED_ID) + bytes([254]) + len(packed).to_bytes(3, "little") + packed
    data += b"\0" * (-len(data) & 3)
    assert tl.decode(data) == T.User(id=5, first_name="x" * 500)


def test_gzip_bomb_is_refused():
    packed = gzip.compress(b"\0" * (MAX_GZIP_SIZE + 4096))
    data = struct.pack("<I", GZIP_PACKED_ID) + bytes([254]) + len(packed).to_bytes(3, "little") + packed
    data += b"\0" * (-len(data) & 3)
    with pytest.raises(tl.TLDecodeError):
        tl.decode(data)


def test_deep_nesting_is_a_decode_error_not_a_crash():
    from tl import functions as F

    head = struct.pack("<Ii", F.InvokeWithLayer.CONSTRUCTOR_ID, 1)
    with pytest.raises(tl.TLDecodeError):
        tl.decode(head * 5000 + struct.pack("<I", F.help.GetConfig.CONSTRUCTOR_ID))


def test_encoding_a_missing_required_field_is_an_encode_error():
    with pytest.raises(tl.TLEncodeError):
        tl.encode(T.User(first_name="no id"))
    with pytest.raises(tl.TLEncodeError):
        tl.encode(T.UserStatusOnline(expires=2**40))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200), layer=st.sampled_from(tl.SHIPPED_LAYERS))
def test_random_bytes_never_raise_anything_but_codec_errors(data, layer):
    try:
        tl.decode(data, layer)
    except tl.TLDecodeError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=4, max_size=300))
def test_random_tails_after_a_valid_id_never_raise_anything_but_codec_errors(tail):
    for cls in (T.Message, T.User, T.messages.Messages, T.Updates):
        try:
            tl.decode(struct.pack("<I", cls.CONSTRUCTOR_ID) + tail)
        except tl.TLDecodeError:
            pass
