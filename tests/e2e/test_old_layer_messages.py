"""Messaging with an old-layer client: Pyrogram 2.0.106 speaks layer 158, Telethon 229.
Messages, updates, dialogs and history are written in each reader's own layer."""

import asyncio

import pytest

from .test_accounts import CODE, new_phone, sign_up


@pytest.fixture(scope="module")
def server(messaging_server):
    return messaging_server



def test_pyrogram_and_telethon_talk_live_across_layers(server, run):
    from pyrogram import Client, filters, handlers, raw
    from telethon import events, types

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]

    async def scenario():
        phone = new_phone()
        pyro = Client("pyro-msg", api_id=1, api_hash="0" * 32, in_memory=True)
        await pyro.connect()
        sent = await pyro.send_code(phone)
        await pyro.sign_in(phone, sent.phone_code_hash, CODE)
        pyro_user = await pyro.sign_up(phone, sent.phone_code_hash, "Pyro")
        received = asyncio.Queue()
        pyro.add_handler(handlers.MessageHandler(lambda _, m: received.put_nowait(m), filters.incoming))
        await pyro.invoke(raw.functions.updates.GetState())
        await pyro.initialize()

        tele, tele_user = await sign_up(server, pem, new_phone(), "Tele", receive_updates=True)
        to_tele = asyncio.Queue()
        tele.add_event_handler(lambda e: to_tele.put_nowait(e.message), events.NewMessage(incoming=True))
        await tele.get_dialogs()
        pyro_peer = types.InputPeerUser(pyro_user.id, (await pyro.invoke(
            raw.functions.users.GetUsers(id=[raw.types.InputUserSelf()])))[0].access_hash)

        # 229 → 158, live.
        await tele.send_message(pyro_peer, "hello from 229")
        got = await asyncio.wait_for(received.get(), 5)
        assert (got.text, got.from_user.id, got.outgoing) == ("hello from 229", tele_user.id, False)

        # 158 → 229, live, then a reply and an edit.
        first = await pyro.send_message(tele_user.id, "hello from 158")
        assert (await asyncio.wait_for(to_tele.get(), 5)).message == "hello from 158"
        reply = await pyro.send_message(tele_user.id, "a reply", reply_to_message_id=got.id)
        # (Pyrogram builds its answer from updateShortSentMessage, which has no reply header.)
        assert (await pyro.get_messages(tele_user.id, reply.id)).reply_to_message_id == got.id
        edited = await pyro.edit_message_text(tele_user.id, first.id, "hello from 158, edited")
        assert edited.text == "hello from 158, edited" and edited.edit_date

        history = [m.text async for m in pyro.get_chat_history(tele_user.id)]
        assert history == ["a reply", "hello from 158, edited", "hello from 229"]
        dialogs = [d async for d in pyro.get_dialogs()]
        assert [d.chat.id for d in dialogs if d.chat.id != pyro_user.id] == [tele_user.id]
        await pyro.read_chat_history(tele_user.id)
        await pyro.delete_messages(tele_user.id, [reply.id], revoke=True)
        assert [m.message for m in await tele.get_messages(pyro_peer, limit=10)] == [
            "hello from 158, edited", "hello from 229"]

        await tele.disconnect()
        await pyro.stop()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
