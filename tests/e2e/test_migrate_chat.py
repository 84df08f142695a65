"""A basic group upgraded to a supergroup (messages.migrateChat, rpc/chats/migrate.py)
with unmodified Telethon (layer 229) and Pyrogram (layer 158): the members learn of it
live and follow the supergroup, the old history stays readable, the old group refuses
new messages, and the supergroup carries the conversation on, live to everyone."""

import asyncio

import pytest

from .test_accounts import CODE, new_phone, sign_up
from .test_groups import input_user, listen, three


# Small groups, so that one more member is past the limit (help.getConfig chat_size_max).
SERVER_ENV = {"MTSERVER_CHAT_SIZE_MAX": "3"}


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


def _migrate_to(update):
    from telethon import types

    return isinstance(update, types.UpdateNewMessage) and isinstance(update.message, types.MessageService) \
        and isinstance(update.message.action, types.MessageActionChatMigrateTo)


async def _wait_for(queue, check, timeout=5):
    """The first queued event that passes `check` (others are dropped)."""
    async def first():
        while True:
            event = await queue.get()
            if check(event):
                return event

    return await asyncio.wait_for(first(), timeout)


def test_a_group_upgraded_to_a_supergroup_and_the_talk_goes_on(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = await three(server)
        created = await ann(functions.messages.CreateChatRequest(
            users=[input_user(ben_user), input_user(cat_user)], title="Crew"))
        chat = created.updates.chats[0]
        cat_msgs = listen(cat, events.NewMessage(incoming=True))
        await ann.send_message(chat, "first words")
        await ben.send_message(types.PeerChat(chat.id), "a reply")
        assert (await asyncio.wait_for(cat_msgs.get(), 5)).message.message == "first words"
        assert (await asyncio.wait_for(cat_msgs.get(), 5)).message.message == "a reply"

        # Only the creator upgrades it.
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.messages.MigrateChatRequest(chat_id=chat.id))
        ben_raw, cat_raw = listen(ben, events.Raw()), listen(cat, events.Raw())
        migrated = await ann(functions.messages.MigrateChatRequest(chat_id=chat.id))
        old = next(c for c in migrated.chats if isinstance(c, types.Chat))
        channel = next(c for c in migrated.chats if isinstance(c, types.Channel))
        assert old.id == chat.id and old.deactivated and old.migrated_to.channel_id == channel.id
        assert channel.megagroup and channel.creator and channel.title == "Crew"
        first = next(u.message for u in migrated.updates if isinstance(u, types.UpdateNewChannelMessage))
        assert first.action == types.MessageActionChannelMigrateFrom(title="Crew", chat_id=chat.id)
        with pytest.raises(errors.ChatIdInvalidError):
            await ann(functions.messages.MigrateChatRequest(chat_id=chat.id))

        # Ben and Cat learn of it live: the group's last message, and the supergroup.
        for raw in (ben_raw, cat_raw):
            told = await _wait_for(raw, _migrate_to)
            assert told.message.action.channel_id == channel.id
            await _wait_for(raw, lambda u: isinstance(u, types.UpdateChannel) and u.channel_id == channel.id)

        # The old history stays readable; the old group takes no new message.
        old_history = await cat.get_messages(types.PeerChat(chat.id), limit=10)
        assert [m.message for m in old_history if not m.action] == ["a reply", "first words"]
        assert isinstance(old_history[0].action, types.MessageActionChatMigrateTo)
        with pytest.raises(errors.ChatIdInvalidError):
            await cat.send_message(types.PeerChat(chat.id), "too late")

        # Everyone is in the supergroup, as before: Ann creator, the others members.
        full = await cat(functions.channels.GetFullChannelRequest(types.InputChannel(channel.id,
                                                                                     channel.access_hash)))
        assert full.full_chat.migrated_from_chat_id == chat.id
        assert full.full_chat.migrated_from_max_id == old_history[0].id
        everyone = await ann.get_participants(channel)
        assert sorted(u.id for u in everyone) == sorted([ann_user.id, ben_user.id, cat_user.id])

        # Ben writes in the supergroup; Ann and Cat get it live.
        ann_new = listen(ann, events.NewMessage(incoming=True))
        cat_new = listen(cat, events.NewMessage(incoming=True))
        ben_channel = await ben.get_entity(types.PeerChannel(channel.id))
        await ben.send_message(ben_channel, "in the supergroup now")
        for queue in (ann_new, cat_new):
            got = await asyncio.wait_for(queue.get(), 5)
            assert got.message.message == "in the supergroup now"
            assert got.message.peer_id == types.PeerChannel(channel.id)
        for c in (ann, ben, cat):
            await c.disconnect()

    run(scenario())


