"""Accounts with an unmodified Telethon: sign up, log in and out, several devices, 2FA,
usernames, contacts and privacy — against a real server process with a fixed code.

Telethon 1.45 refuses `sign_up()` for third-party apps, so sign-up goes through its raw
API (`client(functions.auth.SignUpRequest(...))`), as any client would send it.
"""

import asyncio
import itertools

import pytest

from .clients import telethon_client
from .server_process import ServerProcess

CODE = "12345"
_phones = itertools.count(1)


def new_phone() -> str:
    return f"+1555{next(_phones):07d}"


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


@pytest.fixture(scope="module")
def pem(server):
    return server.public_key()[0]



async def connect(server, pem, receive_updates=False, **options):
    client = telethon_client(pem, server.port, receive_updates=receive_updates, host=server.host, **options)
    await client.connect()
    return client


async def sign_up(server, pem, phone, first_name="Ann", last_name="", receive_updates=False, **options):
    from telethon import errors, functions

    client = await connect(server, pem, receive_updates, **options)
    sent = await client.send_code_request(phone)
    with pytest.raises(errors.PhoneNumberUnoccupiedError):
        await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
    result = await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                       first_name=first_name, last_name=last_name))
    await client._on_login(result.user)
    return client, result.user


async def sign_in(server, pem, phone, password=None):
    client = await connect(server, pem)
    await client.send_code_request(phone)
    if password is None:
        await client.sign_in(phone, CODE)
    else:
        from telethon import errors

        with pytest.raises(errors.SessionPasswordNeededError):
            await client.sign_in(phone, CODE)
        await client.sign_in(password=password)
    return client


async def second_device(server, pem, phone):
    """Another logged-in session of the account `phone`, receiving updates; with the
    auth.sentCode its login got."""
    client = telethon_client(pem, server.port, receive_updates=True, host=server.host)
    await client.connect()
    sent = await client.send_code_request(phone)
    await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
    await client.get_dialogs()  # its session now receives updates
    return client, sent


def test_sign_up_log_out_and_sign_in_again(server, pem, run):
    phone = new_phone()

    async def scenario():
        client, user = await sign_up(server, pem, phone, "Ann", "Lee")
        me = await client.get_me()
        assert (me.id, me.first_name, me.last_name, me.phone) == (user.id, "Ann", "Lee", phone[1:])
        state = await client(__import__("telethon").functions.updates.GetStateRequest())
        assert state.pts >= 1
        assert await client.log_out()
        again = await sign_in(server, pem, phone)
        assert (await again.get_me()).id == user.id
        await again.disconnect()

    run(scenario())


def test_two_devices_see_each_other_and_one_revokes_the_other(server, pem, run):
    from telethon import errors, functions

    phone = new_phone()

    async def scenario():
        first, _ = await sign_up(server, pem, phone)
        second = await sign_in(server, pem, phone)
        auths = (await first(functions.account.GetAuthorizationsRequest())).authorizations
        assert len(auths) == 2 and sum(a.current for a in auths) == 1
        other = next(a for a in auths if not a.current)
        assert other.api_id == 1 and other.hash != 0
        assert await first(functions.account.ResetAuthorizationRequest(hash=other.hash))
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await second(functions.users.GetUsersRequest(id=["me"]))
        assert len((await first(functions.account.GetAuthorizationsRequest())).authorizations) == 1
        await first.disconnect()
        await second.disconnect()

    run(scenario())


def test_two_step_password_is_required_at_the_next_login(server, pem, run):
    from telethon import errors

    phone = new_phone()

    async def scenario():
        client, user = await sign_up(server, pem, phone)
        assert await client.edit_2fa(new_password="correct horse", hint="horse")
        await client.disconnect()
        wrong = await connect(server, pem)
        await wrong.send_code_request(phone)
        with pytest.raises(errors.SessionPasswordNeededError):
            await wrong.sign_in(phone, CODE)
        with pytest.raises(errors.PasswordHashInvalidError):
            await wrong.sign_in(password="battery staple")
        await wrong.disconnect()
        again = await sign_in(server, pem, phone, password="correct horse")
        assert (await again.get_me()).id == user.id
        await again.disconnect()

    run(scenario())


