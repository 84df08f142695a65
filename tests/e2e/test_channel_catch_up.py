"""Catching up with a busy supergroup, and its admin log, with unmodified Telethon
(layer 229), as issue 11 asks:

- A creates a supergroup with B and C in it; B goes offline while A posts 300 messages,
  edits 5 and deletes 5; B then asks updates.getChannelDifference itself, 100 updates at
  a time, and gets every surviving message once (edited ones as edited), every
  deletion, nothing twice, in slices (final unset until the last), ending at the
  channel's pts.
- Half-way through, A bans C (view_messages): C gets nothing more, sees the channel as
  channelForbidden, and getChannelDifference answers CHANNEL_PRIVATE.
- A's admin log (channels.getAdminLog) shows the title change, the ban and the edits.
"""

import asyncio

import pytest

from .test_channel_admin import create_channel
from .test_groups import input_user, listen, nothing_arrives, three

POSTS = 300
EDITED = (3, 60, 149, 201, 280)  # indexes of the posts A edits while B is away
DELETED = (7, 99, 150, 222, 299)  # and deletes
BANNED_AFTER = 150  # C is banned once this many are posted
SLICE = 100


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


async def channel_pts(client, group):
    from telethon import functions

    return (await client(functions.channels.GetFullChannelRequest(group))).full_chat.pts


async def catch_up(client, group, pts):
    """Every answer of getChannelDifference from `pts` on until it says final."""
    from telethon import functions, types

    answers = []
    while True:
        answer = await client(functions.updates.GetChannelDifferenceRequest(
            channel=group, filter=types.ChannelMessagesFilterEmpty(), pts=pts, limit=SLICE, force=True))
        answers.append(answer)
        assert not isinstance(answer, types.updates.ChannelDifferenceTooLong), "310 updates are not too many"
        if isinstance(answer, types.updates.ChannelDifferenceEmpty) or answer.final:
            return answers
        assert answer.pts > pts
        pts = answer.pts


def test_an_offline_member_catches_up_with_300_posts_and_a_banned_one_is_shut_out(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        people = await three(server)
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = people
        group = await create_channel(ann, "Busy", megagroup=True)
        for client, user in ((ben, ben_user), (cat, cat_user)):
            joined = listen(client, events.Raw(types.UpdateChannel))
            await ann(functions.channels.InviteToChannelRequest(group, [input_user(user)]))
            await asyncio.wait_for(joined.get(), 5)
        start = await channel_pts(ben, group)
        cat_news = listen(cat, events.NewMessage(chats=[group.id]))

        # B goes away; A posts, bans C half-way, edits and deletes.
        await ben.disconnect()
        posts = []
        for i in range(POSTS):
            if i == BANNED_AFTER:
                await ann(functions.channels.EditBannedRequest(group, input_user(cat_user), types.ChatBannedRights(
                    until_date=None, view_messages=True)))
            posts.append(await ann.send_message(group, f"post {i}"))
        for i in EDITED:
            await ann.edit_message(group, posts[i].id, f"post {i}, edited")
        await ann.delete_messages(group, [posts[i].id for i in DELETED])
        final_pts = await channel_pts(ann, group)

        # C heard the posts before the ban and nothing after.
        heard = []
        while not cat_news.empty() or len(heard) < BANNED_AFTER:
            heard.append((await asyncio.wait_for(cat_news.get(), 5)).message.message)
        assert heard == [f"post {i}" for i in range(BANNED_AFTER)]
        await nothing_arrives(cat_news)
        seen = await cat(functions.channels.GetChannelsRequest([types.InputChannel(group.id, group.access_hash)]))
        assert isinstance(seen.chats[0], types.ChannelForbidden) and seen.chats[0].id == group.id
        dialogs = await cat(functions.messages.GetDialogsRequest(offset_date=None, offset_id=0,
                                                                 offset_peer=types.InputPeerEmpty(), limit=100, hash=0))
        # Telegram keeps the group in a banned user's list, forbidden, ending at the ban.
        [dialog] = [d for d in dialogs.dialogs if d.peer == types.PeerChannel(group.id)]
        assert [type(c) for c in dialogs.chats if c.id == group.id] == [types.ChannelForbidden]
        top = next(m for m in dialogs.messages if m.id == dialog.top_message and m.peer_id == dialog.peer)
        assert (top.id, dialog.unread_count) == (posts[BANNED_AFTER - 1].id, 0)
        with pytest.raises(errors.ChannelPrivateError):
            await cat(functions.updates.GetChannelDifferenceRequest(
                channel=types.InputChannel(group.id, group.access_hash), filter=types.ChannelMessagesFilterEmpty(),
                pts=start, limit=SLICE))

        # B comes back and catches up by itself, a slice at a time.
        await ben.connect()
        answers = await catch_up(ben, group, start)
        assert len(answers) >= 3 and [a.final for a in answers] == [False] * (len(answers) - 1) + [True]
        assert answers[-1].pts == final_pts
        new = [m for a in answers for m in a.new_messages]
        ids = [m.id for m in new]
        assert len(ids) == len(set(ids)), "no message twice"
        texts = {m.id: m.message for m in new if isinstance(m, types.Message)}
        expected = {posts[i].id: f"post {i}, edited" if i in EDITED else f"post {i}"
                    for i in range(POSTS) if i not in DELETED}
        assert texts == expected
        deleted = {i for a in answers for u in a.other_updates if isinstance(u, types.UpdateDeleteChannelMessages)
                   for i in u.messages}
        assert deleted == {posts[i].id for i in DELETED}
        edits = [u for a in answers for u in a.other_updates if isinstance(u, types.UpdateEditChannelMessage)]
        assert {u.message.id for u in edits} == {posts[i].id for i in EDITED}
        removed = [m for m in new if isinstance(m, types.MessageService)]
        assert [type(m.action) for m in removed] == [types.MessageActionChatDeleteUser]
        # Every pts step once: the slices cover the log from B's pts to the channel's.
        steps = [u.pts for a in answers for u in a.other_updates]
        assert len(steps) == len(set(steps))

        for client, _ in people:
            await client.disconnect()

    run(scenario())


def test_the_admin_log_shows_a_title_change_a_ban_and_an_edit(server, run):
    from telethon import errors, functions, types

    async def scenario():
        people = await three(server)
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = people
        group = await create_channel(ann, "Logged", megagroup=True)
        await ann(functions.channels.InviteToChannelRequest(group, [input_user(ben_user), input_user(cat_user)]))
        await ann(functions.channels.EditTitleRequest(group, "Logged and renamed"))
        await ann(functions.channels.EditBannedRequest(group, input_user(cat_user), types.ChatBannedRights(
            until_date=None, view_messages=True)))
        said = await ann.send_message(group, "a typo")
        await ann.edit_message(group, said.id, "no typo")

        log = await ann(functions.channels.GetAdminLogRequest(group, q="", max_id=0, min_id=0, limit=10))
        kinds = [type(e.action).__name__.removeprefix("ChannelAdminLogEventAction") for e in log.events]
        assert kinds == ["EditMessage", "ParticipantToggleBan", "ChangeTitle", "ParticipantInvite", "ParticipantInvite"]
        edit, ban, title = log.events[:3]
        assert (edit.action.prev_message.message, edit.action.new_message.message) == ("a typo", "no typo")
        assert ban.action.new_participant.peer == types.PeerUser(cat_user.id)
        assert (title.action.prev_value, title.action.new_value) == ("Logged", "Logged and renamed")
        assert {e.user_id for e in log.events} == {ann_user.id}
        assert {u.id for u in log.users} >= {ann_user.id, ben_user.id, cat_user.id}

        # Telethon's own reader of the log, by filter (its `ban` is the filter's kick).
        bans = [e async for e in ann.iter_admin_log(group, ban=True)]
        assert [e.action.new_participant.peer for e in bans] == [types.PeerUser(cat_user.id)]
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.channels.GetAdminLogRequest(group, q="", max_id=0, min_id=0, limit=10))

        for client, _ in people:
            await client.disconnect()

    run(scenario())


