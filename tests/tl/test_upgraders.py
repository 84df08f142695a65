"""Old-layer request fields in another shape reach handlers in the canonical one
(rpc/layer_adapters.py), checked on bytes written by Pyrogram's own serializer."""

import pytest

import tl
from tl import functions as F, types as T

pyrogram_raw = pytest.importorskip("pyrogram.raw")
pytestmark = pytest.mark.usefixtures("layer_adapters")


def pyrogram_bytes(obj) -> bytes:
    return obj.write()


def test_layer_158_reply_to_msg_id_becomes_input_reply_to():
    raw = pyrogram_raw.functions.messages.SendMessage(
        peer=pyrogram_raw.types.InputPeerSelf(), message="hi", random_id=7, reply_to_msg_id=42, top_msg_id=3,
        silent=True)
    request = tl.decode(pyrogram_bytes(raw), layer=158)
    assert isinstance(request, F.messages.SendMessage)
    assert (request.message, request.random_id, request.silent) == ("hi", 7, True)
    assert request.reply_to == T.InputReplyToMessage(reply_to_msg_id=42, top_msg_id=3)


def test_layer_158_without_a_reply_has_none():
    raw = pyrogram_raw.functions.messages.SendMessage(peer=pyrogram_raw.types.InputPeerSelf(), message="hi",
                                                      random_id=8)
    assert tl.decode(pyrogram_bytes(raw), layer=158).reply_to is None


def test_layer_158_send_media_reply_is_upgraded_too():
    raw = pyrogram_raw.functions.messages.SendMedia(
        peer=pyrogram_raw.types.InputPeerSelf(), media=pyrogram_raw.types.InputMediaEmpty(), message="",
        random_id=9, reply_to_msg_id=5)
    assert tl.decode(pyrogram_bytes(raw), layer=158).reply_to.reply_to_msg_id == 5