def test_username_is_set_and_resolved_by_another_user(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        alice, alice_user = await sign_up(server, pem, new_phone(), "Alice")
        bob, _ = await sign_up(server, pem, new_phone(), "Bob")
        with pytest.raises(errors.UsernameInvalidError):
            await alice(functions.account.UpdateUsernameRequest(username="a!"))
        await alice(functions.account.UpdateUsernameRequest(username="alice_e2e"))
        with pytest.raises(errors.UsernameOccupiedError):
            await bob(functions.account.UpdateUsernameRequest(username="Alice_E2E"))
        assert not await bob(functions.account.CheckUsernameRequest(username="alice_e2e"))
        found = await bob(functions.contacts.ResolveUsernameRequest(username="alice_e2e"))
        assert found.users[0].id == alice_user.id and found.users[0].username == "alice_e2e"
        with pytest.raises(errors.UsernameNotOccupiedError):
            await bob(functions.contacts.ResolveUsernameRequest(username="nobody_here"))
        await alice.disconnect()
        await bob.disconnect()

    run(scenario())


def test_contacts_import_and_phone_privacy(server, pem, run):
    from telethon import functions, types

    alice_phone, carol_phone = new_phone(), new_phone()

    async def scenario():
        alice, alice_user = await sign_up(server, pem, alice_phone, "Alice")
        bob, bob_user = await sign_up(server, pem, new_phone(), "Bob")
        carol, _ = await sign_up(server, pem, carol_phone, "Carol")
        imported = await bob(functions.contacts.ImportContactsRequest([
            types.InputPhoneContact(client_id=1, phone=alice_phone, first_name="Ally", last_name=""),
            types.InputPhoneContact(client_id=2, phone="+999", first_name="Nobody", last_name="")]))
        assert [c.user_id for c in imported.imported] == [alice_user.id]
        assert imported.users[0].first_name == "Ally" and imported.users[0].contact
        contacts = await bob(functions.contacts.GetContactsRequest(hash=0))
        assert [u.id for u in contacts.users] == [alice_user.id]
        assert isinstance(await bob(functions.contacts.GetContactsRequest(hash=contacts_hash([alice_user.id]))),
                          types.contacts.ContactsNotModified)
        # Alice hides her number from everyone; Carol (not a contact) never sees it.
        await alice(functions.account.UpdateUsernameRequest(username="alice_private"))
        await alice(functions.account.SetPrivacyRequest(key=types.InputPrivacyKeyPhoneNumber(),
                                                        rules=[types.InputPrivacyValueDisallowAll()]))
        seen_by_carol = (await carol(functions.contacts.ResolveUsernameRequest(username="alice_private"))).users[0]
        assert seen_by_carol.phone is None
        rules = await alice(functions.account.GetPrivacyRequest(key=types.InputPrivacyKeyPhoneNumber()))
        assert isinstance(rules.rules[0], types.PrivacyValueDisallowAll)
        # Bob saved her number himself, so he keeps seeing it.
        full = await bob(functions.users.GetUsersRequest(id=[types.InputUser(alice_user.id, imported.users[0].access_hash)]))
        assert full[0].phone == alice_phone[1:]
        for c in (alice, bob, carol):
            await c.disconnect()

    run(scenario())


def contacts_hash(ids):
    from rpc.contacts.contacts import contacts_hash as h

    return h(ids)


def test_bad_input_gets_telegrams_errors(server, pem, run):
    from telethon import errors, functions

    async def scenario():
        client = await connect(server, pem)
        with pytest.raises(errors.PhoneNumberInvalidError):
            await client.send_code_request("+12")
        phone = new_phone()
        sent = await client.send_code_request(phone)
        with pytest.raises(errors.PhoneCodeInvalidError):
            await client.sign_in(phone, "00000", phone_code_hash=sent.phone_code_hash)
        with pytest.raises(errors.PhoneCodeExpiredError):
            await client.sign_in(phone, CODE, phone_code_hash="0123456789abcdef")
        with pytest.raises(errors.PhoneNumberUnoccupiedError):
            await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
        # The code was good, so sign-up may follow; an empty name is refused.
        with pytest.raises(errors.FirstNameInvalidError):
            await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                      first_name="  ", last_name=""))
        await client.disconnect()

    run(scenario())


