"""Supergroups and broadcast channels with unmodified clients (issue 11, part A):
Telethon (layer 229) creates a supergroup and a channel, members talk live both ways,
edit, delete, read receipts, history and dialogs with unread counts, rights refused by
name, and a member who was offline catching up through getChannelDifference; Pyrogram
(layer 158) creates a supergroup, gets posts live and reads its history in its own
layer.

Members are added through the server's storage (joining and inviting are another
part's methods), after which they reconnect: a connection follows the channels its
user is a member of when it starts (rpc/updates/stream.py).
"""

import asyncio

import pytest

from .test_accounts import CODE, new_phone, sign_up

WAIT = 5  # seconds for something that must arrive


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


async def add_members(server, channel_id, *user_ids):
    """Members added as the storage call a join makes, through the server's database."""
    import time

    import trio
    import trio_asyncio

    from storage import open_storage

    async def add():
        async with trio_asyncio.open_loop():
            async with await open_storage(server.env.get("MTSERVER_DATABASE"), str(server.data_dir)) as storage:
                for user_id in user_ids:
                    await storage.channel_participants.add(channel_id, user_id, inviter_id=user_id,
                                                           date=int(time.time()))

    await asyncio.to_thread(trio.run, add)


async def reconnect(client):
    await client.disconnect()
    await client.connect()
    await client.get_dialogs()  # this connection now follows the user's channels


def listen(client, event):
    queue = asyncio.Queue()

    async def put(e):
        queue.put_nowait(e)

    client.add_event_handler(put, event)
    return queue


async def next_in(queue, chat_id=None):
    while True:
        event = await asyncio.wait_for(queue.get(), WAIT)
        if chat_id is None or event.chat_id == chat_id:
            return event


def test_channels_from_creation_to_catching_up(server, run):
    from telethon import errors, events, functions, types, utils

    async def scenario():
        pem = server.public_key()[0]
        people = [await sign_up(server, pem, new_phone(), name, receive_updates=True) for name in ("Ann", "Ben", "Cat")]
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = people
        for client, _ in people:
            await client.get_dialogs()

        created = await ann(functions.channels.CreateChannelRequest(title="Team", about="We talk", megagroup=True))
        group = created.chats[0]
        assert (group.title, group.megagroup, group.creator) == ("Team", True, True)
        assert any(isinstance(u, types.UpdateNewChannelMessage) and isinstance(
            u.message.action, types.MessageActionChannelCreate) for u in created.updates)
        news = (await ann(functions.channels.CreateChannelRequest(title="News", about="", broadcast=True))).chats[0]
        assert news.broadcast and news.admin_rights.post_messages
        await add_members(server, group.id, ben_user.id, cat_user.id)
        await add_members(server, news.id, ben_user.id)
        for client in (ben, cat):
            await reconnect(client)
        group_id, news_id = utils.get_peer_id(group), utils.get_peer_id(news)
        ben_msgs, cat_msgs = listen(ben, events.NewMessage(incoming=True)), listen(cat, events.NewMessage(incoming=True))
        ann_msgs = listen(ann, events.NewMessage(incoming=True))

        # The supergroup, both ways, live.
        sent = await ann.send_message(group, "hello team")
        assert sent.peer_id == types.PeerChannel(group.id) and sent.out
        got = await next_in(ben_msgs, group_id)
        assert (got.message.message, got.sender_id, got.out) == ("hello team", ann_user.id, False)
        assert (await next_in(cat_msgs, group_id)).message.message == "hello team"
        await ben.send_message(group, "hi Ann", reply_to=got.message.id)
        back = await next_in(ann_msgs, group_id)
        assert (back.message.message, back.sender_id, back.message.reply_to.reply_to_msg_id) == (
            "hi Ann", ben_user.id, sent.id)

        # Typing in the supergroup reaches the other members once (updateChannelUserTyping).
        ann_typing = listen(ann, events.UserUpdate())
        await ben(functions.messages.SetTypingRequest(group, types.SendMessageTypingAction()))
        typing = await next_in(ann_typing, group_id)
        assert typing.typing and typing.sender_id == ben_user.id

        # The broadcast channel: posts are the channel's; members may not post.
        await ann.send_message(news, "breaking")
        post = await next_in(ben_msgs, news_id)
        assert (post.message.message, post.message.post, post.message.from_id) == ("breaking", True, None)
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben.send_message(news, "me too")
        full = await ben(functions.channels.GetFullChannelRequest(news))
        assert full.full_chat.participants_count == 2 and full.full_chat.unread_count == 1

        # Edits and deletions reach members live.
        ben_edits, ben_deletes = listen(ben, events.MessageEdited()), listen(ben, events.MessageDeleted())
        await ann.edit_message(group, sent.id, "hello team!")
        assert (await next_in(ben_edits, group_id)).message.message == "hello team!"
        doomed = await ann.send_message(group, "oops")
        await next_in(ben_msgs, group_id)
        await ann.delete_messages(group, [doomed.id])
        deleted = await asyncio.wait_for(ben_deletes.get(), WAIT)
        assert deleted.deleted_ids == [doomed.id] and deleted.chat_id == group_id

        # B reads: A, the author of what B read, is told.
        ann_reads = listen(ann, events.MessageRead())
        await ben.send_read_acknowledge(group)
        read = await next_in(ann_reads, group_id)
        assert read.outbox and read.max_id == sent.id

        # History and dialogs with the unread count.
        history = await ben.get_messages(group, limit=10)
        assert [m.message for m in history[:2]] == ["hi Ann", "hello team!"]
        assert isinstance(history[-1].action, types.MessageActionChannelCreate)
        dialogs = await cat.get_dialogs()
        dialog = next(d for d in dialogs if d.id == group_id)
        assert dialog.unread_count == 2 and dialog.message.message == "hi Ann"

        # C goes offline; A posts, edits and deletes; C catches up by itself when the next
        # post shows it a gap.
        while (await next_in(cat_msgs, group_id)).message.message != "oops":
            pass  # what C got live so far
        await cat.disconnect()
        away = [await ann.send_message(group, f"while away {i}") for i in range(5)]
        await ann.edit_message(group, away[1].id, "while away 1, edited")
        await ann.delete_messages(group, [away[3].id])
        await cat.connect()
        await ann.send_message(group, "are you back?")
        texts = []
        while "are you back?" not in texts:
            texts.append((await next_in(cat_msgs, group_id)).message.message)
        assert texts == ["while away 0", "while away 1, edited", "while away 2", "while away 4", "are you back?"]
        assert [m.message for m in await cat.get_messages(group, limit=5)] == [
            "are you back?", "while away 4", "while away 2", "while away 1, edited", "while away 0"]

        # searchGlobal finds the supergroup's messages beside private ones, newest first,
        # paged by (rate, peer, id) as Telethon pages it.
        await cat.send_message("me", "while away, privately")
        found = [m async for m in cat.iter_messages(None, search="while away", limit=None, wait_time=0)]
        assert sorted(m.message for m in found) == sorted(["while away, privately", "while away 4", "while away 2",
                                                           "while away 1, edited", "while away 0"])
        assert [m.date for m in found] == sorted((m.date for m in found), reverse=True)  # newest first
        in_group = [m for m in found if isinstance(m.peer_id, types.PeerChannel)]
        assert [m.message for m in in_group] == ["while away 4", "while away 2", "while away 1, edited",
                                                 "while away 0"] and in_group[0].chat.title == "Team"
        one_by_one = await cat(functions.messages.SearchGlobalRequest(
            q="while away", filter=types.InputMessagesFilterEmpty(), min_date=None, max_date=None, offset_rate=0,
            offset_peer=types.InputPeerEmpty(), offset_id=0, limit=2))
        assert one_by_one.count == 5 and len(one_by_one.messages) == 2 and one_by_one.next_rate

        for client, _ in people:
            await client.disconnect()

    run(scenario())


