"""Private messages with unmodified Telethon clients: live delivery, history, dialogs,
read receipts and catching up after being offline (updates.getDifference)."""

import asyncio

import pytest

from .test_accounts import new_phone, sign_up


@pytest.fixture(scope="module")
def server(messaging_server):
    return messaging_server



async def pair(server):
    """Alice and Bob, each in the other's contacts, Bob receiving updates."""
    from telethon import functions, types

    pem = server.public_key()[0]
    alice_phone, bob_phone = new_phone(), new_phone()
    alice, alice_user = await sign_up(server, pem, alice_phone, "Alice", receive_updates=True)
    bob, bob_user = await sign_up(server, pem, bob_phone, "Bob", receive_updates=True)
    for me, phone, name in ((alice, bob_phone, "Bob"), (bob, alice_phone, "Alice")):
        await me(functions.contacts.ImportContactsRequest([types.InputPhoneContact(1, phone, name, "")]))
    return pem, alice, alice_user, bob, bob_user


def test_a_message_arrives_live_and_in_history(server, run):
    from telethon import events

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        got = asyncio.Queue()
        bob.add_event_handler(lambda e: got.put_nowait(e.message), events.NewMessage(incoming=True))
        await bob.get_dialogs()  # Bob's session asks for updates
        sent = await alice.send_message(bob_user.id, "hello Bob", reply_to=None)
        live = await asyncio.wait_for(got.get(), 5)
        assert (live.message, live.sender_id, live.out) == ("hello Bob", alice_user.id, False)
        history = await bob.get_messages(alice_user.id, limit=10)
        assert [m.message for m in history] == ["hello Bob"] and history[0].id == live.id
        mine = await alice.get_messages(bob_user.id, limit=10)
        assert [(m.id, m.out) for m in mine] == [(sent.id, True)]
        dialogs = await bob.get_dialogs()
        assert [d.entity.id for d in dialogs] == [alice_user.id] and dialogs[0].unread_count == 1
        await bob.send_read_acknowledge(alice_user.id)
        assert (await bob.get_dialogs())[0].unread_count == 0
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_offline_user_catches_up_with_get_difference(server, run):
    from telethon import functions

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        state = await bob(functions.updates.GetStateRequest())
        await bob.disconnect()
        for i in range(130):  # more than one getDifference answer
            await alice.send_message(bob_user.id, f"m{i}")
        await bob.connect()
        seen, pts = [], state.pts
        while True:
            diff = await bob(functions.updates.GetDifferenceRequest(pts=pts, date=state.date, qts=0))
            seen += [m.message for m in diff.new_messages]
            if hasattr(diff, "intermediate_state"):
                pts = diff.intermediate_state.pts
                continue
            break
        assert seen == [f"m{i}" for i in range(130)]
        assert diff.state.pts == state.pts + 130
        again = await bob(functions.updates.GetDifferenceRequest(pts=diff.state.pts, date=diff.state.date, qts=0))
        assert type(again).__name__ == "DifferenceEmpty"
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_bad_sends_get_telegrams_errors(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        with pytest.raises(errors.MessageEmptyError):
            await alice(functions.messages.SendMessageRequest(peer=types.InputPeerUser(bob_user.id, bob_user.access_hash),
                                                              message="  ", random_id=1))
        with pytest.raises(errors.MessageTooLongError):
            await alice(functions.messages.SendMessageRequest(peer=types.InputPeerUser(bob_user.id, bob_user.access_hash),
                                                              message="x" * 4097, random_id=2))
        with pytest.raises(errors.PeerIdInvalidError):
            await alice(functions.messages.SendMessageRequest(peer=types.InputPeerUser(bob_user.id, 12345),
                                                              message="hi", random_id=3))
        # A retried send (same random_id) is one message.
        peer = types.InputPeerUser(bob_user.id, bob_user.access_hash)
        first = await alice(functions.messages.SendMessageRequest(peer=peer, message="once", random_id=99))
        again = await alice(functions.messages.SendMessageRequest(peer=peer, message="once", random_id=99))
        assert first.id == again.id
        assert [m.message for m in await bob.get_messages(alice_user.id, limit=10)] == ["once"]
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())


def test_edits_and_deletions_reach_the_other_side(server, run):
    from telethon import errors, events

    async def scenario():
        pem, alice, alice_user, bob, bob_user = await pair(server)
        edited, deleted = asyncio.Queue(), asyncio.Queue()
        bob.add_event_handler(lambda e: edited.put_nowait(e.message), events.MessageEdited())
        bob.add_event_handler(lambda e: deleted.put_nowait(e.deleted_ids), events.MessageDeleted())
        await bob.get_dialogs()
        sent = await alice.send_message(bob_user.id, "tpyo")
        await alice.edit_message(bob_user.id, sent.id, "typo")
        live = await asyncio.wait_for(edited.get(), 5)
        assert live.message == "typo" and live.edit_date is not None
        assert [m.message for m in await bob.get_messages(alice_user.id, limit=5)] == ["typo"]
        bobs_copy = live.id
        with pytest.raises(errors.MessageAuthorRequiredError):
            await bob.edit_message(alice_user.id, bobs_copy, "not mine")
        await alice.delete_messages(bob_user.id, [sent.id], revoke=True)
        assert await asyncio.wait_for(deleted.get(), 5) == [bobs_copy]
        assert await bob.get_messages(alice_user.id, limit=5) == []
        assert await alice.get_messages(bob_user.id, limit=5) == []
        for c in (alice, bob):
            await c.disconnect()

    run(scenario())
