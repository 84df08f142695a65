"""The same canonical objects written for the oldest and newest layers and read back."""

import pytest

import tl
from tl import functions as F, types as T

OLDEST, NEWEST = tl.SHIPPED_LAYERS[0], tl.SHIPPED_LAYERS[-1]


def a_user():
    return T.User(id=42, access_hash=-7, first_name="Ann", last_name="Lee", username="ann", phone="15550001",
                  status=T.UserStatusOnline(expires=1700000000), contact=True, premium=True,
                  # Newer than layer 158: dropped there.
                  bot_verification_icon=99, send_paid_messages_stars=5)


def a_message():
    return T.Message(id=7, peer_id=T.PeerUser(user_id=42), from_id=T.PeerUser(user_id=1), date=1700000000,
                     message="hello", out=True, entities=[T.MessageEntityBold(offset=0, length=5)],
                     reply_to=T.MessageReplyHeader(reply_to_msg_id=3), effect=123, paid_message_stars=10)


def test_served_layers():
    assert tl.serving_layer(NEWEST + 3) == NEWEST and tl.serving_layer(NEWEST) == NEWEST == tl.LAYER
    assert tl.serving_layer(160) == 158 and tl.serving_layer(221) == 220 and tl.serving_layer(100) == 158


@pytest.mark.parametrize("layer", [OLDEST, NEWEST])
def test_user_keeps_what_the_layer_knows(layer):
    data = tl.encode(a_user(), layer)
    back = tl.decode(data, layer)
    assert (back.id, back.access_hash, back.first_name, back.username, back.phone, back.contact, back.premium) == \
        (42, -7, "Ann", "ann", "15550001", True, True)
    assert back.status == T.UserStatusOnline(expires=1700000000)
    if layer == OLDEST:
        assert data[:4] != tl.encode(a_user())[:4]  # layer 158's own user#... constructor
        assert back.bot_verification_icon is None and back.send_paid_messages_stars is None
    else:
        assert back == a_user()


@pytest.mark.parametrize("layer", [OLDEST, NEWEST])
def test_message_keeps_what_the_layer_knows(layer):
    back = tl.decode(tl.encode(a_message(), layer), layer)
    assert (back.id, back.message, back.out, back.date) == (7, "hello", True, 1700000000)
    assert back.entities == [T.MessageEntityBold(offset=0, length=5)]
    assert back.reply_to.reply_to_msg_id == 3
    if layer == OLDEST:
        assert back.effect is None and back.paid_message_stars is None
    else:
        assert back == a_message()


@pytest.mark.parametrize("layer", [OLDEST, NEWEST])
def test_chat_channel_and_updates(layer):
    chat = T.Chat(id=5, title="g", photo=T.ChatPhotoEmpty(), participants_count=3, date=1, version=1)
    channel = T.Channel(id=6, title="c", photo=T.ChatPhotoEmpty(), date=2, access_hash=9, megagroup=True, username="cc")
    updates = T.Updates(updates=[T.UpdateNewMessage(message=a_message(), pts=10, pts_count=1)],
                        users=[a_user()], chats=[chat, channel], date=3, seq=0)
    back = tl.decode(tl.encode(updates, layer), layer)
    assert back.chats[0] == chat
    assert (back.chats[1].id, back.chats[1].title, back.chats[1].megagroup, back.chats[1].username) == (6, "c", True, "cc")
    assert back.updates[0].pts == 10 and back.updates[0].message.message == "hello"
    assert back.users[0].first_name == "Ann"


def test_requests_from_an_old_client_decode_to_canonical_requests():
    req = F.messages.SendMessage(peer=T.InputPeerSelf(), message="hi", random_id=1, no_webpage=True,
                                 effect=5)  # `effect` is newer than 158
    back = tl.decode(tl.encode(req, OLDEST), OLDEST)
    assert isinstance(back, F.messages.SendMessage)
    assert (back.message, back.random_id, back.no_webpage, back.effect) == ("hi", 1, True, None)


def test_a_predicate_the_layer_lacks_is_refused_unless_a_fallback_is_registered():
    media = T.MessageMediaPaidMedia(stars_amount=5, extended_media=[])
    msg = T.Message(id=1, peer_id=T.PeerUser(user_id=1), date=1, message="", media=media)
    with pytest.raises(tl.LayerMismatchError) as info:
        tl.encode(msg, OLDEST)
    assert info.value.predicate == "messageMediaPaidMedia" and info.value.layer == OLDEST
    tl.register_fallback("MessageMedia", lambda obj, layer: T.MessageMediaUnsupported())
    try:
        back = tl.decode(tl.encode(msg, OLDEST), OLDEST)
        assert back.media == T.MessageMediaUnsupported()
        # The canonical layer is untouched by fallbacks.
        assert tl.decode(tl.encode(msg)).media == media
    finally:
        tl.unregister_fallback("MessageMedia")


def test_a_method_removed_since_an_old_layer_decodes_as_a_legacy_object():
    import random

    from .tlrandom import RandomTL, layer_schema

    removed = next(c for c in layer_schema(OLDEST).functions if c.predicate not in tl.tlobject.REGISTRY)
    data = RandomTL(random.Random(1), OLDEST).combinator(removed)
    obj = tl.decode(data, OLDEST)
    assert isinstance(obj, tl.LegacyObject) and obj.QUALNAME == removed.predicate
    assert tl.encode(obj, OLDEST) == data
    with pytest.raises(tl.LayerMismatchError):
        tl.encode(obj)


def test_results_follow_the_result_type_of_the_clients_layer():
    # messages.getDialogFilters returned Vector<DialogFilter> before layer 17x.
    request = F.messages.GetDialogFilters()
    result = T.messages.DialogFilters(filters=[], tags_enabled=True)
    tl.register_result_adapter("messages.getDialogFilters", lambda r, layer: r.filters)
    assert tl.encode_result(request, result, OLDEST) == bytes.fromhex("15c4b51c00000000")
    assert tl.decode(tl.encode_result(request, result, NEWEST)) == result
    # A result type that did not change is written as the canonical one says.
    assert tl.encode_result(F.help.GetNearestDc(), T.NearestDc(country="", this_dc=1, nearest_dc=1), OLDEST) == \
        tl.encode(T.NearestDc(country="", this_dc=1, nearest_dc=1))