def test_guessing_codes_is_rate_limited(server, pem, run):
    from telethon import errors

    async def scenario():
        client = await connect(server, pem)
        phone = new_phone()
        sent = await client.send_code_request(phone)
        with pytest.raises((errors.FloodWaitError, errors.PhoneCodeExpiredError)):
            for guess in range(20):
                try:
                    await client.sign_in(phone, f"{guess:05d}", phone_code_hash=sent.phone_code_hash)
                except errors.PhoneCodeInvalidError:
                    continue
        await client.disconnect()

    run(scenario())


async def status_reaches_contact(alice_server, bob_server, pem):
    """Bob (on bob_server) has Alice (on alice_server) in his contacts and is told live
    when she comes online."""
    from telethon import events, functions, types

    alice_phone = new_phone()
    alice, alice_user = await sign_up(alice_server, pem, alice_phone, "Alice")
    bob, _ = await sign_up(bob_server, pem, new_phone(), "Bob", receive_updates=True)
    await bob(functions.contacts.ImportContactsRequest([
        types.InputPhoneContact(client_id=1, phone=alice_phone, first_name="Alice", last_name="")]))
    online, offline = asyncio.Event(), asyncio.Event()

    @bob.on(events.UserUpdate)
    async def on_status(event):
        if event.user_id == alice_user.id:
            (online if event.online else offline).set()

    await bob(functions.updates.GetStateRequest())  # bob's session now receives updates
    await asyncio.sleep(0.2)  # his connection subscribes to his channel
    await alice(functions.account.UpdateStatusRequest(offline=False))
    await asyncio.wait_for(online.wait(), 5)
    await alice.disconnect()  # her last connection closes: she goes offline
    await asyncio.wait_for(offline.wait(), 5)
    await bob.disconnect()


def test_online_status_is_pushed_to_contacts(server, pem, run):
    run(status_reaches_contact(server, server, pem))


def test_a_restart_loses_no_account_key_or_login(server, pem, run):
    from telethon import functions

    phone = new_phone()
    holder = {}

    async def before():
        client, user = await sign_up(server, pem, phone, "Rita")
        await client(functions.account.UpdateUsernameRequest(username="rita_restart_" + server.port.__str__()[-3:]))
        holder["client"], holder["user"] = client, user
        await client.disconnect()

    async def after():
        client = holder["client"]
        await client.connect()  # same auth key, same session storage
        me = await client.get_me()
        assert (me.id, me.first_name, me.username) == (holder["user"].id, "Rita", "rita_restart_" + str(server.port)[-3:])
        await client.disconnect()

    run(before())
    server.restart()
    run(after())


@pytest.fixture(scope="module")
def invite_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("invite") / "data",
                         env={"MTSERVER_CODE_SENDER": f"fixed:{CODE}", "MTSERVER_REGISTRATION": "invite"}).start()
    yield proc
    proc.stop()