def test_pyrogram_creates_a_supergroup_and_reads_it_in_layer_158(server, run):
    from pyrogram import Client, filters, handlers
    from telethon import events, types

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]

    async def scenario():
        phone = new_phone()
        pyro = Client("pyro-channels", api_id=1, api_hash="0" * 32, in_memory=True)
        await pyro.connect()
        sent = await pyro.send_code(phone)
        await pyro.sign_in(phone, sent.phone_code_hash, CODE)
        await pyro.sign_up(phone, sent.phone_code_hash, "Pyro")
        received = asyncio.Queue()
        pyro.add_handler(handlers.MessageHandler(lambda _, m: received.put_nowait(m), filters.incoming))
        await pyro.initialize()

        group = await pyro.create_supergroup("Old layer group", "made at layer 158")
        assert group.title == "Old layer group"
        tele, tele_user = await sign_up(server, pem, new_phone(), "Tele", receive_updates=True)
        await add_members(server, -group.id - 10**12, tele_user.id)
        await reconnect(tele)
        channel = next(d.entity for d in await tele.get_dialogs() if d.name == "Old layer group")
        to_tele = listen(tele, events.NewMessage(incoming=True))

        await tele.send_message(channel, "hello from 229")
        got = await asyncio.wait_for(received.get(), WAIT)
        assert (got.text, got.chat.id, got.from_user.id) == ("hello from 229", group.id, tele_user.id)
        mine = await pyro.send_message(group.id, "hello from 158")
        assert (await next_in(to_tele)).message.peer_id == types.PeerChannel(channel.id)
        history = [m.text or (m.service and "service") async for m in pyro.get_chat_history(group.id)]
        assert history[:2] == ["hello from 158", "hello from 229"]
        assert (await pyro.get_messages(group.id, mine.id)).text == "hello from 158"

        await tele.disconnect()
        await pyro.stop()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
