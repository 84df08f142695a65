"""A channel's admin log (rpc/channels/admin_log.py, admin_log_view.py): the handlers
record what admins did and who came and went; channels.getAdminLog shows it to admins,
selected by filter, actor, words and id, newest first, in layers 229 and 158."""

from __future__ import annotations

import pytest

from rpc.channels.rights import banned_bit
from tl import functions as F, types as T

from .test_channel_handlers import world  # noqa: F401  (the fixture)


def _log(input_channel, *, q="", events_filter=None, admins=None, max_id=0, min_id=0, limit=100):
    return F.channels.GetAdminLog(channel=input_channel, q=q, events_filter=events_filter, admins=admins,
                                  max_id=max_id, min_id=min_id, limit=limit)


def _kinds(result):
    return [type(e.action).__name__.removeprefix("ChannelAdminLogEventAction") for e in result.events]


async def test_admins_read_what_was_done_selected_by_filter_actor_words_and_ids(world):  # noqa: F811
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, "Team", megagroup=True)
    await w.call(w.ann, F.channels.InviteToChannel(channel=input_channel, users=[T.InputUser(
        user_id=w.ben, access_hash=(await w.storage.users.get(w.ben)).access_hash)]))
    await w.join(channel.id, w.cat)
    await w.call(w.ann, F.channels.EditTitle(channel=input_channel, title="Dream Team"))
    said = await w.say(w.ann, peer, "first words")
    await w.call(w.ann, F.messages.EditMessage(peer=peer, id=said.id, message="better words"))
    cat = T.InputPeerUser(user_id=w.cat, access_hash=(await w.storage.users.get(w.cat)).access_hash)
    await w.call(w.ann, F.channels.EditBanned(channel=input_channel, participant=cat,
                                              banned_rights=T.ChatBannedRights(view_messages=True, until_date=0)))
    await w.call(w.ann, F.channels.DeleteMessages(channel=input_channel, id=[said.id]))
    await w.call(w.ben, F.channels.LeaveChannel(channel=input_channel))

    # Ben's own message changes in a supergroup are not admin actions: not logged.
    assert await w.error(w.cat, _log(input_channel)) == "CHANNEL_PRIVATE"  # banned
    everything = await w.call(w.ann, _log(input_channel))
    assert _kinds(everything) == ["ParticipantLeave", "DeleteMessage", "ParticipantToggleBan", "EditMessage",
                                  "ChangeTitle", "ParticipantInvite"]
    leave, delete, ban, edit, title, invite = everything.events
    assert [e.user_id for e in everything.events] == [w.ben, w.ann, w.ann, w.ann, w.ann, w.ann]
    assert (title.action.prev_value, title.action.new_value) == ("Team", "Dream Team")
    assert (edit.action.prev_message.message, edit.action.new_message.message) == ("first words", "better words")
    assert delete.action.message.message == "better words"
    assert isinstance(ban.action.prev_participant, T.ChannelParticipant)
    assert isinstance(ban.action.new_participant, T.ChannelParticipantBanned) and ban.action.new_participant.left
    assert invite.action.participant.user_id == w.ben
    assert {u.id for u in everything.users} == {w.ann, w.ben, w.cat}
    assert [c.id for c in everything.chats] == [channel.id]
    assert everything.events == sorted(everything.events, key=lambda e: -e.id)

    kicks = await w.call(w.ann, _log(input_channel, events_filter=T.ChannelAdminLogEventsFilter(kick=True,
                                                                                                   info=True)))
    assert _kinds(kicks) == ["ParticipantToggleBan", "ChangeTitle"]
    assert _kinds(await w.call(w.ann, _log(input_channel, events_filter=T.ChannelAdminLogEventsFilter(
        ban=True)))) == []  # a kick, not a restriction
    bens = await w.call(w.ann, _log(input_channel, admins=[T.InputUser(
        user_id=w.ben, access_hash=(await w.storage.users.get(w.ben)).access_hash)]))
    assert _kinds(bens) == ["ParticipantLeave"]
    assert _kinds(await w.call(w.ann, _log(input_channel, q="DREAM"))) == ["ChangeTitle"]
    page = await w.call(w.ann, _log(input_channel, max_id=ban.id, limit=2))
    assert [e.id for e in page.events] == [edit.id, title.id]
    assert [e.id for e in (await w.call(w.ann, _log(input_channel, min_id=ban.id))).events] == [leave.id, delete.id]

    old = await w.call(w.ann, _log(input_channel), layer=158)
    assert _kinds(old) == _kinds(everything)