def test_admins_are_told_of_join_requests_live(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        people = await three(server)
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = people
        group = await create_channel(ann, "Asked", megagroup=True)
        await ann(functions.channels.InviteToChannelRequest(group, [input_user(ben_user)]))
        link = await ann(functions.messages.ExportChatInviteRequest(group, request_needed=True))
        ann_hears = listen(ann, events.Raw(types.UpdatePendingJoinRequests))
        ben_hears = listen(ben, events.Raw(types.UpdatePendingJoinRequests))
        with pytest.raises(errors.InviteRequestSentError):
            await cat(functions.messages.ImportChatInviteRequest(link.link.rpartition("+")[2]))
        told = await asyncio.wait_for(ann_hears.get(), 5)
        assert (told.peer, told.requests_pending, told.recent_requesters) == (
            types.PeerChannel(group.id), 1, [cat_user.id])
        await ann(functions.messages.HideChatJoinRequestRequest(group, input_user(cat_user), approved=False))
        told = await asyncio.wait_for(ann_hears.get(), 5)
        assert (told.requests_pending, told.recent_requesters) == (0, [])
        await nothing_arrives(ben_hears)  # a member who may not answer requests

        for client, _ in people:
            await client.disconnect()

    run(scenario())


def test_pyrogram_reads_the_admin_log_in_layer_158(server, run):
    from pyrogram import Client, enums

    from .clients import pyrogram_pointed_at
    from .test_accounts import CODE, new_phone

    pem = server.public_key()[0]

    async def scenario():
        phone = new_phone()
        pyro = Client("pyro-admin-log", api_id=1, api_hash="0" * 32, in_memory=True)
        await pyro.connect()
        sent = await pyro.send_code(phone)
        await pyro.sign_in(phone, sent.phone_code_hash, CODE)
        await pyro.sign_up(phone, sent.phone_code_hash, "Pyro")
        await pyro.initialize()

        group = await pyro.create_supergroup("Old layer log", "")
        await pyro.set_chat_title(group.id, "Old layer log, renamed")
        await pyro.set_chat_description(group.id, "now described")
        said = await pyro.send_message(group.id, "a typo")
        await pyro.edit_message_text(group.id, said.id, "no typo")
        events = [e async for e in pyro.get_chat_event_log(group.id)]
        assert [e.action for e in events] == [enums.ChatEventAction.MESSAGE_EDITED,
                                              enums.ChatEventAction.DESCRIPTION_CHANGED,
                                              enums.ChatEventAction.TITLE_CHANGED]
        edited, described, renamed = events
        assert (edited.old_message.text, edited.new_message.text) == ("a typo", "no typo")
        assert (described.old_description, described.new_description) == ("", "now described")
        assert (renamed.old_title, renamed.new_title) == ("Old layer log", "Old layer log, renamed")
        assert {e.user.first_name for e in events} == {"Pyro"}

        await pyro.stop()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
