"""rpc/channels/view.py and access.py: what a viewer sees of a channel, and the errors."""

from rpc.channels import rights
from rpc.channels.view import channel_object
from storage.models import ChannelParticipantRecord, ChannelRecord
from tl import types as T

NOW = 1_700_000_000


def _channel(**fields):
    return ChannelRecord(**{"id": 5, "access_hash": 77, "title": "News", "creator_id": 1, "date": NOW,
                            "megagroup": True, "participants_count": 3, **fields})


def _me(role, **fields):
    return ChannelParticipantRecord(channel_id=5, user_id=2, role=role, date=NOW + 1, **fields)


def test_a_member_sees_the_channel_with_their_rights():
    creator = channel_object(_channel(), _me("creator"))
    assert isinstance(creator, T.Channel) and creator.creator and not creator.left
    assert creator.admin_rights.ban_users and creator.date == NOW + 1
    admin = channel_object(_channel(), _me("admin", admin_rights=rights.admin_bit("pin_messages")))
    assert admin.admin_rights == T.ChatAdminRights(pin_messages=True) and not admin.creator
    muted = channel_object(_channel(), _me("restricted", banned_rights=rights.banned_bit("send_messages")))
    assert muted.banned_rights.send_messages and muted.default_banned_rights is not None


def test_who_sees_it_forbidden():
    assert isinstance(channel_object(_channel(), None), T.ChannelForbidden)  # private, never joined
    assert channel_object(_channel(username="news"), None).left  # public: visible, not joined
    assert channel_object(_channel(), _me("left")).left
    kicked = channel_object(_channel(username="news"), _me("kicked", banned_until=NOW + 60))
    assert isinstance(kicked, T.ChannelForbidden) and kicked.until_date == NOW + 60
    assert isinstance(channel_object(_channel(deactivated=True), _me("creator")), T.ChannelForbidden)
