"""Private-chat features with unmodified Telethon clients: forwarding, clearing a
history, search, typing, pinned messages, pinned dialogs, drafts, peer dialogs and
peer settings — each change seen live where Telegram pushes it."""

import asyncio

import pytest

from .test_accounts import CODE, new_phone, second_device, sign_up
from .test_messages import pair


@pytest.fixture(scope="module")
def server(messaging_server):
    return messaging_server



def raw_queue(client, *kinds):
    """Raw updates of these types, as they arrive."""
    from telethon import events

    got = asyncio.Queue()
    client.add_event_handler(lambda u: got.put_nowait(u), events.Raw(kinds))
    return got


def people(dialogs):
    """Dialogs without the service account's (a second device's login code and alert)."""
    return [d for d in dialogs if d.entity.id != 777000]


async def disconnect(*clients):
    for c in clients:
        await c.disconnect()


def test_forwards_carry_the_original_author(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        got = asyncio.Queue()
        bob.add_event_handler(lambda e: got.put_nowait(e.message), events.NewMessage(incoming=True))
        await bob.get_dialogs()
        original = await bob.send_message(alice_user.id, "from Bob")
        [alices_copy] = await alice.get_messages(bob_user.id, limit=1)
        # Back to Bob: his own words, forwarded by Alice.
        forwarded = await alice.forward_messages(bob_user.id, alices_copy.id, bob_user.id)
        assert forwarded.fwd_from.from_id == types.PeerUser(bob_user.id) and forwarded.message == "from Bob"
        assert forwarded.fwd_from.date.timestamp() == original.date.timestamp()
        live = await asyncio.wait_for(got.get(), 5)
        assert live.fwd_from.from_id == types.PeerUser(bob_user.id) and live.sender_id == alice_user.id
        # Into Saved Messages: where it was saved from.
        saved = await alice.forward_messages("me", alices_copy.id, bob_user.id)
        assert saved.fwd_from.saved_from_peer == types.PeerUser(bob_user.id)
        assert saved.fwd_from.saved_from_msg_id == alices_copy.id
        [in_saved] = await alice.get_messages("me", limit=1)
        assert in_saved.id == saved.id and in_saved.fwd_from.from_id == types.PeerUser(bob_user.id)
        # Several at once, without the author's name; a retry is the same messages.
        second = await alice.send_message(bob_user.id, "second")
        peer = types.InputPeerUser(bob_user.id, bob_user.access_hash)
        request = functions.messages.ForwardMessagesRequest(from_peer=peer, id=[alices_copy.id, second.id],
                                                            to_peer=types.InputPeerSelf(), random_id=[11, 12],
                                                            drop_author=True)
        result = await alice(request)
        ids = [u.id for u in result.updates if isinstance(u, types.UpdateMessageID)]
        news = [u.message for u in result.updates if isinstance(u, types.UpdateNewMessage)]
        assert len(ids) == 2 and [m.message for m in news] == ["from Bob", "second"]
        assert all(m.fwd_from is None for m in news)
        again = await alice(request)
        assert [u.id for u in again.updates if isinstance(u, types.UpdateMessageID)] == ids
        with pytest.raises(errors.MessageIdInvalidError):
            await alice.forward_messages(bob_user.id, 99999, bob_user.id)
        with pytest.raises(errors.RandomIdInvalidError):
            await alice(functions.messages.ForwardMessagesRequest(from_peer=peer, id=[second.id], to_peer=peer,
                                                                  random_id=[1, 2]))
        await disconnect(alice, bob)

    run(scenario())


def test_delete_history_for_both_sides(server, run):
    from telethon import events, functions

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        deleted = asyncio.Queue()
        bob.add_event_handler(lambda e: deleted.put_nowait(e.deleted_ids), events.MessageDeleted())
        await bob.get_dialogs()
        for i in range(3):
            await alice.send_message(bob_user.id, f"a{i}")
            await bob.send_message(alice_user.id, f"b{i}")
        bobs = [m.id for m in await bob.get_messages(alice_user.id, limit=10)]
        # Only for Alice, only her older half: Bob keeps everything.
        older = (await alice.get_messages(bob_user.id, limit=10))[3]
        cleared = await alice(functions.messages.DeleteHistoryRequest(peer=bob_user.id, max_id=older.id,
                                                                      just_clear=True))
        assert (cleared.pts_count, cleared.offset) == (3, 0)
        assert [m.message for m in await alice.get_messages(bob_user.id, limit=10)] == ["b2", "a2", "b1"]
        assert len(await bob.get_messages(alice_user.id, limit=10)) == 6
        # The rest, for both.
        await alice.delete_dialog(bob_user.id, revoke=True)
        gone = []
        while len(gone) < 6:
            gone += await asyncio.wait_for(deleted.get(), 5)
        assert sorted(gone) == sorted(bobs)
        assert await bob.get_messages(alice_user.id, limit=10) == []
        assert await alice.get_messages(bob_user.id, limit=10) == []
        assert bob_user.id not in [d.entity.id for d in await alice.get_dialogs()]
        await disconnect(alice, bob)

    run(scenario())


def test_search_in_a_chat_and_everywhere(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        for text in ("Hello there", "nothing", "say HELLO", "50% off", "other"):
            await alice.send_message(bob_user.id, text)
        await bob.send_message(alice_user.id, "hello from Bob")
        await alice.send_message("me", "hello me")
        found = await alice.get_messages(bob_user.id, search="hello", limit=10)
        assert [m.message for m in found] == ["hello from Bob", "say HELLO", "Hello there"] and found.total == 3
        assert [m.message for m in await alice.get_messages(bob_user.id, search="%", limit=10)] == ["50% off"]
        mine = await alice.get_messages(bob_user.id, search="hello", from_user="me", limit=10)
        assert [m.message for m in mine] == ["say HELLO", "Hello there"]
        paged = await alice.get_messages(bob_user.id, search="hello", limit=2)
        assert len(paged) == 2 and paged.total == 3
        everywhere = await alice.get_messages(None, search="hello", limit=10)
        assert sorted(m.message for m in everywhere) == sorted(
            ["hello me", "hello from Bob", "say HELLO", "Hello there"])
        # searchGlobal pages on with next_rate.
        first = await alice(functions.messages.SearchGlobalRequest(
            q="hello", filter=types.InputMessagesFilterEmpty(), min_date=None, max_date=None, offset_rate=0,
            offset_peer=types.InputPeerEmpty(), offset_id=0, limit=3))
        assert first.count == 4 and len(first.messages) == 3 and first.next_rate
        rest = await alice(functions.messages.SearchGlobalRequest(
            q="hello", filter=types.InputMessagesFilterEmpty(), min_date=None, max_date=None,
            offset_rate=first.next_rate, offset_peer=types.InputPeerEmpty(), offset_id=first.messages[-1].id,
            limit=3))
        assert [m.message for m in rest.messages] == ["Hello there"] and not rest.next_rate
        with pytest.raises(errors.SearchQueryEmptyError):
            await alice(functions.messages.SearchGlobalRequest(
                q="", filter=types.InputMessagesFilterEmpty(), min_date=None, max_date=None, offset_rate=0,
                offset_peer=types.InputPeerEmpty(), offset_id=0, limit=3))
        counters = await alice(functions.messages.GetSearchCountersRequest(
            peer=bob_user.id, filters=[types.InputMessagesFilterPhotos(), types.InputMessagesFilterPinned()]))
        assert [c.count for c in counters] == [0, 0]
        await disconnect(alice, bob)

    run(scenario())


def test_typing_reaches_the_other_party(server, run):
    from telethon import functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        typing = raw_queue(bob, types.UpdateUserTyping)
        await bob.get_dialogs()
        assert await alice(functions.messages.SetTypingRequest(peer=bob_user.id,
                                                               action=types.SendMessageTypingAction()))
        update = await asyncio.wait_for(typing.get(), 5)
        assert update.user_id == alice_user.id and isinstance(update.action, types.SendMessageTypingAction)
        async with alice.action(bob_user.id, "record-audio"):
            update = await asyncio.wait_for(typing.get(), 5)
        assert isinstance(update.action, types.SendMessageRecordAudioAction)
        await disconnect(alice, bob)

    run(scenario())


def test_pinned_messages_on_both_sides(server, run):
    from telethon import errors, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        pins = raw_queue(bob, types.UpdatePinnedMessages)
        await bob.get_dialogs()
        sent = await alice.send_message(bob_user.id, "remember this")
        service = await alice.pin_message(bob_user.id, sent.id, notify=True)
        assert isinstance(service.action, types.MessageActionPinMessage) and service.reply_to_msg_id == sent.id
        live = await asyncio.wait_for(pins.get(), 5)
        [bobs_copy] = [m for m in await bob.get_messages(alice_user.id, limit=5) if m.message == "remember this"]
        assert live.pinned and live.messages == [bobs_copy.id] and bobs_copy.pinned
        pinned = await bob.get_messages(alice_user.id, filter=types.InputMessagesFilterPinned, limit=5)
        assert [m.id for m in pinned] == [bobs_copy.id]
        # Already pinned: nothing happens, no second service message.
        assert await alice.pin_message(bob_user.id, sent.id) is None
        # One-sided: only Alice's copy.
        other = await bob.send_message(alice_user.id, "mine only")
        [alices_other] = await alice.get_messages(bob_user.id, limit=1)
        await alice.pin_message(bob_user.id, alices_other.id, pm_oneside=True)
        assert not (await bob.get_messages(alice_user.id, ids=other.id)).pinned
        assert len(await alice.get_messages(bob_user.id, filter=types.InputMessagesFilterPinned, limit=5)) == 2
        await alice.unpin_message(bob_user.id)  # all of them
        live = await asyncio.wait_for(pins.get(), 5)
        assert not live.pinned and live.messages == [bobs_copy.id]
        assert await alice.get_messages(bob_user.id, filter=types.InputMessagesFilterPinned, limit=5) == []
        with pytest.raises(errors.MessageIdInvalidError):
            await alice.pin_message(bob_user.id, 99999)
        await disconnect(alice, bob)

    run(scenario())


def test_pinned_dialogs_come_first_and_follow_the_user(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        carol, carol_user = await sign_up(server, pem, new_phone(), "Carol")
        to_alice = types.InputPeerUser(alice_user.id, alice_user.access_hash)
        await carol.send_message(to_alice, "hi Alice")
        await alice.send_message(bob_user.id, "hi Bob")
        await carol.send_message(to_alice, "newest")
        other_device, _ = await second_device(server, pem, "+" + alice_user.phone)
        pinned = raw_queue(other_device, types.UpdateDialogPinned, types.UpdatePinnedDialogs)
        assert [d.entity.id for d in people(await alice.get_dialogs())] == [carol_user.id, bob_user.id]
        assert await alice(functions.messages.ToggleDialogPinRequest(peer=bob_user.id, pinned=True))
        live = await asyncio.wait_for(pinned.get(), 5)
        assert isinstance(live, types.UpdateDialogPinned) and live.pinned
        assert live.peer.peer == types.PeerUser(bob_user.id)
        dialogs = people(await alice.get_dialogs())
        assert [(d.entity.id, d.pinned) for d in dialogs] == [(bob_user.id, True), (carol_user.id, False)]
        await alice.send_message("me", "note")
        assert await alice(functions.messages.ToggleDialogPinRequest(peer="me", pinned=True))
        await asyncio.wait_for(pinned.get(), 5)
        order = await alice(functions.messages.GetPinnedDialogsRequest(folder_id=0))
        assert [d.peer for d in order.dialogs] == [types.PeerUser(alice_user.id), types.PeerUser(bob_user.id)]
        assert order.state.pts >= 1
        assert await alice(functions.messages.ReorderPinnedDialogsRequest(
            order=[types.InputDialogPeer(types.InputPeerUser(bob_user.id, bob_user.access_hash)),
                   types.InputDialogPeer(types.InputPeerSelf())], folder_id=0, force=True))
        live = await asyncio.wait_for(pinned.get(), 5)
        assert isinstance(live, types.UpdatePinnedDialogs)
        assert [p.peer for p in live.order] == [types.PeerUser(bob_user.id), types.PeerUser(alice_user.id)]
        assert [d.entity.id for d in people(await alice.get_dialogs())][:3] == [bob_user.id, alice_user.id, carol_user.id]
        assert [d.entity.id for d in people(await alice.get_dialogs(ignore_pinned=True))] == [carol_user.id]
        stranger, stranger_user = await sign_up(server, pem, new_phone(), "Stranger")
        with pytest.raises(errors.PeerHistoryEmptyError):
            await alice(functions.messages.ToggleDialogPinRequest(
                peer=types.InputPeerUser(stranger_user.id, stranger_user.access_hash), pinned=True))
        # Five at most.
        others = [await sign_up(server, pem, new_phone(), f"Friend {i}") for i in range(3)]
        for client, _ in others:
            await client.send_message(to_alice, "hi")
        await alice.get_dialogs()
        for _, user in others[:2] + [(carol, carol_user)]:
            assert await alice(functions.messages.ToggleDialogPinRequest(peer=user.id, pinned=True))
        with pytest.raises(errors.PinnedDialogsTooMuchError):
            await alice(functions.messages.ToggleDialogPinRequest(peer=others[2][1].id, pinned=True))
        await disconnect(alice, bob, carol, other_device, stranger, *(client for client, _ in others))

    run(scenario())


def test_drafts_follow_the_user_and_a_sent_message_clears_them(server, run):
    from telethon import functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        await alice.send_message(bob_user.id, "hi")
        other_device, _ = await second_device(server, pem, "+" + alice_user.phone)
        drafts = raw_queue(other_device, types.UpdateDraftMessage)
        assert await alice(functions.messages.SaveDraftRequest(peer=bob_user.id, message="half a thought"))
        live = await asyncio.wait_for(drafts.get(), 5)
        assert live.peer == types.PeerUser(bob_user.id) and live.draft.message == "half a thought"
        [draft] = await alice.get_drafts()
        assert draft.text == "half a thought" and draft.entity.id == bob_user.id
        [dialog] = [d for d in await other_device.get_dialogs() if d.entity.id == bob_user.id]
        assert dialog.draft.text == "half a thought"
        await alice.send_message(bob_user.id, "the whole thought")
        live = await asyncio.wait_for(drafts.get(), 5)
        assert isinstance(live.draft, types.DraftMessageEmpty)
        assert await alice.get_drafts() == []
        await disconnect(alice, bob, other_device)

    run(scenario())


def test_peer_dialogs_and_settings(server, run):
    from telethon import functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        stranger, stranger_user = await sign_up(server, pem, new_phone(), "Stranger")
        to_alice = types.InputPeerUser(alice_user.id, alice_user.access_hash)
        await stranger.send_message(to_alice, "hello?")
        await alice.send_message(bob_user.id, "hi Bob")
        stranger_peer = types.InputPeerUser(stranger_user.id, stranger_user.access_hash)
        await alice.get_dialogs()  # Alice learns the stranger's access hash
        settings = await alice(functions.messages.GetPeerSettingsRequest(peer=stranger_peer))
        assert settings.settings.add_contact and settings.settings.block_contact
        assert [u.id for u in settings.users] == [stranger_user.id]
        contact = await alice(functions.messages.GetPeerSettingsRequest(peer=bob_user.id))
        assert not contact.settings.add_contact and not contact.settings.block_contact
        mine = await stranger(functions.messages.GetPeerSettingsRequest(peer=to_alice))
        assert not mine.settings.add_contact  # the stranger wrote first
        result = await alice(functions.messages.GetPeerDialogsRequest(peers=[
            types.InputDialogPeer(stranger_peer), types.InputDialogPeer(types.InputPeerSelf())]))
        assert [d.peer for d in result.dialogs] == [types.PeerUser(stranger_user.id), types.PeerUser(alice_user.id)]
        assert result.dialogs[0].unread_count == 1 and result.dialogs[1].top_message == 0
        assert [m.message for m in result.messages] == ["hello?"] and result.state.pts > 1
        await disconnect(alice, bob, stranger)

    run(scenario())


def test_an_offline_peer_catches_up_on_forwards_pins_and_cleared_history(server, run):
    from telethon import functions

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        first = await alice.send_message(bob_user.id, "first")
        state = await bob(functions.updates.GetStateRequest())
        await bob.disconnect()
        await alice.forward_messages(bob_user.id, first.id, bob_user.id)
        await alice.pin_message(bob_user.id, first.id, notify=True)
        await alice.delete_dialog(bob_user.id, revoke=True)
        await bob.connect()
        diff = await bob(functions.updates.GetDifferenceRequest(pts=state.pts, date=state.date, qts=0))
        # The forward, the pin, its service message, and the deletion of those three and "first".
        assert diff.state.pts == state.pts + 1 + 1 + 1 + 3
        # The messages themselves are gone by now; what is left says so.
        assert [type(u).__name__ for u in diff.other_updates] == ["UpdatePinnedMessages", "UpdateDeleteMessages"]
        assert diff.new_messages == [] and len(diff.other_updates[1].messages) == 3
        await disconnect(alice, bob)

    run(scenario())


def test_pyrogram_layer_158_forwards_searches_pins_and_drafts(server, run):
    """The same features through an old layer's constructors (forward header, service
    message, draft, dialogs) with Pyrogram's high-level calls."""
    from pyrogram import Client, enums, raw

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]
    phone = new_phone()

    async def scenario():
        app = Client("pyro_features", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        me = await app.sign_up(phone, sent.phone_code_hash, "Pyro")
        bob, bob_user = await sign_up(server, pem, new_phone(), "Bob")
        await bob.send_message(await _input_of(bob, me), "pyro, remember this")
        dialogs = [d async for d in app.get_dialogs()]
        assert [d.chat.id for d in dialogs] == [bob_user.id]
        [original] = [m async for m in app.get_chat_history(bob_user.id, limit=1)]
        [saved] = await app.forward_messages("me", bob_user.id, [original.id])
        assert saved.forward_from.id == bob_user.id and saved.text == "pyro, remember this"
        found = [m async for m in app.search_messages(bob_user.id, query="REMEMBER")]
        assert [m.id for m in found] == [original.id]
        service = await app.pin_chat_message(bob_user.id, original.id, both_sides=True)
        assert service.service == enums.MessageServiceType.PINNED_MESSAGE
        pinned = [m async for m in app.search_messages(bob_user.id, filter=enums.MessagesFilter.PINNED)]
        assert [m.id for m in pinned] == [original.id]
        await app.invoke(raw.functions.messages.SaveDraft(peer=await app.resolve_peer(bob_user.id), message="hm"))
        assert await app.invoke(raw.functions.messages.ToggleDialogPin(
            peer=raw.types.InputDialogPeer(peer=await app.resolve_peer(bob_user.id)), pinned=True))
        dialogs = [d async for d in app.get_dialogs()]
        assert [(d.chat.id, d.is_pinned) for d in dialogs][0] == (bob_user.id, True)
        assert dialogs[0].top_message.service == enums.MessageServiceType.PINNED_MESSAGE
        await app.disconnect()
        await bob.disconnect()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())


async def _input_of(client, user):
    """An input peer for a user the Telethon client has never seen (by id and access hash)."""
    from telethon import functions, types

    found = await client(functions.contacts.SearchRequest(q=user.first_name, limit=10))
    [match] = [u for u in found.users if u.id == user.id]
    return types.InputPeerUser(match.id, match.access_hash)
