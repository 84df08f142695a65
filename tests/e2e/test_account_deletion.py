"""Deleting an account with its data (rpc/services/account_deletion.py), with unmodified
Telethon clients against a real server: by an operator through the admin API, and by
the user through account.deleteAccount. The deleted user's client is logged out, the
others keep the history with the sender shown as a deleted account, the group shows
them leaving, and the phone number signs up again as a new account."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .admin_http import call, create_token, start_admin_server
from .test_accounts import new_phone, sign_up
from .test_admin_api import next_request
from .test_groups import input_user, listen
from .test_media import jpeg_file


@pytest.fixture(scope="module")
def admin(tmp_path_factory):
    """(server, pem, token)."""
    server = start_admin_server(tmp_path_factory.mktemp("account_deletion") / "data")
    try:
        yield server, server.public_key()[0], create_token(server, "moderator")
    finally:
        server.stop()


def media_files(server) -> set[Path]:
    return {p for p in (Path(server.data_dir) / "media").rglob("*") if p.is_file()}


def test_an_operator_deletes_an_account_with_its_data(admin, run, tmp_path):
    from telethon import errors, events, functions, types

    server, pem, token = admin
    ann_phone, ben_phone, cat_phone = new_phone(), new_phone(), new_phone()

    async def scenario():
        ann, ann_user = await sign_up(server, pem, ann_phone, "Ann", "Gone", receive_updates=True)
        ben, ben_user = await sign_up(server, pem, ben_phone, "Ben", receive_updates=True)
        cat, cat_user = await sign_up(server, pem, cat_phone, "Cat", receive_updates=True)
        fresh = None
        try:
            for me, others in ((ann, (ben_phone, cat_phone)), (ben, (ann_phone,))):
                await me(functions.contacts.ImportContactsRequest(
                    [types.InputPhoneContact(i, phone, "", "") for i, phone in enumerate(others)]))
            await ann(functions.account.UpdateUsernameRequest("ann_to_be_deleted"))
            before_photo = media_files(server)
            jpeg_file(tmp_path / "me.jpg", 400, 400, 3)
            await ann(functions.photos.UploadProfilePhotoRequest(file=await ann.upload_file(str(tmp_path / "me.jpg"))))
            photo_files = media_files(server) - before_photo
            assert photo_files  # the original and its sizes

            await ann.send_message(ben_user.id, "hello Ben")
            await ben.send_message(ann_user.id, "hello Ann")
            created = await ben(functions.messages.CreateChatRequest(
                users=[input_user(ann_user), input_user(cat_user)], title="Trio"))
            chat = created.updates.chats[0]
            await ann.send_message(types.PeerChat(chat.id), "Ann in the group")
            for client in (ben, cat):
                await client.get_dialogs()  # their sessions ask for updates
            cat_actions = listen(cat, events.ChatAction())

            status, done, _ = call(server, "DELETE", f"/admin/api/users/{ann_user.id}", token=token)
            assert status == 200, done
            assert (done["deleted"], done["devices_logged_out"], done["groups_left"]) == (True, 1, 1)
            assert done["contacts_removed_from"] == 1 and done["messages_deleted"] >= 4

            # Ann's client is logged out.
            with pytest.raises(errors.AuthKeyUnregisteredError):
                await next_request(ann)

            # Cat sees Ann leave the group, live.
            left = await asyncio.wait_for(cat_actions.get(), 5)
            assert left.user_left or left.user_kicked
            assert isinstance(left.action_message.action, types.MessageActionChatDeleteUser)
            assert left.action_message.action.user_id == ann_user.id

            # Ben keeps the private history; its sender is a deleted account.
            history = await ben(functions.messages.GetHistoryRequest(
                peer=types.InputPeerUser(ann_user.id, ann_user.access_hash), offset_id=0, offset_date=None,
                add_offset=0, limit=10, max_id=0, min_id=0, hash=0))
            assert [m.message for m in history.messages] == ["hello Ann", "hello Ben"]
            [shown] = [u for u in history.users if u.id == ann_user.id]
            assert shown.deleted and shown.first_name is None and shown.phone is None and shown.username is None
            assert shown.photo is None
            # ... and in the group, Ann's message stays; she is no member.
            group = await ben(functions.messages.GetHistoryRequest(
                peer=types.InputPeerChat(chat.id), offset_id=0, offset_date=None, add_offset=0, limit=10,
                max_id=0, min_id=0, hash=0))
            assert "Ann in the group" in [m.message for m in group.messages]
            full = await ben(functions.messages.GetFullChatRequest(chat.id))
            assert sorted(p.user_id for p in full.full_chat.participants.participants) == sorted(
                [ben_user.id, cat_user.id])
            # Nobody has her as a contact; nobody can write to her; her username is free.
            contacts = await ben(functions.contacts.GetContactsRequest(hash=0))
            assert ann_user.id not in [c.user_id for c in contacts.contacts]
            with pytest.raises(errors.InputUserDeactivatedError):
                await ben.send_message(types.InputPeerUser(ann_user.id, ann_user.access_hash), "still there?")
            with pytest.raises(errors.UsernameNotOccupiedError):
                await ben(functions.contacts.ResolveUsernameRequest("ann_to_be_deleted"))
            # Her profile photo's objects are gone from the media store.
            assert not photo_files & media_files(server)

            # The operator sees a deleted account; deleting it again changes nothing.
            viewed = call(server, "GET", f"/admin/api/users/{ann_user.id}", token=token)[1]
            assert (viewed["deleted"], viewed["phone"], viewed["first_name"], viewed["sessions"]) == (True, "", "", 0)
            again = call(server, "DELETE", f"/admin/api/users/{ann_user.id}", token=token)[1]
            assert (again["devices_logged_out"], again["groups_left"], again["messages_deleted"]) == (0, 0, 0)

            # The number signs up again: a new, empty account.
            fresh, fresh_user = await sign_up(server, pem, ann_phone, "Ann", "Again")
            assert fresh_user.id != ann_user.id
            assert (await fresh.get_dialogs()) == []
            assert (await fresh(functions.contacts.GetContactsRequest(hash=0))).contacts == []
        finally:
            for client in (ann, ben, cat, fresh):
                if client is not None:
                    await client.disconnect()

    run(scenario())


def test_a_user_deletes_their_own_account(admin, run):
    from telethon import errors, functions
    from telethon.password import compute_check

    server, pem, token = admin
    phone = new_phone()

    async def scenario():
        client, user = await sign_up(server, pem, phone, "Dee")
        try:
            assert await client.edit_2fa(new_password="correct horse", hint="horse")
            # With a 2FA password the password must come along (no delayed deletion here).
            with pytest.raises(errors.PasswordRequiredError):
                await client(functions.account.DeleteAccountRequest(reason="bye"))
            wrong = compute_check(await client(functions.account.GetPasswordRequest()), "wrong")
            with pytest.raises(errors.PasswordHashInvalidError):
                await client(functions.account.DeleteAccountRequest(reason="bye", password=wrong))
            check = compute_check(await client(functions.account.GetPasswordRequest()), "correct horse")
            assert await client(functions.account.DeleteAccountRequest(reason="bye", password=check)) is True
            with pytest.raises(errors.AuthKeyUnregisteredError):
                await next_request(client)
        finally:
            await client.disconnect()
        viewed = call(server, "GET", f"/admin/api/users/{user.id}", token=token)[1]
        assert viewed["deleted"] is True
        again, again_user = await sign_up(server, pem, phone, "Dee")
        assert again_user.id != user.id
        # The new account has no password: the old one went with the old account.
        assert not (await again(functions.account.GetPasswordRequest())).has_password
        await again.disconnect()

    run(scenario())
