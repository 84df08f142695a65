"""Membership and administration of supergroups and channels (rpc/channels/members.py,
admins.py, participants.py, settings.py, usernames.py, invites.py, join_requests.py),
called as handlers against both storage backends: the decisions and refusals by
Telegram's error names, and what they store. The updates they publish are the updates
engine's (tests/rpc/test_updates_engine.py); end to end: tests/e2e/test_channel_admin.py."""

from __future__ import annotations

import types

import pytest

from rpc.account.profile import check_username as account_check_username
from rpc.channels import admins, invites, join_requests, members, participants, settings, usernames
from rpc.channels.participants_view import participants_hash
from rpc.chats.groups import check_chat_invite, export_chat_invite, get_exported_chat_invites, import_chat_invite
from rpc.contacts.contacts import resolve_username, search
from rpc.errors import RpcError
from tl import functions as F, types as T

from .test_channels import NOW, users


def ctx_of(storage, user_id, layer=229):
    services = types.SimpleNamespace(storage=storage, bus=None)
    return types.SimpleNamespace(services=services, user_id=user_id, layer=layer, auth_key_id=user_id, session_id=1)


async def new_channel(storage, creator, *others, megagroup=True, username=None):
    channel = (await storage.channels.create(creator, "Club", date=NOW, megagroup=megagroup,
                                             broadcast=not megagroup)).channel
    for user in others:
        await storage.channel_participants.add(channel.id, user, inviter_id=creator, date=NOW)
    if username:
        await storage.channels.set_username(channel.id, username)
    return channel


def ic(channel):
    return T.InputChannel(channel_id=channel.id, access_hash=channel.access_hash)


def ip(channel):
    return T.InputPeerChannel(channel_id=channel.id, access_hash=channel.access_hash)


async def iu(storage, user_id):
    record = await storage.users.get(user_id)
    return T.InputUser(user_id=user_id, access_hash=record.access_hash)


async def refused(name, call):
    with pytest.raises(RpcError) as caught:
        await call
    assert caught.value.message == name


def actions(updates):
    return [type(u.message.action).__name__ for u in updates.updates if isinstance(u, T.UpdateNewChannelMessage)]


async def role(storage, channel, user_id):
    row = await storage.channel_participants.get(channel.id, user_id)
    return None if row is None else row.role


KICK = T.ChatBannedRights(view_messages=True, until_date=0)


async def test_inviting_respects_rights_privacy_and_bans(storage):
    a, b, c, d = await users(storage, "Ann", "Bob", "Cid", "Dan")
    group = await new_channel(storage, a, b)
    # A member of a supergroup invites; the supergroup shows it.
    added = await members.invite_to_channel(F.channels.InviteToChannel(channel=ic(group), users=[
        await iu(storage, c)]), ctx_of(storage, b))
    assert actions(added.updates) == ["MessageActionChatAddUser"] and added.missing_invitees == []
    assert added.updates.updates[0].message.action.users == [c]
    await refused("USER_ALREADY_PARTICIPANT", members.invite_to_channel(
        F.channels.InviteToChannel(channel=ic(group), users=[await iu(storage, c)]), ctx_of(storage, b)))
    # Dan allows nobody to invite him: listed as missing (layer 229), refused (layer 170).
    await storage.privacy.set(d, "chat_invite", [{"_": "privacyValueDisallowAll"}])
    missing = await members.invite_to_channel(F.channels.InviteToChannel(channel=ic(group), users=[
        await iu(storage, d)]), ctx_of(storage, b))
    assert [m.user_id for m in missing.missing_invitees] == [d] and await role(storage, group, d) is None
    await refused("USER_PRIVACY_RESTRICTED", members.invite_to_channel(F.channels.InviteToChannel(
        channel=ic(group), users=[await iu(storage, d)]), ctx_of(storage, b, layer=170)))
    # A kicked user comes back only through an admin who may ban (the ban is lifted).
    await admins.edit_banned(F.channels.EditBanned(channel=ic(group), participant=T.InputPeerUser(
        user_id=c, access_hash=(await storage.users.get(c)).access_hash), banned_rights=KICK), ctx_of(storage, a))
    await refused("USER_KICKED", members.invite_to_channel(F.channels.InviteToChannel(
        channel=ic(group), users=[await iu(storage, c)]), ctx_of(storage, b)))
    await members.invite_to_channel(F.channels.InviteToChannel(channel=ic(group), users=[await iu(storage, c)]),
                                    ctx_of(storage, a))
    assert await role(storage, group, c) == "member"
    # In a broadcast channel only admins invite, and nothing is posted.
    news = await new_channel(storage, a, b, megagroup=False)
    await refused("CHAT_ADMIN_REQUIRED", members.invite_to_channel(F.channels.InviteToChannel(
        channel=ic(news), users=[await iu(storage, c)]), ctx_of(storage, b)))
    quiet = await members.invite_to_channel(F.channels.InviteToChannel(channel=ic(news), users=[
        await iu(storage, c)]), ctx_of(storage, a))
    assert actions(quiet.updates) == [] and isinstance(quiet.updates.updates[0], T.UpdateChannel)