def test_adding_past_the_limit_upgrades_first(server, run):
    """A group of chat_size_max members: the next one added makes it a supergroup first,
    and everyone, the newcomer too, is in it, told live."""
    from telethon import events, functions, types

    async def scenario():
        (ann, _), (ben, ben_user), (cat, cat_user) = await three(server)
        dan, dan_user = await sign_up(server, server.public_key()[0], new_phone(), "Dan", receive_updates=True)
        await dan.get_dialogs()
        config = await ann(functions.help.GetConfigRequest())
        assert config.chat_size_max == 3
        created = await ann(functions.messages.CreateChatRequest(
            users=[input_user(ben_user), input_user(cat_user)], title="Full"))
        chat = created.updates.chats[0]
        assert isinstance(chat, types.Chat) and chat.participants_count == 3
        cat_raw, dan_raw = listen(cat, events.Raw()), listen(dan, events.Raw())
        added = await ann(functions.messages.AddChatUserRequest(chat.id, input_user(dan_user), fwd_limit=0))
        channel = next(c for c in added.updates.chats if isinstance(c, types.Channel))
        assert channel.megagroup
        actions = [u.message.action for u in added.updates.updates if isinstance(u, types.UpdateNewChannelMessage)]
        assert types.MessageActionChatAddUser(users=[dan_user.id]) in actions
        await _wait_for(cat_raw, _migrate_to)
        for raw in (cat_raw, dan_raw):
            await _wait_for(raw, lambda u: isinstance(u, types.UpdateChannel) and u.channel_id == channel.id)
        everyone = await ann.get_participants(channel)
        assert len(everyone) == 4
        # Dan reads and writes there: Cat gets it live.
        cat_new = listen(cat, events.NewMessage(incoming=True))
        await dan.send_message(await dan.get_entity(types.PeerChannel(channel.id)), "hello, I am new")
        assert (await asyncio.wait_for(cat_new.get(), 5)).message.message == "hello, I am new"
        for c in (ann, ben, cat, dan):
            await c.disconnect()

    run(scenario())


def test_pyrogram_layer_158_reads_an_upgrade(server, run):
    """messages.migrateChat answers layer 158 with Updates Pyrogram reads; Pyrogram then
    writes in the supergroup and still reads the old group's history."""
    from pyrogram import Client, raw

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]

    async def scenario():
        ben, ben_user = await sign_up(server, pem, new_phone(), "Ben", receive_updates=True)
        app = Client("pyro-migrate", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        phone = new_phone()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        await app.sign_up(phone, sent.phone_code_hash, "Pyro")
        created = await app.invoke(raw.functions.messages.CreateChat(
            users=[raw.types.InputUser(user_id=ben_user.id, access_hash=ben_user.access_hash)], title="Old way"))
        chat_id = created.chats[0].id
        await app.send_message(-chat_id, "before the upgrade")
        migrated = await app.invoke(raw.functions.messages.MigrateChat(chat_id=chat_id))
        assert isinstance(migrated, raw.types.Updates)
        channel = next(c for c in migrated.chats if isinstance(c, raw.types.Channel))
        old = next(c for c in migrated.chats if isinstance(c, raw.types.Chat))
        assert old.deactivated and old.migrated_to.channel_id == channel.id and channel.megagroup
        actions = [type(u.message.action).__name__ for u in migrated.updates
                   if isinstance(u, (raw.types.UpdateNewMessage, raw.types.UpdateNewChannelMessage))]
        assert sorted(actions) == ["MessageActionChannelMigrateFrom", "MessageActionChatMigrateTo"]
        supergroup = await app.get_chat(-1000000000000 - channel.id)
        assert supergroup.type.name == "SUPERGROUP" and supergroup.title == "Old way"
        await app.send_message(supergroup.id, "after the upgrade")
        old_texts = [m.text async for m in app.get_chat_history(-chat_id, limit=5) if m.text]
        assert old_texts == ["before the upgrade"]
        ben_sees = await ben.get_messages(raw_peer_channel(channel), limit=1)
        assert ben_sees[0].message == "after the upgrade"
        await app.disconnect()
        await ben.disconnect()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())


def raw_peer_channel(channel):
    from telethon import types

    return types.InputPeerChannel(channel.id, channel.access_hash)
