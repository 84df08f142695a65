"""rpc/channels/admin_rules.py: who may act on whom in a channel, without storage; and
the older layers' shapes of the membership methods (rpc/layer_adapters.py)."""

import types

import pytest

import tl
from rpc.channels import admin_rules as rules
from rpc.channels.links import link_hash
from rpc.channels.participants_view import participant_object, participants_hash
from rpc.channels.rights import admin_bit, banned_bit
from rpc.layer_adapters import canonical_call
from tl import functions as F, types as T

NOW = 1_700_000_000


def row(role, user_id=1, admin_rights=0, promoted_by=None, banned_rights=0, banned_until=0, inviter_id=None):
    return types.SimpleNamespace(role=role, user_id=user_id, admin_rights=admin_rights, promoted_by=promoted_by,
                                 banned_rights=banned_rights, banned_until=banned_until, inviter_id=inviter_id,
                                 is_member=role in ("creator", "admin", "member", "restricted"), date=NOW, rank=None,
                                 kicked_by=None)


def channel(megagroup=True, default_banned_rights=0):
    return types.SimpleNamespace(megagroup=megagroup, broadcast=not megagroup, creator_id=1,
                                 default_banned_rights=default_banned_rights)


def test_members_of_a_supergroup_invite_unless_forbidden_and_only_admins_in_a_broadcast():
    member = row("member", 5)
    assert rules.can_invite(member, channel(), NOW)
    assert not rules.can_invite(member, channel(default_banned_rights=banned_bit("invite_users")), NOW)
    muted = row("restricted", 5, banned_rights=banned_bit("invite_users"), banned_until=NOW + 60)
    assert not rules.can_invite(muted, channel(), NOW) and rules.can_invite(muted, channel(), NOW + 61)
    assert not rules.can_invite(member, channel(megagroup=False), NOW)
    inviter = row("admin", 6, admin_rights=admin_bit("invite_users"))
    assert rules.can_invite(inviter, channel(megagroup=False, default_banned_rights=banned_bit("invite_users")), NOW)
    assert not rules.can_change_info(inviter, channel(megagroup=False), NOW)
    assert not rules.can_invite(None, channel(), NOW) and not rules.can_invite(row("left", 5), channel(), NOW)


def test_admins_act_only_on_members_and_on_admins_they_promoted():
    creator, admin = row("creator", 1), row("admin", 2, admin_rights=admin_bit("ban_users"), promoted_by=1)
    theirs = row("admin", 3, promoted_by=2)
    others = row("admin", 4, promoted_by=1)
    assert rules.can_manage(admin, row("member", 9)) and rules.can_manage(admin, None)
    assert rules.can_manage(admin, theirs) and not rules.can_manage(admin, others)
    assert rules.can_manage(creator, others) and not rules.can_manage(creator, creator)
    assert rules.can_edit_admin(creator, others) and rules.can_edit_admin(admin, theirs)
    assert not rules.can_edit_admin(admin, others) and not rules.can_edit_admin(admin, admin)


def test_an_admin_grants_only_the_rights_they_hold():
    admin = row("admin", 2, admin_rights=admin_bit("ban_users") | admin_bit("add_admins"))
    assert rules.grantable(admin, admin_bit("ban_users"))
    assert not rules.grantable(admin, admin_bit("ban_users") | admin_bit("change_info"))
    assert rules.grantable(row("creator"), admin_bit("change_info"))


@pytest.mark.parametrize("until, stored", [(0, 0), (None, 0), (NOW + 10, 0), (NOW + 400 * 86400, 0),
                                           (NOW + 3600, NOW + 3600)])
def test_short_or_very_long_restrictions_are_forever(until, stored):
    assert rules.ban_until(until, NOW) == stored


def test_participants_show_by_role_to_their_viewer():
    ch = types.SimpleNamespace(broadcast=False, creator_id=1)
    me = row("member", 5, inviter_id=1)
    assert participant_object(me, ch, me, 5) == T.ChannelParticipantSelf(user_id=5, inviter_id=1, date=NOW)
    assert participant_object(me, ch, me, 6) == T.ChannelParticipant(user_id=5, date=NOW)
    kicked = participant_object(row("kicked", 7, banned_rights=1), ch, me, 5)
    assert kicked.left and kicked.peer == T.PeerUser(user_id=7) and kicked.banned_rights.view_messages
    assert isinstance(participant_object(row("left", 8), ch, me, 5), T.ChannelParticipantLeft)
    creator = participant_object(row("creator", 1), ch, me, 5)
    assert creator.admin_rights.ban_users and creator.admin_rights.pin_messages  # a supergroup's creator rights
    assert participants_hash([1, 2]) != participants_hash([2, 1])  # the order returned counts


def test_invite_links_are_read_in_every_form():
    assert link_hash("https://t.me/+AbC") == link_hash("t.me/joinchat/AbC") == link_hash(" AbC ") == "AbC"


def test_older_layers_shapes_of_the_membership_methods(layer_adapters):
    # Layer 158's channels.editCreator arrives as a legacy object and is routed as
    # messages.editChatCreator.
    legacy = tl.LegacyObject("channels.editCreator", 0x8F38CD1F, {
        "channel": T.InputChannel(channel_id=5, access_hash=7), "user_id": T.InputUserSelf(),
        "password": T.InputCheckPasswordEmpty()})
    call = canonical_call(legacy)
    assert call == F.messages.EditChatCreator(peer=T.InputPeerChannel(channel_id=5, access_hash=7),
                                              user_id=T.InputUserSelf(), password=T.InputCheckPasswordEmpty())
    sent = F.channels.EditBanned(channel=T.InputChannel(channel_id=1, access_hash=2),
                                 participant=T.InputPeerSelf(), banned_rights=T.ChatBannedRights(until_date=0))
    assert canonical_call(sent) is sent
    # Layer 158's toggleSignatures(enabled) becomes signatures_enabled.
    old = tl.decode(bytes.fromhex("06b6691f") + tl.encode(T.InputChannel(channel_id=1, access_hash=2))
                    + tl.encode(True), layer=158)
    assert old.signatures_enabled is True
    # inviteToChannel and joinChannel answer the Updates alone in older layers.
    updates = T.Updates(updates=[], users=[], chats=[], date=NOW, seq=0)
    invited = T.messages.InvitedUsers(updates=updates, missing_invitees=[])
    request = F.channels.InviteToChannel(channel=T.InputChannelEmpty(), users=[])
    assert tl.encode_result(request, invited, 170) == tl.encode(updates)
    # Those whose privacy kept them out are updateGroupInvitePrivacyForbidden there.
    refused = T.messages.InvitedUsers(updates=updates, missing_invitees=[T.MissingInvitee(user_id=42)])
    back = tl.decode_result(request, tl.encode_result(request, refused, 170), 170)
    assert [(u.QUALNAME, u.values) for u in back.updates] == [("updateGroupInvitePrivacyForbidden", {"user_id": 42})]
    joined = T.messages.ChatInviteJoinResultOk(updates=updates)
    assert tl.encode_result(F.channels.JoinChannel(channel=T.InputChannelEmpty()), joined, 224) == tl.encode(updates)
    assert tl.encode_result(F.channels.JoinChannel(channel=T.InputChannelEmpty()), joined, 229) == tl.encode(joined)