async def test_joining_and_leaving(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    public = await new_channel(storage, a, username="open_club")
    private = await new_channel(storage, a)
    joined = await members.join_channel(F.channels.JoinChannel(channel=ic(public)), ctx_of(storage, b))
    assert actions(joined.updates) == ["MessageActionChatAddUser"]
    assert joined.updates.chats[0].participants_count == 2 and not joined.updates.chats[0].left
    await refused("USER_ALREADY_PARTICIPANT", members.join_channel(F.channels.JoinChannel(channel=ic(public)),
                                                                   ctx_of(storage, b)))
    await refused("CHANNEL_PRIVATE", members.join_channel(F.channels.JoinChannel(channel=ic(private)),
                                                          ctx_of(storage, b)))
    left = await members.leave_channel(F.channels.LeaveChannel(channel=ic(public)), ctx_of(storage, b))
    assert left.chats[0].left and await role(storage, public, b) == "left"
    history, _ = await storage.channel_messages.history(public.id, limit=1)
    assert history[0].action == {"_": "messageActionChatDeleteUser", "user_id": b}
    await refused("USER_NOT_PARTICIPANT", members.leave_channel(F.channels.LeaveChannel(channel=ic(public)),
                                                                ctx_of(storage, b)))
    # The creator may leave, and come back even to a private channel.
    await members.leave_channel(F.channels.LeaveChannel(channel=ic(private)), ctx_of(storage, a))
    await members.join_channel(F.channels.JoinChannel(channel=ic(private)), ctx_of(storage, a))
    assert await role(storage, private, a) == "creator"


async def test_banning_and_promoting(storage):
    a, b, c, d = await users(storage, "Ann", "Bob", "Cid", "Dan")
    group = await new_channel(storage, a, b, c, d)
    peer_of = {u: T.InputPeerUser(user_id=u, access_hash=(await storage.users.get(u)).access_hash)
               for u in (a, b, c, d)}
    await refused("CHAT_ADMIN_REQUIRED", admins.edit_banned(F.channels.EditBanned(
        channel=ic(group), participant=peer_of[c], banned_rights=KICK), ctx_of(storage, b)))
    # Ann makes Bob an admin who may ban and add admins; Bob cannot give what he lacks.
    rights = T.ChatAdminRights(ban_users=True, add_admins=True)
    promoted = await admins.edit_admin(F.channels.EditAdmin(channel=ic(group), user_id=await iu(storage, b),
                                                            admin_rights=rights, rank="mod"), ctx_of(storage, a))
    assert isinstance(promoted.updates[0], T.UpdateChannel)
    bob = await storage.channel_participants.get(group.id, b)
    assert (bob.role, bob.rank, bob.promoted_by) == ("admin", "mod", a)
    await refused("RIGHT_FORBIDDEN", admins.edit_admin(F.channels.EditAdmin(
        channel=ic(group), user_id=await iu(storage, c), admin_rights=T.ChatAdminRights(change_info=True), rank=""),
        ctx_of(storage, b)))
    await refused("ADMIN_RANK_INVALID", admins.edit_admin(F.channels.EditAdmin(
        channel=ic(group), user_id=await iu(storage, c), admin_rights=rights, rank="x" * 17), ctx_of(storage, a)))
    # Bob bans Cid (a kick: the supergroup says so) and restricts Dan for an hour.
    kicked = await admins.edit_banned(F.channels.EditBanned(channel=ic(group), participant=peer_of[c],
                                                            banned_rights=KICK), ctx_of(storage, b))
    assert actions(kicked) == ["MessageActionChatDeleteUser"] and await role(storage, group, c) == "kicked"
    await refused("CHANNEL_PRIVATE", participants.get_participant(F.channels.GetParticipant(
        channel=ic(group), participant=T.InputPeerSelf()), ctx_of(storage, c)))
    mute = T.ChatBannedRights(send_messages=True, until_date=NOW * 2)
    await admins.edit_banned(F.channels.EditBanned(channel=ic(group), participant=peer_of[d], banned_rights=mute),
                             ctx_of(storage, b))
    dan = await storage.channel_participants.get(group.id, d)
    assert (dan.role, dan.banned_until) == ("restricted", 0)  # too far ahead: forever
    # Nobody bans the creator, nor an admin someone else promoted.
    await refused("USER_ADMIN_INVALID", admins.edit_banned(F.channels.EditBanned(
        channel=ic(group), participant=peer_of[a], banned_rights=KICK), ctx_of(storage, b)))
    await admins.edit_admin(F.channels.EditAdmin(channel=ic(group), user_id=await iu(storage, d),
                                                 admin_rights=T.ChatAdminRights(ban_users=True), rank=""),
                            ctx_of(storage, a))
    await refused("USER_ADMIN_INVALID", admins.edit_banned(F.channels.EditBanned(
        channel=ic(group), participant=peer_of[d], banned_rights=KICK), ctx_of(storage, b)))
    # Unbanning lets Cid back in as a former member.
    await admins.edit_banned(F.channels.EditBanned(channel=ic(group), participant=peer_of[c],
                                                   banned_rights=T.ChatBannedRights(until_date=0)),
                             ctx_of(storage, b))
    assert await role(storage, group, c) == "left"
    # Passing the channel on needs a 2FA password.
    await refused("PASSWORD_MISSING", admins.edit_chat_creator(F.messages.EditChatCreator(
        peer=ip(group), user_id=await iu(storage, b), password=T.InputCheckPasswordEmpty()), ctx_of(storage, a)))
    await refused("CHAT_ADMIN_REQUIRED", admins.edit_chat_creator(F.messages.EditChatCreator(
        peer=ip(group), user_id=await iu(storage, a), password=T.InputCheckPasswordEmpty()), ctx_of(storage, b)))


async def test_listing_participants(storage):
    a, b, c = await users(storage, "Ann Admin", "Bob Brown", "Cid Brown")
    group = await new_channel(storage, a, b, c)
    listed = await participants.get_participants(F.channels.GetParticipants(
        channel=ic(group), filter=T.ChannelParticipantsRecent(), offset=0, limit=10, hash=0), ctx_of(storage, b))
    assert listed.count == 3 and {type(p).__name__ for p in listed.participants} == {
        "ChannelParticipantCreator", "ChannelParticipantSelf", "ChannelParticipant"}
    same = participants_hash(p.user_id for p in listed.participants)
    again = await participants.get_participants(F.channels.GetParticipants(
        channel=ic(group), filter=T.ChannelParticipantsRecent(), offset=0, limit=10, hash=same), ctx_of(storage, b))
    assert isinstance(again, T.channels.ChannelParticipantsNotModified)
    found = await participants.get_participants(F.channels.GetParticipants(
        channel=ic(group), filter=T.ChannelParticipantsSearch(q="brown"), offset=0, limit=10, hash=0),
        ctx_of(storage, a))
    assert sorted(p.user_id for p in found.participants) == [b, c]
    admins_only = await participants.get_participants(F.channels.GetParticipants(
        channel=ic(group), filter=T.ChannelParticipantsAdmins(), offset=0, limit=10, hash=0), ctx_of(storage, b))
    assert [p.user_id for p in admins_only.participants] == [a]
    await refused("CHAT_ADMIN_REQUIRED", participants.get_participants(F.channels.GetParticipants(
        channel=ic(group), filter=T.ChannelParticipantsKicked(q=""), offset=0, limit=10, hash=0), ctx_of(storage, b)))
    mine = await participants.get_participant(F.channels.GetParticipant(channel=ic(group),
                                                                        participant=T.InputPeerSelf()),
                                              ctx_of(storage, b))
    assert mine.participant == T.ChannelParticipantSelf(user_id=b, inviter_id=a, date=NOW)
    # A broadcast channel's subscribers are for its admins to list.
    news = await new_channel(storage, a, b, megagroup=False)
    await refused("CHAT_ADMIN_REQUIRED", participants.get_participants(F.channels.GetParticipants(
        channel=ic(news), filter=T.ChannelParticipantsRecent(), offset=0, limit=10, hash=0), ctx_of(storage, b)))


async def test_settings(storage):
    a, b = await users(storage, "Ann", "Bob")
    group = await new_channel(storage, a, b)
    await refused("SECONDS_INVALID", settings.toggle_slow_mode(F.channels.ToggleSlowMode(channel=ic(group),
                                                                                         seconds=7), ctx_of(storage, a)))
    slow = await settings.toggle_slow_mode(F.channels.ToggleSlowMode(channel=ic(group), seconds=30),
                                           ctx_of(storage, a))
    assert slow.chats[0].slowmode_enabled
    await refused("CHAT_NOT_MODIFIED", settings.toggle_slow_mode(F.channels.ToggleSlowMode(channel=ic(group),
                                                                                           seconds=30),
                                                                 ctx_of(storage, a)))
    await refused("CHAT_ADMIN_REQUIRED", settings.toggle_slow_mode(F.channels.ToggleSlowMode(channel=ic(group),
                                                                                             seconds=0),
                                                                   ctx_of(storage, b)))
    await refused("CHANNEL_INVALID", settings.toggle_signatures(F.channels.ToggleSignatures(
        channel=ic(group), signatures_enabled=True), ctx_of(storage, a)))
    # Members of a supergroup change its title unless the default rights forbid it.
    renamed = await settings.edit_title(F.channels.EditTitle(channel=ic(group), title="New"), ctx_of(storage, b))
    assert actions(renamed) == ["MessageActionChatEditTitle"] and renamed.chats[0].title == "New"
    await refused("CHAT_NOT_MODIFIED", settings.edit_title(F.channels.EditTitle(channel=ic(group), title="New"),
                                                           ctx_of(storage, b)))
    defaults = await settings.edit_chat_default_banned_rights(F.messages.EditChatDefaultBannedRights(
        peer=ip(group), banned_rights=T.ChatBannedRights(change_info=True, until_date=0)), ctx_of(storage, a))
    assert defaults.chats[0].default_banned_rights.change_info
    await refused("CHAT_ADMIN_REQUIRED", settings.edit_title(F.channels.EditTitle(channel=ic(group), title="Mine"),
                                                             ctx_of(storage, b)))
    assert await settings.edit_chat_about(F.messages.EditChatAbout(peer=ip(group), about="about us"),
                                          ctx_of(storage, a))
    await refused("CHAT_ABOUT_NOT_MODIFIED", settings.edit_chat_about(F.messages.EditChatAbout(
        peer=ip(group), about="about us"), ctx_of(storage, a)))
    await refused("CHAT_ABOUT_TOO_LONG", settings.edit_chat_about(F.messages.EditChatAbout(
        peer=ip(group), about="x" * 256), ctx_of(storage, a)))
    await refused("METHOD_NOT_IMPLEMENTED", settings.edit_chat_about(F.messages.EditChatAbout(
        peer=T.InputPeerChat(chat_id=1), about="x"), ctx_of(storage, a)))
    hidden = await settings.toggle_pre_history_hidden(F.channels.TogglePreHistoryHidden(channel=ic(group),
                                                                                        enabled=True),
                                                      ctx_of(storage, a))
    assert isinstance(hidden.updates[0], T.UpdateChannel)
    await refused("CHAT_ADMIN_REQUIRED", settings.delete_channel(F.channels.DeleteChannel(channel=ic(group)),
                                                                 ctx_of(storage, b)))
    gone = await settings.delete_channel(F.channels.DeleteChannel(channel=ic(group)), ctx_of(storage, a))
    assert isinstance(gone.chats[0], T.ChannelForbidden)
    await refused("CHANNEL_INVALID", participants.get_participant(F.channels.GetParticipant(
        channel=ic(group), participant=T.InputPeerSelf()), ctx_of(storage, a)))


async def test_usernames_are_shared_with_users(storage):
    a, b = await users(storage, "Ann", "Bob")
    group = await new_channel(storage, a, b)
    await storage.users.set_username(b, "bob_here")
    assert not await usernames.check_username(F.channels.CheckUsername(channel=ic(group), username="BOB_here"),
                                              ctx_of(storage, a))
    assert await usernames.check_username(F.channels.CheckUsername(channel=ic(group), username="our_club"),
                                          ctx_of(storage, a))
    await refused("USERNAME_INVALID", usernames.check_username(F.channels.CheckUsername(
        channel=T.InputChannelEmpty(), username="x"), ctx_of(storage, a)))
    await refused("CHAT_ADMIN_REQUIRED", usernames.update_username(F.channels.UpdateUsername(
        channel=ic(group), username="our_club"), ctx_of(storage, b)))
    await refused("USERNAME_OCCUPIED", usernames.update_username(F.channels.UpdateUsername(
        channel=ic(group), username="Bob_Here"), ctx_of(storage, a)))
    assert await usernames.update_username(F.channels.UpdateUsername(channel=ic(group), username="our_club"),
                                           ctx_of(storage, a))
    await refused("USERNAME_NOT_MODIFIED", usernames.update_username(F.channels.UpdateUsername(
        channel=ic(group), username="our_club"), ctx_of(storage, a)))
    assert not await account_check_username(F.account.CheckUsername(username="OUR_CLUB"), ctx_of(storage, b))
    resolved = await resolve_username(F.contacts.ResolveUsername(username="our_club"), ctx_of(storage, b))
    assert resolved.peer == T.PeerChannel(channel_id=group.id) and resolved.chats[0].username == "our_club"
    found = await search(F.contacts.Search(q="our", limit=10), ctx_of(storage, b))
    assert found.my_results == [T.PeerChannel(channel_id=group.id)] and [c.id for c in found.chats] == [group.id]
    stranger = (await users(storage, "Cid"))[0]
    found = await search(F.contacts.Search(q="club", limit=10), ctx_of(storage, stranger))
    assert found.results == [T.PeerChannel(channel_id=group.id)] and found.chats[0].left


async def test_invite_links_and_join_requests(storage):
    a, b, c, d = await users(storage, "Ann", "Bob", "Cid", "Dan")
    group = await new_channel(storage, a, b)
    await refused("CHAT_ADMIN_REQUIRED", export_chat_invite(F.messages.ExportChatInvite(peer=ip(group)),
                                                            ctx_of(storage, b)))
    link = await export_chat_invite(F.messages.ExportChatInvite(peer=ip(group)), ctx_of(storage, a))
    assert link.permanent and link.link.startswith("https://t.me/+")
    hash = link.link.rsplit("+", 1)[1]
    preview = await check_chat_invite(F.messages.CheckChatInvite(hash=hash), ctx_of(storage, c))
    assert preview.channel and preview.megagroup and preview.participants_count == 2
    joined = await import_chat_invite(F.messages.ImportChatInvite(hash=hash), ctx_of(storage, c))
    assert actions(joined.updates) == ["MessageActionChatJoinedByLink"]
    assert isinstance(await check_chat_invite(F.messages.CheckChatInvite(hash=hash), ctx_of(storage, c)),
                      T.ChatInviteAlready)
    importers = await join_requests.get_chat_invite_importers(F.messages.GetChatInviteImporters(
        peer=ip(group), link=link.link, offset_date=0, offset_user=T.InputUserEmpty(), limit=10), ctx_of(storage, a))
    assert [i.user_id for i in importers.importers] == [c] and importers.importers[0].date
    listed = await get_exported_chat_invites(F.messages.GetExportedChatInvites(
        peer=ip(group), admin_id=T.InputUserSelf(), limit=10), ctx_of(storage, a))
    assert [i.usage for i in listed.invites] == [1]

    # A link that asks the admins first.
    asking = await export_chat_invite(F.messages.ExportChatInvite(peer=ip(group), request_needed=True, title="ask"),
                                      ctx_of(storage, a))
    ask_hash = asking.link.rsplit("+", 1)[1]
    assert (await check_chat_invite(F.messages.CheckChatInvite(hash=ask_hash), ctx_of(storage, d))).request_needed
    await refused("INVITE_REQUEST_SENT", import_chat_invite(F.messages.ImportChatInvite(hash=ask_hash),
                                                            ctx_of(storage, d)))
    pending = await join_requests.get_chat_invite_importers(F.messages.GetChatInviteImporters(
        requested=True, peer=ip(group), offset_date=0, offset_user=T.InputUserEmpty(), limit=10), ctx_of(storage, a))
    assert [(i.user_id, i.requested) for i in pending.importers] == [(d, True)]
    shown = await invites.get_exported_chat_invite(F.messages.GetExportedChatInvite(peer=ip(group), link=asking.link),
                                                   ctx_of(storage, a))
    assert shown.invite.requested == 1
    approved = await join_requests.hide_chat_join_request(F.messages.HideChatJoinRequest(
        approved=True, peer=ip(group), user_id=await iu(storage, d)), ctx_of(storage, a))
    assert actions(approved) == ["MessageActionChatJoinedByRequest"] and await role(storage, group, d) == "member"
    await refused("HIDE_REQUESTER_MISSING", join_requests.hide_chat_join_request(F.messages.HideChatJoinRequest(
        approved=True, peer=ip(group), user_id=await iu(storage, d)), ctx_of(storage, a)))

    # Revoking the primary link makes a new one; only revoked links are deleted.
    await refused("INVITE_REVOKED_MISSING", invites.delete_exported_chat_invite(F.messages.DeleteExportedChatInvite(
        peer=ip(group), link=link.link), ctx_of(storage, a)))
    replaced = await invites.edit_exported_chat_invite(F.messages.EditExportedChatInvite(
        revoked=True, peer=ip(group), link=link.link), ctx_of(storage, a))
    assert replaced.invite.revoked and replaced.new_invite.permanent and replaced.new_invite.link != link.link
    assert await invites.delete_exported_chat_invite(F.messages.DeleteExportedChatInvite(peer=ip(group),
                                                                                         link=link.link),
                                                     ctx_of(storage, a))
    await refused("INVITE_HASH_INVALID", invites.get_exported_chat_invite(F.messages.GetExportedChatInvite(
        peer=ip(group), link=link.link), ctx_of(storage, a)))
    with_admins = await invites.get_admins_with_invites(F.messages.GetAdminsWithInvites(peer=ip(group)),
                                                        ctx_of(storage, a))
    assert [(x.admin_id, x.invites_count) for x in with_admins.admins] == [(a, 2)]


async def test_deleting_what_one_participant_said(storage):
    a, b, c = await users(storage, "Ann", "Bob", "Cid")
    group = await new_channel(storage, a, b, c)
    for i, sender in enumerate((b, c, b)):
        await storage.channel_messages.send(group.id, sender, date=NOW + i, message=f"m{i}")
    bob = T.InputPeerUser(user_id=b, access_hash=(await storage.users.get(b)).access_hash)
    await refused("CHAT_ADMIN_REQUIRED", admins.delete_participant_history(F.channels.DeleteParticipantHistory(
        channel=ic(group), participant=bob), ctx_of(storage, c)))
    affected = await admins.delete_participant_history(F.channels.DeleteParticipantHistory(
        channel=ic(group), participant=bob), ctx_of(storage, a))
    assert (affected.pts_count, affected.offset) == (2, 0)
    left, _ = await storage.channel_messages.history(group.id, limit=10)
    assert [m.message for m in left if m.action is None] == ["m1"]
    again = await admins.delete_participant_history(F.channels.DeleteParticipantHistory(
        channel=ic(group), participant=bob), ctx_of(storage, a))
    assert (again.pts, again.pts_count) == (affected.pts, 0)
    await refused("PARTICIPANT_ID_INVALID", admins.delete_participant_history(F.channels.DeleteParticipantHistory(
        channel=ic(group), participant=ip(group)), ctx_of(storage, a)))
