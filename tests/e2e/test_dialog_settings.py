"""Per-chat notification settings and "mark as unread" with unmodified clients:
a change on one device shows up live on the user's other devices and in their dialogs;
reading a dialog unmarks it; an old-layer client (Pyrogram, layer 158) sets and reads
settings too."""

import asyncio
from datetime import datetime, timezone

import pytest

from .test_accounts import CODE, new_phone, second_device
from .test_message_features import raw_queue
from .test_messages import pair

FOREVER = 2**31 - 1
FOREVER_DATE = datetime.fromtimestamp(FOREVER, timezone.utc)  # Telethon reads mute_until as a date


@pytest.fixture(scope="module")
def server(backend_server):
    """Each test against the embedded store and PostgreSQL (migration 0007 on both)."""
    return backend_server


async def _disconnect(*clients):
    for client in clients:
        await client.disconnect()


def _dialog_of(dialogs, peer_id):
    return next(d.dialog for d in dialogs if d.id == peer_id)  # Telethon marks groups -chat_id


def test_muting_a_chat_reaches_the_other_device_and_the_dialogs(server, run):
    from telethon import functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        await bob.send_message(alice_user.id, "hello")
        other_device, _ = await second_device(server, pem, "+" + alice_user.phone)
        live = raw_queue(other_device, types.UpdateNotifySettings)
        bob_peer = types.InputNotifyPeer(types.InputPeerUser(bob_user.id, bob_user.access_hash))
        muted = types.InputPeerNotifySettings(show_previews=False, silent=True, mute_until=FOREVER,
                                              sound=types.NotificationSoundNone())
        assert await alice(functions.account.UpdateNotifySettingsRequest(peer=bob_peer, settings=muted))
        update = await asyncio.wait_for(live.get(), 5)
        assert update.peer == types.NotifyPeer(types.PeerUser(bob_user.id))
        assert (update.notify_settings.mute_until, update.notify_settings.silent) == (FOREVER_DATE, True)

        settings = await other_device(functions.account.GetNotifySettingsRequest(peer=bob_peer))
        assert (settings.mute_until, settings.show_previews, settings.silent) == (FOREVER_DATE, False, True)
        assert isinstance(settings.other_sound, types.NotificationSoundNone)
        dialog = _dialog_of(await other_device.get_dialogs(), bob_user.id)
        assert dialog.notify_settings.mute_until == FOREVER_DATE
        peer_dialogs = await other_device(functions.messages.GetPeerDialogsRequest(
            peers=[types.InputDialogPeer(types.InputPeerUser(bob_user.id, bob_user.access_hash))]))
        assert peer_dialogs.dialogs[0].notify_settings.silent is True
        full = await other_device(functions.users.GetFullUserRequest(
            types.InputUser(bob_user.id, bob_user.access_hash)))
        assert full.full_user.notify_settings.mute_until == FOREVER_DATE
        # Bob's settings for Alice are his own.
        assert (await bob(functions.account.GetNotifySettingsRequest(
            peer=types.InputNotifyPeer(types.InputPeerUser(alice_user.id, alice_user.access_hash))))).mute_until is None

        # A global scope, and the list of exceptions (chats with settings of their own).
        assert await alice(functions.account.UpdateNotifySettingsRequest(
            peer=types.InputNotifyChats(), settings=types.InputPeerNotifySettings(show_previews=False)))
        update = await asyncio.wait_for(live.get(), 5)
        assert isinstance(update.peer, types.NotifyChats) and update.notify_settings.show_previews is False
        exceptions = await alice(functions.account.GetNotifyExceptionsRequest())
        assert [(u.peer, u.notify_settings.mute_until) for u in exceptions.updates] == [
            (types.NotifyPeer(types.PeerUser(bob_user.id)), FOREVER_DATE)]
        assert [u.id for u in exceptions.users] == [bob_user.id]
        only_groups = await alice(functions.account.GetNotifyExceptionsRequest(peer=types.InputNotifyChats()))
        assert only_groups.updates == []

        # A basic group is muted the same way.
        created = await alice(functions.messages.CreateChatRequest(
            users=[types.InputUser(bob_user.id, bob_user.access_hash)], title="Quiet"))
        chat = created.updates.chats[0]
        assert await other_device(functions.account.UpdateNotifySettingsRequest(
            peer=types.InputNotifyPeer(types.InputPeerChat(chat.id)),
            settings=types.InputPeerNotifySettings(mute_until=FOREVER)))
        full_chat = await alice(functions.messages.GetFullChatRequest(chat.id))
        assert full_chat.full_chat.notify_settings.mute_until == FOREVER_DATE
        only_groups = await alice(functions.account.GetNotifyExceptionsRequest(peer=types.InputNotifyChats()))
        assert [u.peer for u in only_groups.updates] == [types.NotifyPeer(types.PeerChat(chat.id))]
        assert [c.id for c in only_groups.chats] == [chat.id]
        assert _dialog_of(await alice.get_dialogs(), -chat.id).notify_settings.mute_until == FOREVER_DATE

        # Reset: everything back to the defaults, on every device.
        assert await alice(functions.account.ResetNotifySettingsRequest())
        reset = [await asyncio.wait_for(live.get(), 5) for _ in range(3)]
        assert all(u.notify_settings.mute_until is None and u.notify_settings.show_previews is None for u in reset)
        assert (await other_device(functions.account.GetNotifySettingsRequest(peer=bob_peer))).mute_until is None
        assert _dialog_of(await alice.get_dialogs(), bob_user.id).notify_settings.mute_until is None
        assert (await alice(functions.account.GetNotifyExceptionsRequest())).updates == []
        await _disconnect(alice, bob, other_device)

    run(scenario())


