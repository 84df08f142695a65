"""Forum topics without a server: who may create and edit topics (rpc/channels/
topics_rules.py), the reply header a topic's messages carry (messages_view.py), and the
older layers' channels.* topic methods routed as messages.* (rpc/layer_adapters.py)."""

import pytest

import tl
from rpc.channels.access import ChannelAccess
from rpc.channels.messages_view import channel_message
from rpc.channels.rights import admin_bit, banned_bit
from rpc.channels.topics_rules import GENERAL, check_can_create, check_can_edit, icon_color_of
from rpc.errors import RpcError
from rpc.layer_adapters import _pinned_topic, canonical_call
from storage.models import ChannelMessageRecord, ChannelParticipantRecord, ChannelRecord, ForumTopicRecord
from tl import functions as F, types as T

NOW = 1_700_000_000
CHANNEL_ID = 1_000_000_000


def forum(**fields):
    return ChannelRecord(id=CHANNEL_ID, access_hash=1, title="F", creator_id=1, date=NOW, megagroup=True, forum=True,
                         **fields)


def member(user_id=2, role="member", **fields):
    return ChannelParticipantRecord(channel_id=CHANNEL_ID, user_id=user_id, role=role, date=NOW, **fields)


def topic(topic_id=5, from_id=2):
    return ForumTopicRecord(channel_id=CHANNEL_ID, id=topic_id, date=NOW, title="T", icon_color=1, from_id=from_id)


def refused(call, *args, **kw) -> str:
    with pytest.raises(RpcError) as info:
        call(*args, **kw)
    return info.value.message


def test_members_create_topics_unless_the_defaults_forbid_it_admins_always():
    check_can_create(ChannelAccess(forum(), member()), NOW)
    shut = forum(default_banned_rights=banned_bit("manage_topics"))
    assert refused(check_can_create, ChannelAccess(shut, member()), NOW) == "CHAT_ADMIN_REQUIRED"
    check_can_create(ChannelAccess(shut, member(role="admin", admin_rights=admin_bit("manage_topics"))), NOW)
    assert refused(check_can_create, ChannelAccess(forum(), None), NOW) == "CHAT_WRITE_FORBIDDEN"


def test_a_topic_is_edited_by_its_creator_or_a_topic_admin_and_only_general_is_hidden():
    check_can_edit(ChannelAccess(forum(), member(user_id=2)), topic(from_id=2), hidden=False)
    assert refused(check_can_edit, ChannelAccess(forum(), member(user_id=3)), topic(from_id=2),
                   hidden=False) == "CHAT_ADMIN_REQUIRED"
    admin = member(user_id=3, role="admin", admin_rights=admin_bit("manage_topics"))
    check_can_edit(ChannelAccess(forum(), admin), topic(from_id=2), hidden=False)
    check_can_edit(ChannelAccess(forum(), admin), topic(GENERAL, from_id=1), hidden=True)
    assert refused(check_can_edit, ChannelAccess(forum(), admin), topic(), hidden=True) == "TOPIC_ID_INVALID"
    assert refused(check_can_edit, ChannelAccess(forum(), member(user_id=2)), topic(GENERAL, from_id=2),
                   hidden=False) == "CHAT_ADMIN_REQUIRED"  # nobody's own: General


def test_icon_colors_are_the_apps_own():
    assert icon_color_of(0xFFD67E) == 0xFFD67E
    assert icon_color_of(None) == icon_color_of(123) == 0x6FB9F0


def _message(**fields):
    return ChannelMessageRecord(channel_id=CHANNEL_ID, id=9, sender_id=2, from_id=2, date=NOW, message="m", **fields)


def test_a_topics_messages_say_so_in_a_forum_only():
    straight = channel_message(_message(reply_to_msg_id=5, reply_to_top_id=5), forum(), 2).reply_to
    assert (straight.forum_topic, straight.reply_to_msg_id, straight.reply_to_top_id) == (True, 5, None)
    inner = channel_message(_message(reply_to_msg_id=7, reply_to_top_id=5), forum(), 2).reply_to
    assert (inner.forum_topic, inner.reply_to_msg_id, inner.reply_to_top_id) == (True, 7, 5)
    group = ChannelRecord(id=CHANNEL_ID, access_hash=1, title="G", creator_id=1, date=NOW, megagroup=True)
    thread = channel_message(_message(reply_to_msg_id=7, reply_to_top_id=5), group, 2).reply_to
    assert (thread.forum_topic, thread.reply_to_top_id) == (None, 5)
    assert channel_message(_message(), forum(), 2).reply_to is None  # General


def test_older_layers_topic_methods_are_routed_as_todays():
    channel = T.InputChannel(channel_id=7, access_hash=9)
    peer = T.InputPeerChannel(channel_id=7, access_hash=9)
    create = canonical_call(tl.LegacyObject("channels.createForumTopic", 0xF40C0224, {
        "channel": channel, "title": "Bugs", "icon_color": None, "icon_emoji_id": None, "random_id": 4,
        "send_as": None}))
    assert create == F.messages.CreateForumTopic(peer=peer, title="Bugs", random_id=4)
    edit = canonical_call(tl.LegacyObject("channels.editForumTopic", 0xF4DFA185, {
        "channel": peer, "topic_id": 5, "title": None, "icon_emoji_id": None, "closed": True, "hidden": None}))
    assert edit == F.messages.EditForumTopic(peer=peer, topic_id=5, closed=True)
    deleted = canonical_call(tl.LegacyObject("channels.deleteTopicHistory", 0x34435F2D, {
        "channel": channel, "top_msg_id": 5}))
    assert deleted == F.messages.DeleteTopicHistory(peer=peer, top_msg_id=5)
    old = _pinned_topic(T.UpdatePinnedForumTopic(pinned=True, peer=T.PeerChannel(channel_id=7), topic_id=5), 158)
    assert (old.QUALNAME, old.values) == ("updateChannelPinnedTopic", {"pinned": True, "channel_id": 7,
                                                                       "topic_id": 5})