def test_invite_only_registration(invite_server, run):
    from telethon import errors, functions

    from .server_process import mtserver

    pem = invite_server.public_key()[0]
    invite = mtserver("admin", "--data-dir", str(invite_server.data_dir), "invites", "create").stdout.strip()
    phone = new_phone()

    async def scenario():
        client = await connect(invite_server, pem)
        sent = await client.send_code_request(phone)
        with pytest.raises(errors.PhoneCodeInvalidError):
            await client.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)  # no code: an invite
        with pytest.raises(errors.PhoneNumberUnoccupiedError):
            await client.sign_in(phone, invite, phone_code_hash=sent.phone_code_hash)
        result = await client(functions.auth.SignUpRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash,
                                                           first_name="Invited", last_name=""))
        assert result.user.first_name == "Invited"
        # The invite is used up.
        other = await connect(invite_server, pem)
        phone2 = new_phone()
        sent2 = await other.send_code_request(phone2)
        with pytest.raises(errors.PhoneCodeInvalidError):
            await other.sign_in(phone2, invite, phone_code_hash=sent2.phone_code_hash)
        for c in (client, other):
            await c.disconnect()

    run(scenario())


def test_profile_full_user_and_contact_management(server, pem, run):
    from telethon import errors, functions, types

    dan_phone = new_phone()

    async def scenario():
        dan, dan_user = await sign_up(server, pem, dan_phone, "Dan")
        eve, eve_user = await sign_up(server, pem, new_phone(), "Eve")
        me = await dan(functions.account.UpdateProfileRequest(first_name="Daniel", last_name="Q", about="hi there"))
        assert (me.first_name, me.last_name) == ("Daniel", "Q")
        with pytest.raises(errors.FirstNameInvalidError):
            await dan(functions.account.UpdateProfileRequest(first_name=""))
        with pytest.raises(errors.AboutTooLongError):
            await dan(functions.account.UpdateProfileRequest(about="x" * 71))
        await dan(functions.account.UpdateUsernameRequest(username=f"daniel_{server.port}"))
        found = await eve(functions.contacts.SearchRequest(q=f"daniel_{server.port}", limit=10))
        assert [u.id for u in found.users] == [dan_user.id] and found.results[0].user_id == dan_user.id
        dan_for_eve = found.users[0]
        full = await eve(functions.users.GetFullUserRequest(id=types.InputUser(dan_user.id, dan_for_eve.access_hash)))
        assert full.full_user.about == "hi there" and not full.full_user.blocked
        # A wrong access hash is refused.
        with pytest.raises(errors.UserIdInvalidError):
            await eve(functions.users.GetFullUserRequest(id=types.InputUser(dan_user.id, dan_for_eve.access_hash ^ 1)))
        # Add, mutual, delete.
        await eve(functions.contacts.AddContactRequest(id=types.InputUser(dan_user.id, dan_for_eve.access_hash),
                                                       first_name="D", last_name="", phone=""))
        eve_for_dan = (await dan(functions.contacts.SearchRequest(q="Eve", limit=10))).users
        eve_hash = next(u.access_hash for u in eve_for_dan if u.id == eve_user.id)
        await dan(functions.contacts.AddContactRequest(id=types.InputUser(eve_user.id, eve_hash),
                                                       first_name="Eve", last_name="", phone=""))
        contacts = await eve(functions.contacts.GetContactsRequest(hash=0))
        assert contacts.contacts[0].mutual and contacts.users[0].mutual_contact and contacts.users[0].first_name == "D"
        await eve(functions.contacts.DeleteContactsRequest(id=[types.InputUser(dan_user.id, dan_for_eve.access_hash)]))
        assert (await eve(functions.contacts.GetContactsRequest(hash=0))).contacts == []
        # Block, list, unblock.
        peer = types.InputPeerUser(dan_user.id, dan_for_eve.access_hash)
        assert await eve(functions.contacts.BlockRequest(id=peer))
        blocked = await eve(functions.contacts.GetBlockedRequest(offset=0, limit=10))
        assert [b.peer_id.user_id for b in blocked.blocked] == [dan_user.id]
        assert (await eve(functions.users.GetFullUserRequest(id=peer))).full_user.blocked
        assert await eve(functions.contacts.UnblockRequest(id=peer))
        assert (await eve(functions.contacts.GetBlockedRequest(offset=0, limit=10))).blocked == []
        for c in (dan, eve):
            await c.disconnect()

    run(scenario())