def test_bad_notify_settings_get_telegrams_errors(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        with pytest.raises(errors.PeerIdInvalidError):
            await alice(functions.account.GetNotifySettingsRequest(
                peer=types.InputNotifyPeer(types.InputPeerUser(bob_user.id, bob_user.access_hash + 1))))
        with pytest.raises(errors.PeerIdInvalidError):
            await alice(functions.account.UpdateNotifySettingsRequest(
                peer=types.InputNotifyPeer(types.InputPeerChat(424242)), settings=types.InputPeerNotifySettings()))
        with pytest.raises(errors.ChannelForumMissingError):
            await alice(functions.account.UpdateNotifySettingsRequest(
                peer=types.InputNotifyForumTopic(types.InputPeerUser(bob_user.id, bob_user.access_hash), 1),
                settings=types.InputPeerNotifySettings(mute_until=5)))
        with pytest.raises(errors.SettingsInvalidError):
            await alice(functions.account.UpdateNotifySettingsRequest(
                peer=types.InputNotifyUsers(), settings=types.InputPeerNotifySettings(
                    sound=types.NotificationSoundRingtone(id=12345))))
        await _disconnect(alice, bob)

    run(scenario())


def test_marking_a_dialog_unread_syncs_and_reading_clears_it(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        await bob.send_message(alice_user.id, "read me later")
        other_device, _ = await second_device(server, pem, "+" + alice_user.phone)
        live = raw_queue(other_device, types.UpdateDialogUnreadMark)
        bob_dialog = types.InputDialogPeer(types.InputPeerUser(bob_user.id, bob_user.access_hash))
        assert await alice(functions.messages.MarkDialogUnreadRequest(peer=bob_dialog, unread=True))
        update = await asyncio.wait_for(live.get(), 5)
        assert update.unread and update.peer == types.DialogPeer(types.PeerUser(bob_user.id))
        marks = await other_device(functions.messages.GetDialogUnreadMarksRequest())
        assert marks == [types.DialogPeer(types.PeerUser(bob_user.id))]
        assert _dialog_of(await other_device.get_dialogs(), bob_user.id).unread_mark is True
        assert not _dialog_of(await bob.get_dialogs(), alice_user.id).unread_mark  # Bob's side is his own

        # Reading the dialog (on any device) unmarks it everywhere.
        await alice.send_read_acknowledge(bob_user.id)
        update = await asyncio.wait_for(live.get(), 5)
        assert not update.unread and update.peer == types.DialogPeer(types.PeerUser(bob_user.id))
        assert await other_device(functions.messages.GetDialogUnreadMarksRequest()) == []
        assert not _dialog_of(await other_device.get_dialogs(), bob_user.id).unread_mark

        # Marked and unmarked by hand; no dialog, nothing to mark.
        assert await other_device(functions.messages.MarkDialogUnreadRequest(peer=bob_dialog, unread=True))
        assert await other_device(functions.messages.MarkDialogUnreadRequest(peer=bob_dialog, unread=False))
        assert await alice(functions.messages.GetDialogUnreadMarksRequest()) == []
        with pytest.raises(errors.PeerHistoryEmptyError):
            await bob(functions.messages.MarkDialogUnreadRequest(peer=types.InputDialogPeer(types.InputPeerSelf()),
                                                                 unread=True))
        await _disconnect(alice, bob, other_device)

    run(scenario())


def test_pyrogram_layer_158_mutes_and_reads_settings(server, run):
    from pyrogram import Client, raw

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]
    phone = new_phone()

    async def scenario():
        app = Client("pyro", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        await app.sign_up(phone, sent.phone_code_hash, "Pyro", "Gram")
        me = raw.types.InputNotifyPeer(peer=raw.types.InputPeerSelf())
        assert await app.invoke(raw.functions.account.UpdateNotifySettings(
            peer=me, settings=raw.types.InputPeerNotifySettings(mute_until=FOREVER, silent=True,
                                                                sound=raw.types.NotificationSoundDefault())))
        settings = await app.invoke(raw.functions.account.GetNotifySettings(peer=me))
        assert (settings.mute_until, settings.silent) == (FOREVER, True)
        assert isinstance(settings.android_sound, raw.types.NotificationSoundDefault)
        users = await app.invoke(raw.functions.account.GetNotifySettings(peer=raw.types.InputNotifyUsers()))
        assert users.mute_until is None
        exceptions = await app.invoke(raw.functions.account.GetNotifyExceptions())
        assert [u.notify_settings.mute_until for u in exceptions.updates] == [FOREVER]
        assert await app.invoke(raw.functions.messages.GetDialogUnreadMarks()) == []
        await app.disconnect()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