async def test_only_admins_read_the_log_and_settings_are_logged(world):  # noqa: F811
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, "Team", megagroup=True)
    await w.join(channel.id, w.ben)
    assert await w.error(w.ben, _log(input_channel)) == "CHAT_ADMIN_REQUIRED"
    assert await w.error(w.cat, _log(input_channel)) == "CHANNEL_PRIVATE"
    await w.call(w.ann, F.channels.ToggleSlowMode(channel=input_channel, seconds=30))
    await w.call(w.ann, F.channels.TogglePreHistoryHidden(channel=input_channel, enabled=True))
    await w.call(w.ann, F.messages.EditChatDefaultBannedRights(peer=peer, banned_rights=T.ChatBannedRights(
        send_media=True, until_date=0)))
    await w.call(w.ann, F.messages.EditChatAbout(peer=peer, about="About us"))
    settings = await w.call(w.ann, _log(input_channel))
    assert _kinds(settings) == ["ChangeAbout", "DefaultBannedRights", "TogglePreHistoryHidden", "ToggleSlowMode"]
    about, rights, hidden, slow = settings.events
    assert (about.action.prev_value, about.action.new_value) == ("", "About us")
    assert rights.action.new_banned_rights.send_media and not rights.action.prev_banned_rights.send_media
    assert hidden.action.new_value is True
    assert (slow.action.prev_value, slow.action.new_value) == (0, 30)
    assert banned_bit("send_media")  # the flags rendered are the rights module's


async def test_join_requests_are_pushed_to_admins_and_joins_by_link_logged(world):  # noqa: F811
    """updatePendingJoinRequests on the channel's topic, shown to admins who may answer
    requests only; the joins by link and by approved request land in the admin log."""
    from rpc.updates import events as ev
    from rpc.updates.render import render

    w = world
    _, channel, input_channel, peer = await w.create(w.ann, "Team", megagroup=True)
    await w.join(channel.id, w.cat)
    asking = await w.call(w.ann, F.messages.ExportChatInvite(peer=peer, request_needed=True))
    link = await w.call(w.ann, F.messages.ExportChatInvite(peer=peer))
    dan = (await w.storage.users.create("15550000004", "Dan", now=1)).id
    async with w.state.bus.subscribe(f"channel:{channel.id}") as sub:
        assert await w.error(w.ben, F.messages.ImportChatInvite(hash=asking.link.rpartition("+")[2])) == \
            "INVITE_REQUEST_SENT"
        event = ev.decode(await sub.receive())
    assert event == ev.PendingJoinRequests(channel_id=channel.id, sent=event.sent)
    shown = await render(w.storage, w.ann, event)
    [update] = shown.updates
    assert (update.requests_pending, update.recent_requesters) == (1, [w.ben])
    assert [u.id for u in shown.users] == [w.ben]
    assert await render(w.storage, w.cat, event) is None  # a member who may not answer requests

    ben = T.InputUser(user_id=w.ben, access_hash=(await w.storage.users.get(w.ben)).access_hash)
    async with w.state.bus.subscribe(f"channel:{channel.id}") as sub:
        await w.call(w.ann, F.messages.HideChatJoinRequest(peer=peer, user_id=ben, approved=True))
        while not isinstance(event := ev.decode(await sub.receive()), ev.PendingJoinRequests):
            pass  # the join's service message comes first
    assert (await render(w.storage, w.ann, event)).updates[0].requests_pending == 0

    await w.call(dan, F.messages.ImportChatInvite(hash=link.link.rpartition("+")[2]))
    joins = await w.call(w.ann, _log(input_channel, events_filter=T.ChannelAdminLogEventsFilter(join=True)))
    assert _kinds(joins) == ["ParticipantJoinByInvite", "ParticipantJoinByRequest"]
    by_link, by_request = joins.events
    assert (by_link.user_id, by_link.action.invite.link) == (dan, link.link)
    assert (by_request.user_id, by_request.action.approved_by, by_request.action.invite.link) == (
        w.ben, w.ann, asking.link)
