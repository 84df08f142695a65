"""Two server processes on one PostgreSQL + Redis: a user on one process sees what a
user on the other does, live (presence, messages), a session ended on one is refused
at once on the other, a profile or privacy change made through one shows in the next
push the other renders, and a setting changed through one process's admin API applies
to the other at once."""

import asyncio
import time

import pytest

from .admin_http import call
from .server_process import mtserver
from .test_accounts import status_reaches_contact


def test_presence_crosses_processes(two_servers):
    first, second = two_servers
    pem = first.public_key()[0]
    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(status_reaches_contact(first, second, pem), 60))
    assert '"handshake_done"' in first.log() and '"handshake_done"' in second.log()


def test_a_message_sent_on_one_process_arrives_live_on_the_other(two_servers):
    from telethon import events, functions, types

    from .test_accounts import new_phone, sign_up

    first, second = two_servers
    pem = first.public_key()[0]

    async def scenario():
        alice, _ = await sign_up(first, pem, new_phone(), "Alice")
        bob, bob_user = await sign_up(second, pem, new_phone(), "Bob", receive_updates=True)
        got = asyncio.Queue()
        bob.add_event_handler(lambda e: got.put_nowait(e.message.message), events.NewMessage(incoming=True))
        await bob(functions.updates.GetStateRequest())
        await asyncio.sleep(0.2)  # Bob's process subscribes to his channel
        await alice(functions.messages.SendMessageRequest(
            peer=types.InputPeerUser(bob_user.id, bob_user.access_hash), message="across", random_id=7))
        assert await asyncio.wait_for(got.get(), 5) == "across"
        for c in (alice, bob):
            await c.disconnect()

    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(scenario(), 60))


def test_a_device_logged_out_on_one_process_is_refused_at_once_on_the_other(two_servers):
    """Each process remembers which user a key is logged in as (server/authorization_cache.py);
    ending a session on one process reaches the other's memory before the answer leaves."""
    from telethon import errors, functions

    from .test_accounts import new_phone, sign_in, sign_up

    first, second = two_servers
    pem = first.public_key()[0]

    async def scenario():
        phone = new_phone()
        old, _ = await sign_up(first, pem, phone, "Ann")
        for _ in range(3):  # the process remembers this key's login now
            assert (await old.get_me()).phone == phone[1:]
        new = await sign_in(second, pem, phone)
        assert await new(functions.auth.ResetAuthorizationsRequest())
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await old(functions.updates.GetStateRequest())
        assert (await new.get_me()).phone == phone[1:]
        for c in (old, new):
            await c.disconnect()

    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(scenario(), 60))


def test_a_setting_changed_on_one_process_applies_on_the_other(two_servers):
    first, second = two_servers
    made = mtserver("admin", "--database", first.database, "--data-dir", str(first.data_dir), "token", "create",
                    "--name", "scale")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    try:
        status, answer, _ = call(first, "PUT", "/admin/api/settings", {"max_connections_per_address": 123},
                                 token=token)
        assert status == 200 and answer["published_to_other_processes"] is True
        deadline = time.monotonic() + 10
        while call(second, "GET", "/admin/api/settings", token=token)[1]["settings"][
                "max_connections_per_address"] != 123:
            assert time.monotonic() < deadline, second.log()
            time.sleep(0.1)
        assert '"settings_changed"' in second.log() and '"settings_changed"' not in first.log()
    finally:
        call(first, "PUT", "/admin/api/settings", {"max_connections_per_address": 500}, token=token)


def test_a_privacy_or_profile_change_on_one_process_shows_in_the_next_push_on_the_other(two_servers, tmp_path):
    """Each process remembers what user views read of each user (server/user_cache.py);
    a change made through one process reaches the other's memory before the answer
    leaves, so the next message pushed from the other shows it."""
    from telethon import events, functions, types

    from .test_accounts import new_phone, sign_up
    from .test_media import jpeg_file

    first, second = two_servers
    pem = first.public_key()[0]
    jpeg_file(tmp_path / "me.jpg", 64, 64, seed=3)

    async def scenario():
        alice, alice_user = await sign_up(first, pem, new_phone(), "Alice")
        bob, bob_user = await sign_up(second, pem, new_phone(), "Bob", receive_updates=True)
        pushed = asyncio.Queue()
        bob.add_event_handler(pushed.put_nowait, events.Raw(types.UpdateNewMessage))
        await bob(functions.updates.GetStateRequest())
        await asyncio.sleep(0.2)  # Bob's process subscribes to his channel
        peer = types.InputPeerUser(bob_user.id, bob_user.access_hash)

        async def alice_as_pushed(text: str, random_id: int):
            """Alice's user object in the push of her next message, rendered by Bob's process."""
            await alice(functions.messages.SendMessageRequest(peer=peer, message=text, random_id=random_id))
            update = await asyncio.wait_for(pushed.get(), 5)
            assert update.message.message == text
            return update._entities[alice_user.id]

        for i in range(2):  # the second process remembers her rows now
            seen = await alice_as_pushed(f"hello {i}", 10 + i)
            assert seen.first_name == "Alice" and seen.photo is None
            assert isinstance(seen.status, (types.UserStatusOnline, types.UserStatusOffline))  # exact

        await alice(functions.account.SetPrivacyRequest(key=types.InputPrivacyKeyStatusTimestamp(),
                                                        rules=[types.InputPrivacyValueDisallowAll()]))
        seen = await alice_as_pushed("privacy", 20)
        assert isinstance(seen.status, types.UserStatusRecently)  # rounded for Bob now

        await alice(functions.account.UpdateProfileRequest(first_name="Alicia"))
        assert (await alice_as_pushed("name", 21)).first_name == "Alicia"

        uploaded = await alice(functions.photos.UploadProfilePhotoRequest(
            file=await alice.upload_file(str(tmp_path / "me.jpg"))))
        seen = await alice_as_pushed("photo", 22)
        assert seen.photo is not None and seen.photo.photo_id == uploaded.photo.id

        await alice(functions.account.SetPrivacyRequest(key=types.InputPrivacyKeyProfilePhoto(),
                                                        rules=[types.InputPrivacyValueDisallowAll()]))
        assert (await alice_as_pushed("photo hidden", 23)).photo is None
        for c in (alice, bob):
            await c.disconnect()

    with asyncio.Runner() as runner:
        runner.run(asyncio.wait_for(scenario(), 90))