def test_resend_cancel_and_reset_all_other_sessions(server, pem, run):
    from telethon import errors, functions

    phone = new_phone()

    async def scenario():
        first, _ = await sign_up(server, pem, phone)
        second = await sign_in(server, pem, phone)
        third = await connect(server, pem)
        sent = await third.send_code_request(phone)
        resent = await third(functions.auth.ResendCodeRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash))
        assert resent.phone_code_hash == sent.phone_code_hash
        assert await third(functions.auth.CancelCodeRequest(phone_number=phone, phone_code_hash=sent.phone_code_hash))
        with pytest.raises(errors.PhoneCodeExpiredError):
            await third.sign_in(phone, CODE, phone_code_hash=sent.phone_code_hash)
        assert await first(functions.auth.ResetAuthorizationsRequest())
        with pytest.raises(errors.AuthKeyUnregisteredError):
            await second(functions.users.GetUsersRequest(id=["me"]))
        assert (await first.get_me()).phone == phone[1:]
        for c in (first, second, third):
            await c.disconnect()

    run(scenario())


def test_pyrogram_layer_158_signs_up_and_in(server, pem, run, tmp_path):
    """An old-layer client through the whole account flow (users, authorization and
    contacts objects written in layer 158's constructors)."""
    from pyrogram import Client, raw

    from .clients import pyrogram_pointed_at

    phone = new_phone()

    async def scenario():
        app = Client("pyro", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        sent = await app.send_code(phone)
        assert sent.phone_code_hash
        signed = await app.sign_in(phone, sent.phone_code_hash, CODE)
        assert not hasattr(signed, "id")  # terms of service / sign-up required, not a user
        user = await app.sign_up(phone, sent.phone_code_hash, "Pyro", "Gram")
        assert (user.first_name, user.last_name) == ("Pyro", "Gram")
        me = await app.invoke(raw.functions.users.GetFullUser(id=raw.types.InputUserSelf()))
        assert me.users[0].id == user.id
        await app.invoke(raw.functions.account.UpdateUsername(username=f"pyro_{server.port}"))
        resolved = await app.invoke(raw.functions.contacts.ResolveUsername(username=f"pyro_{server.port}"))
        assert resolved.users[0].id == user.id
        state = await app.invoke(raw.functions.updates.GetState())
        assert state.pts >= 1
        await app.disconnect()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())


def test_main_screen_calls_get_valid_empty_answers(server, pem, run):
    from telethon import errors, functions, types

    async def scenario():
        client, user = await sign_up(server, pem, new_phone(), "Mia")
        assert await client.get_dialogs() == []
        assert (await client.get_messages("me", limit=10)) == []
        pinned = await client(functions.messages.GetPinnedDialogsRequest(folder_id=0))
        assert pinned.dialogs == [] and pinned.state.pts >= 1
        assert isinstance(await client(functions.contacts.GetTopPeersRequest(offset=0, limit=10, hash=0,
                                                                              correspondents=True)),
                          types.contacts.TopPeersDisabled)
        for request in (functions.messages.GetAllStickersRequest(hash=0), functions.account.GetWallPapersRequest(hash=0),
                        functions.help.GetPeerColorsRequest(hash=0), functions.help.GetTimezonesListRequest(hash=0),
                        functions.messages.GetDialogFiltersRequest(), functions.help.GetAppConfigRequest(hash=0),
                        functions.help.GetCountriesListRequest(lang_code="en", hash=0),
                        functions.account.GetNotifySettingsRequest(peer=types.InputNotifyUsers()),
                        functions.langpack.GetLanguagesRequest(lang_pack="")):
            await client(request)
        with pytest.raises(errors.PeerIdInvalidError):
            await client(functions.messages.GetHistoryRequest(peer=types.InputPeerUser(user.id + 1, 5), offset_id=0,
                                                              offset_date=None, add_offset=0, limit=10, max_id=0,
                                                              min_id=0, hash=0))
        await client.disconnect()

    run(scenario())
