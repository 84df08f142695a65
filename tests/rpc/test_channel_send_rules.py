"""rpc/channels/send_rules.py and rpc/services/dialog_lists.py: who may post what into a
channel and as whom, and the order dialog lists merge in; pure, no storage."""

import pytest

from rpc.channels.access import ChannelAccess
from rpc.channels.rights import admin_bit, banned_bit
from rpc.channels.send_rules import author_fields, check_can_post, check_media, media_right
from rpc.errors import RpcError
from rpc.services.dialog_lists import _key
from storage.models import ChannelDialogRecord, ChannelParticipantRecord, ChannelRecord, DialogRecord
from storage.peer import Peer

NOW = 1_700_000_000
CHANNEL_ID = 1_000_000_000


def channel(**fields):
    fields.setdefault("megagroup", not fields.get("broadcast"))
    return ChannelRecord(id=CHANNEL_ID, access_hash=1, title="C", creator_id=1, date=NOW, **fields)


def member(role="member", **fields):
    return ChannelParticipantRecord(channel_id=CHANNEL_ID, user_id=2, role=role, date=NOW, **fields)


def refusal(access, **kw) -> str:
    with pytest.raises(RpcError) as info:
        check_can_post(access, NOW, **kw)
    return info.value.message


def test_only_members_post_and_in_a_broadcast_only_admins_who_may():
    assert refusal(ChannelAccess(channel(), None)) == "CHAT_WRITE_FORBIDDEN"
    assert refusal(ChannelAccess(channel(), member("left"))) == "CHAT_WRITE_FORBIDDEN"
    news = channel(broadcast=True)
    assert refusal(ChannelAccess(news, member())) == "CHAT_ADMIN_REQUIRED"
    assert refusal(ChannelAccess(news, member("admin", admin_rights=admin_bit("edit_messages")))) \
        == "CHAT_ADMIN_REQUIRED"
    check_can_post(ChannelAccess(news, member("admin", admin_rights=admin_bit("post_messages"))), NOW)
    check_can_post(ChannelAccess(news, member("creator")), NOW)


def test_a_supergroups_own_and_default_restrictions():
    muted = member("restricted", banned_rights=banned_bit("send_messages"), banned_until=NOW + 60)
    assert refusal(ChannelAccess(channel(), muted)) == "USER_BANNED_IN_CHANNEL"
    expired = member("restricted", banned_rights=banned_bit("send_messages"), banned_until=NOW - 1)
    check_can_post(ChannelAccess(channel(), expired), NOW)
    quiet = channel(default_banned_rights=banned_bit("send_messages"))
    assert refusal(ChannelAccess(quiet, member())) == "CHAT_WRITE_FORBIDDEN"
    check_can_post(ChannelAccess(quiet, member("admin", admin_rights=admin_bit("ban_users"))), NOW)
    no_media = channel(default_banned_rights=banned_bit("send_media"))
    check_can_post(ChannelAccess(no_media, member()), NOW)
    assert refusal(ChannelAccess(no_media, member()), media=True) == "CHAT_SEND_MEDIA_FORBIDDEN"
    no_text = channel(default_banned_rights=banned_bit("send_plain"))
    assert refusal(ChannelAccess(no_text, member())) == "CHAT_SEND_PLAIN_FORBIDDEN"
    check_can_post(ChannelAccess(no_text, member()), NOW, media=True)  # a caption is no plain text


@pytest.mark.parametrize("media, right, error", [
    ({"_": "photo", "photo": {}}, "send_photos", "CHAT_SEND_MEDIA_FORBIDDEN"),
    ({"_": "document", "document": {"attributes": [{"_": "documentAttributeSticker"}]}}, "send_stickers",
     "CHAT_SEND_STICKERS_FORBIDDEN"),
    ({"_": "document", "document": {"attributes": [{"_": "documentAttributeAnimated"},
                                                   {"_": "documentAttributeVideo"}]}}, "send_gifs",
     "CHAT_SEND_GIFS_FORBIDDEN"),
    ({"_": "document", "document": {"attributes": [{"_": "documentAttributeVideo", "round_message": True}]}},
     "send_roundvideos", "CHAT_SEND_MEDIA_FORBIDDEN"),
    ({"_": "document", "document": {"attributes": [{"_": "documentAttributeAudio", "voice": True}]}},
     "send_voices", "CHAT_SEND_MEDIA_FORBIDDEN"),
    ({"_": "document", "document": {"attributes": [{"_": "documentAttributeFilename"}]}}, "send_docs",
     "CHAT_SEND_MEDIA_FORBIDDEN"),
])
def test_each_kind_of_media_has_its_right(media, right, error):
    assert media_right(media) == (right, error)
    check_media(ChannelAccess(channel(), member()), NOW, media)
    with pytest.raises(RpcError) as info:
        check_media(ChannelAccess(channel(default_banned_rights=banned_bit(right)), member()), NOW, media)
    assert info.value.message == error


def test_posts_are_the_channels_signed_and_anonymous_admins_write_as_the_group():
    as_channel = Peer.channel(CHANNEL_ID).key
    assert author_fields(channel(broadcast=True), member("creator"), "Ann") == {"from_id": as_channel,
                                                                               "post_author": None}
    assert author_fields(channel(broadcast=True, signatures=True), member("creator"), "Ann")["post_author"] == "Ann"
    assert author_fields(channel(), member(), "Ben") == {}
    anonymous = member("admin", admin_rights=admin_bit("anonymous") | admin_bit("pin_messages"), rank="Mod")
    assert author_fields(channel(), anonymous, "Ben") == {"from_id": as_channel, "post_author": "Mod"}


def test_dialogs_merge_newest_first_channels_before_box_dialogs_of_the_same_second():
    box = DialogRecord(owner_id=1, peer_id=5, top_message=9, date=NOW)
    older_box = DialogRecord(owner_id=1, peer_id=6, top_message=3, date=NOW - 1)
    chan = ChannelDialogRecord(channel_id=7, top_message=1, date=NOW, read_inbox_max_id=0, read_outbox_max_id=0,
                               unread_count=0, pts=1)
    newer_chan = ChannelDialogRecord(channel_id=8, top_message=1, date=NOW + 1, read_inbox_max_id=0,
                                     read_outbox_max_id=0, unread_count=0, pts=1)
    assert sorted([older_box, box, chan, newer_chan], key=_key) == [newer_chan, chan, box, older_box]
