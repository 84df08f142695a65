"""Basic groups with three unmodified Telethon clients (layer 229) and Pyrogram (layer
158): create, talk live both ways, history and dialogs, rename, admins, add, kick,
leave, rejoin by invite link, and Telegram's errors for bad input."""

import asyncio

import pytest

from .test_accounts import CODE, new_phone, second_device, sign_up

QUIET = 1.0  # seconds to wait for something that must not arrive


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


async def three(server):
    """Ann, Ben and Cat, each with the others in their contacts, all receiving updates."""
    from telethon import functions, types

    pem = server.public_key()[0]
    people = []
    for name in ("Ann", "Ben", "Cat"):
        phone = new_phone()
        client, user = await sign_up(server, pem, phone, name, receive_updates=True)
        people.append((client, user, phone))
    for client, _, own in people:
        contacts = [types.InputPhoneContact(i, phone, "", "") for i, (_, _, phone) in enumerate(people) if phone != own]
        await client(functions.contacts.ImportContactsRequest(contacts))
    for client, _, _ in people:
        await client.get_dialogs()  # each session asks for updates
    return [(c, u) for c, u, _ in people]


def listen(client, event):
    queue = asyncio.Queue()

    async def put(e):
        queue.put_nowait(e)

    client.add_event_handler(put, event)
    return queue


async def nothing_arrives(queue):
    await asyncio.sleep(QUIET)
    assert queue.empty(), queue.get_nowait()


def input_user(user):
    from telethon import types

    return types.InputUser(user.id, user.access_hash)


def test_a_group_from_creation_to_rejoining_by_link(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = await three(server)
        ben_msgs, cat_msgs = listen(ben, events.NewMessage()), listen(cat, events.NewMessage())
        ann_msgs = listen(ann, events.NewMessage(incoming=True))
        ben_actions = listen(ben, events.ChatAction())

        created = await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="Team"))
        assert created.missing_invitees == []
        chat = created.updates.chats[0]
        assert (chat.title, chat.participants_count, chat.creator) == ("Team", 2, True)
        assert chat.admin_rights is not None and chat.admin_rights.add_admins
        created_action = await asyncio.wait_for(ben_actions.get(), 5)
        assert created_action.created and created_action.chat_id == -chat.id

        # Messages go both ways, live.
        sent = await ann.send_message(chat, "hello team")
        assert sent.peer_id == types.PeerChat(chat.id) and sent.out
        got = await asyncio.wait_for(ben_msgs.get(), 5)
        assert (got.message.message, got.sender_id, got.chat_id, got.out) == ("hello team", ann_user.id, -chat.id,
                                                                             False)
        await ben.send_message(types.PeerChat(chat.id), "hi Ann", reply_to=got.message.id)
        back = await asyncio.wait_for(ann_msgs.get(), 5)
        assert (back.message.message, back.sender_id, back.message.reply_to.reply_to_msg_id) == (
            "hi Ann", ben_user.id, sent.id)

        # B's reading tells A, the author (read_outbox in A's box).
        ann_reads = listen(ann, events.MessageRead())
        await ben.send_read_acknowledge(types.PeerChat(chat.id))
        read = await asyncio.wait_for(ann_reads.get(), 5)
        assert (read.inbox, read.max_id, read.chat_id) == (False, sent.id, -chat.id)

        # History and dialogs, with the creation's service message.
        history = await ben.get_messages(types.PeerChat(chat.id), limit=10)
        assert [m.message for m in history[:2]] == ["hi Ann", "hello team"]
        assert isinstance(history[2].action, types.MessageActionChatCreate)
        assert history[2].action.users == [ann_user.id, ben_user.id]
        dialogs = await ann.get_dialogs()
        group = next(d for d in dialogs if d.is_group)
        assert (group.entity.id, group.message.message, group.unread_count) == (chat.id, "hi Ann", 1)
        await ann.send_read_acknowledge(group.entity)
        assert next(d for d in await ann.get_dialogs() if d.is_group).unread_count == 0

        # A renames it: B sees the service message live.
        await ann(functions.messages.EditChatTitleRequest(chat.id, "Dream Team"))
        renamed = await asyncio.wait_for(ben_actions.get(), 5)
        assert renamed.new_title == "Dream Team"
        assert (await ben.get_entity(types.PeerChat(chat.id))).title == "Dream Team"

        # A makes B admin; A adds C, who sees what is said from then on.
        assert await ann(functions.messages.EditChatAdminRequest(chat.id, input_user(ben_user), True))
        full = await ann(functions.messages.GetFullChatRequest(chat.id))
        kinds = {p.user_id: type(p).__name__ for p in full.full_chat.participants.participants}
        assert kinds == {ann_user.id: "ChatParticipantCreator", ben_user.id: "ChatParticipantAdmin"}
        added = await ann(functions.messages.AddChatUserRequest(chat.id, input_user(cat_user), fwd_limit=10))
        assert added.updates.chats[0].participants_count == 3
        joined = await asyncio.wait_for(ben_actions.get(), 5)
        assert joined.user_added and joined.user_ids == [cat_user.id]
        await ben.send_message(types.PeerChat(chat.id), "welcome Cat")
        assert (await asyncio.wait_for(cat_msgs.get(), 5)).message.message == "welcome Cat"
        cat_history = await cat.get_messages(types.PeerChat(chat.id), limit=10)
        assert [m.message for m in cat_history][0] == "welcome Cat"
        assert isinstance(cat_history[1].action, types.MessageActionChatAddUser)  # nothing from before C joined
        assert len(cat_history) == 2

        # C is no admin and did not invite B: C may not remove B.
        with pytest.raises(errors.ChatAdminRequiredError):
            await cat(functions.messages.DeleteChatUserRequest(chat.id, input_user(ben_user)))

        # A kicks B: B hears of it, then nothing more; B's dialog shows the chat forbidden.
        await ann.kick_participant(chat, input_user(ben_user))  # ben_user is "self" to Telethon
        kicked = await asyncio.wait_for(ben_actions.get(), 5)
        assert kicked.user_kicked and kicked.user_id == ben_user.id
        while not ben_msgs.empty():
            ben_msgs.get_nowait()
        await ann.send_message(chat, "Ben is gone")
        assert (await asyncio.wait_for(cat_msgs.get(), 5)).message.message == "Ben is gone"
        await nothing_arrives(ben_msgs)
        ben_dialog = next(d for d in await ben.get_dialogs() if d.entity.id == chat.id)
        assert isinstance(ben_dialog.entity, types.ChatForbidden)
        assert "Ben is gone" not in [m.message for m in await ben.get_messages(types.PeerChat(chat.id), limit=20)]
        with pytest.raises(errors.ChatWriteForbiddenError):
            await ben.send_message(types.PeerChat(chat.id), "let me back")

        # C leaves, then rejoins by an invite link.
        await cat.kick_participant(types.PeerChat(chat.id), "me")
        with pytest.raises(errors.UserNotParticipantError):
            await ann(functions.messages.DeleteChatUserRequest(chat.id, input_user(cat_user)))
        invite = await ann(functions.messages.ExportChatInviteRequest(peer=types.InputPeerChat(chat.id)))
        assert invite.permanent and invite.link.startswith("https://t.me/+")
        link_hash = invite.link.rsplit("+", 1)[1]
        preview = await cat(functions.messages.CheckChatInviteRequest(link_hash))
        assert isinstance(preview, types.ChatInvite)
        assert (preview.title, preview.participants_count) == ("Dream Team", 1)
        result = await cat(functions.messages.ImportChatInviteRequest(link_hash))
        assert isinstance(result.updates.updates[0].message.action, types.MessageActionChatJoinedByLink)
        already = await cat(functions.messages.CheckChatInviteRequest(link_hash))
        assert isinstance(already, types.ChatInviteAlready) and already.chat.participants_count == 2
        while not cat_msgs.empty():
            cat_msgs.get_nowait()
        await ann.send_message(chat, "welcome back")
        assert (await asyncio.wait_for(cat_msgs.get(), 5)).message.message == "welcome back"
        invites = await ann(functions.messages.GetExportedChatInvitesRequest(
            peer=types.InputPeerChat(chat.id), admin_id=types.InputUserSelf(), limit=10))
        assert [i.link for i in invites.invites] == [invite.link] and invites.invites[0].usage == 1
        assert (await ann(functions.messages.GetFullChatRequest(chat.id))).full_chat.exported_invite.link == \
            invite.link

        # Edits and deletions reach every member's copy.
        cat_edits, cat_deletes = listen(cat, events.MessageEdited()), listen(cat, events.MessageDeleted())
        mine = await ann.send_message(chat, "tpyo")
        cats_copy = (await asyncio.wait_for(cat_msgs.get(), 5)).message.id
        await ann.edit_message(chat, mine.id, "typo")
        assert (await asyncio.wait_for(cat_edits.get(), 5)).message.message == "typo"
        await ann.delete_messages(chat, [mine.id], revoke=True)
        assert (await asyncio.wait_for(cat_deletes.get(), 5)).deleted_ids == [cats_copy]
        # The creator takes back a member's message too.
        oops = await cat.send_message(chat, "oops")
        anns_copy = (await ann.get_messages(chat, limit=1))[0]
        assert anns_copy.message == "oops"
        await ann.delete_messages(chat, [anns_copy.id], revoke=True)
        assert (await asyncio.wait_for(cat_deletes.get(), 5)).deleted_ids == [oops.id]
        for c in (ann, ben, cat):
            await c.disconnect()

    run(scenario())


def test_offline_member_catches_up_with_group_messages(server, run):
    from telethon import functions, types

    async def scenario():
        (ann, _), (ben, ben_user), _ = await three(server)
        created = await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="Later"))
        chat = created.updates.chats[0]
        state = await ben(functions.updates.GetStateRequest())
        await ben.disconnect()
        await ann.send_message(chat, "while you were away")
        await ann(functions.messages.EditChatTitleRequest(chat.id, "Later on"))
        await ben.connect()
        diff = await ben(functions.updates.GetDifferenceRequest(pts=state.pts, date=state.date, qts=0))
        assert [getattr(m, "message", None) for m in diff.new_messages] == ["while you were away", None]
        assert diff.new_messages[1].action == types.MessageActionChatEditTitle("Later on")
        assert [c.title for c in diff.chats] == ["Later on"]
        for c in (ann, ben):
            await c.disconnect()

    run(scenario())


def test_the_actors_other_device_sees_the_group_live(server, run):
    from telethon import events, functions

    async def scenario():
        pem = server.public_key()[0]
        phone = new_phone()
        ann, _ = await sign_up(server, pem, phone, "Ann", receive_updates=True)
        ben, ben_user = await sign_up(server, pem, new_phone(), "Ben")
        other, _ = await second_device(server, pem, phone)
        actions, messages = listen(other, events.ChatAction()), listen(other, events.NewMessage(outgoing=True))
        created = await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="Devices"))
        chat = created.updates.chats[0]
        assert (await asyncio.wait_for(actions.get(), 5)).created
        await ann.send_message(chat, "from my phone")
        mine = await asyncio.wait_for(messages.get(), 5)
        assert (mine.message.message, mine.chat_id, mine.out) == ("from my phone", -chat.id, True)
        for c in (ann, ben, other):
            await c.disconnect()

    run(scenario())


def test_removing_with_revoke_history_takes_back_what_they_said(server, run):
    from telethon import functions

    async def scenario():
        (ann, _), (ben, ben_user), _ = await three(server)
        created = await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="Spam"))
        chat = created.updates.chats[0]
        await ann.send_message(chat, "rules: no spam")
        for i in range(3):
            await ben.send_message(-chat.id, f"spam {i}")
        assert [m.message for m in await ann.get_messages(chat, limit=3)] == ["spam 2", "spam 1", "spam 0"]
        await ann(functions.messages.DeleteChatUserRequest(chat.id, input_user(ben_user), revoke_history=True))
        said = [m.message for m in await ann.get_messages(chat, limit=10) if m.message]
        assert said == ["rules: no spam"]
        assert [m.message for m in await ben.get_messages(-chat.id, limit=10) if m.message] == ["rules: no spam"]
        for c in (ann, ben):
            await c.disconnect()

    run(scenario())


def test_bad_group_input_gets_telegrams_errors(server, run):
    from telethon import errors, functions, types

    async def scenario():
        (ann, _), (ben, ben_user), (cat, cat_user) = await three(server)
        with pytest.raises(errors.UsersTooFewError):
            await ann(functions.messages.CreateChatRequest(users=[types.InputUserSelf()], title="Alone"))
        with pytest.raises(errors.ChatTitleEmptyError):
            await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="  "))
        with pytest.raises(errors.UserIdInvalidError):
            await ann(functions.messages.CreateChatRequest(users=[types.InputUser(ben_user.id, 1)], title="Bad"))
        created = await ann(functions.messages.CreateChatRequest(users=[input_user(ben_user)], title="Errs"))
        chat = created.updates.chats[0]
        with pytest.raises(errors.ChatNotModifiedError):
            await ann(functions.messages.EditChatTitleRequest(chat.id, "Errs"))
        with pytest.raises(errors.ChatTitleEmptyError):
            await ann(functions.messages.EditChatTitleRequest(chat.id, ""))
        with pytest.raises(errors.UserAlreadyParticipantError):
            await ann(functions.messages.AddChatUserRequest(chat.id, input_user(ben_user), fwd_limit=0))
        with pytest.raises(errors.ChatIdInvalidError):
            await ann(functions.messages.GetFullChatRequest(chat.id + 1000))
        with pytest.raises(errors.ChatIdInvalidError):
            await cat(functions.messages.GetFullChatRequest(chat.id))  # never a member
        with pytest.raises(errors.PeerIdInvalidError):
            await cat(functions.messages.SendMessageRequest(types.InputPeerChat(chat.id), "hi", random_id=1))
        with pytest.raises(errors.ChatIdInvalidError):
            await cat(functions.messages.AddChatUserRequest(chat.id, types.InputUserSelf(), fwd_limit=0))
        with pytest.raises(errors.UserNotParticipantError):
            await ann(functions.messages.DeleteChatUserRequest(chat.id, input_user(cat_user)))
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.messages.ExportChatInviteRequest(types.InputPeerChat(chat.id)))
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.messages.EditChatAdminRequest(chat.id, types.InputUserSelf(), True))
        with pytest.raises(errors.ChatNotModifiedError):
            await ann(functions.messages.EditChatPhotoRequest(chat.id, types.InputChatPhotoEmpty()))
        uploaded = types.InputChatUploadedPhoto(file=types.InputFile(1, 1, "a.jpg", ""))
        with pytest.raises(errors.FilePart0MissingError):  # nothing was uploaded as file 1
            await ann(functions.messages.EditChatPhotoRequest(chat.id, uploaded))
        with pytest.raises(errors.InviteHashInvalidError):
            await cat(functions.messages.CheckChatInviteRequest("no-such-link"))
        with pytest.raises(errors.InviteHashEmptyError):
            await cat(functions.messages.ImportChatInviteRequest(""))
        old = await ann(functions.messages.ExportChatInviteRequest(types.InputPeerChat(chat.id)))
        await ann(functions.messages.ExportChatInviteRequest(types.InputPeerChat(chat.id),
                                                             legacy_revoke_permanent=True))
        with pytest.raises(errors.InviteHashExpiredError):
            await cat(functions.messages.CheckChatInviteRequest(old.link.rsplit("+", 1)[1]))
        with pytest.raises(errors.InviteHashExpiredError):
            await cat(functions.messages.ImportChatInviteRequest(old.link.rsplit("+", 1)[1]))
        for c in (ann, ben, cat):
            await c.disconnect()

    run(scenario())


def test_pyrogram_layer_158_creates_a_group(server, run):
    """createChat answers layer 158 in its own result type (Updates, not invitedUsers),
    which Pyrogram's create_group reads."""
    from pyrogram import Client, raw

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]

    async def scenario():
        ben_phone = new_phone()
        ben, ben_user = await sign_up(server, pem, ben_phone, "Ben")
        cat, cat_user = await sign_up(server, pem, new_phone(), "Cat")
        app = Client("pyro-groups", api_id=1, api_hash="0" * 32, in_memory=True, no_updates=True)
        await app.connect()
        phone = new_phone()
        sent = await app.send_code(phone)
        await app.sign_in(phone, sent.phone_code_hash, CODE)
        await app.sign_up(phone, sent.phone_code_hash, "Pyro")
        peer = raw.types.InputUser(user_id=ben_user.id, access_hash=ben_user.access_hash)
        raw_result = await app.invoke(raw.functions.messages.CreateChat(users=[peer], title="Old layer"))
        assert isinstance(raw_result, raw.types.Updates)
        assert raw_result.chats[0].title == "Old layer"
        history = await app.invoke(raw.functions.messages.GetHistory(
            peer=raw.types.InputPeerChat(chat_id=raw_result.chats[0].id), offset_id=0, offset_date=0, add_offset=0,
            limit=10, max_id=0, min_id=0, hash=0))
        assert isinstance(history.messages[0], raw.types.MessageService)
        assert isinstance(history.messages[0].action, raw.types.MessageActionChatCreate)
        added = await app.invoke(raw.functions.messages.AddChatUser(
            chat_id=raw_result.chats[0].id, user_id=raw.types.InputUser(user_id=cat_user.id,
                                                                        access_hash=cat_user.access_hash),
            fwd_limit=0))
        assert isinstance(added, raw.types.Updates) and added.chats[0].participants_count == 3
        # Pyrogram's own create_group, once it knows Ben (from his contact).
        await app.invoke(raw.functions.contacts.ImportContacts(contacts=[raw.types.InputPhoneContact(
            client_id=1, phone=ben_phone, first_name="Ben", last_name="")]))
        group = await app.create_group("Pyro group", ben_user.id)
        assert (group.title, group.type.name) == ("Pyro group", "GROUP")
        await app.send_message(group.id, "from layer 158")
        ben_history = await ben.get_messages(-group.id if group.id > 0 else group.id, limit=5)
        assert ben_history[0].message == "from layer 158"
        # Invite links in layer 158: export one, and join another's (importChatInvite's
        # Updates, where layer 229 has chatInviteJoinResultOk).
        link = await app.invoke(raw.functions.messages.ExportChatInvite(peer=await app.resolve_peer(group.id)))
        assert link.link.startswith("https://t.me/+") and link.permanent
        from telethon import functions as tf

        theirs = await ben(tf.messages.CreateChatRequest(users=[input_user(cat_user)], title="Ben's"))
        invite = await ben(tf.messages.ExportChatInviteRequest(peer=theirs.updates.chats[0]))
        joined = await app.join_chat(invite.link)
        assert joined.title == "Ben's"
        await app.disconnect()
        for c in (ben, cat):
            await c.disconnect()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())


def test_forwards_typing_pins_search_and_clearing_in_a_group(server, run):
    from telethon import events, functions, types

    async def scenario():
        (ann, ann_user), (ben, ben_user), (cat, cat_user) = await three(server)
        created = await ann(functions.messages.CreateChatRequest(
            users=[input_user(ben_user), input_user(cat_user)], title="Features"))
        chat = created.updates.chats[0]
        cat_new = listen(cat, events.NewMessage(incoming=True))
        hello = await ann.send_message(chat, "hello group")
        assert (await asyncio.wait_for(cat_new.get(), 5)).message.message == "hello group"

        # A private message forwarded into the group names its author.
        await ben.send_message(ann_user.id, "worth sharing")
        [private] = await ann.get_messages(ben_user.id, limit=1)
        await ann.forward_messages(chat, private.id, from_peer=ben_user.id)
        forwarded = (await asyncio.wait_for(cat_new.get(), 5)).message
        assert forwarded.message == "worth sharing" and forwarded.fwd_from.from_id == types.PeerUser(ben_user.id)

        # Typing reaches the other members as updateChatUserTyping.
        typing = listen(cat, events.UserUpdate())
        await ann(functions.messages.SetTypingRequest(peer=chat, action=types.SendMessageTypingAction()))
        seen = await asyncio.wait_for(typing.get(), 5)
        assert seen.user_id == ann_user.id and seen.typing and seen.chat_id == -chat.id

        # A pin is everyone's, with a service message.
        pins = listen(cat, events.Raw(types.UpdatePinnedMessages))
        cat_actions = listen(cat, events.ChatAction())
        await ann.pin_message(chat, hello.id)
        pinned = await asyncio.wait_for(pins.get(), 5)
        assert pinned.pinned and pinned.peer == types.PeerChat(chat.id)
        cat_pinned = await cat.get_messages(chat, filter=types.InputMessagesFilterPinned())
        assert [m.message for m in cat_pinned] == ["hello group"]
        service = await asyncio.wait_for(cat_actions.get(), 5)
        assert service.new_pin and isinstance(service.action_message.action, types.MessageActionPinMessage)

        # Search within the group; clearing it is for oneself only.
        assert [m.message for m in await cat.get_messages(chat, search="SHARING")] == ["worth sharing"]
        found = await cat(functions.messages.SearchGlobalRequest(
            q="sharing", filter=types.InputMessagesFilterEmpty(), min_date=None, max_date=None, offset_rate=0,
            offset_peer=types.InputPeerEmpty(), offset_id=0, limit=10, groups_only=True))
        assert [m.message for m in found.messages] == ["worth sharing"]
        archived = await cat(functions.messages.GetDialogsRequest(
            offset_date=None, offset_id=0, offset_peer=types.InputPeerEmpty(), limit=10, hash=0, folder_id=1))
        assert archived.dialogs == []
        await cat(functions.messages.DeleteHistoryRequest(peer=chat, max_id=0, just_clear=True))
        assert await cat.get_messages(chat, limit=10) == []
        assert len(await ann.get_messages(chat, limit=10)) >= 3
        await cat(functions.messages.SaveDraftRequest(peer=chat, message="half a thought"))
        drafts = await cat(functions.messages.GetAllDraftsRequest())
        assert [(u.peer, u.draft.message) for u in drafts.updates] == [(types.PeerChat(chat.id), "half a thought")]
        assert [c.id for c in drafts.chats] == [chat.id]
        await cat.send_message(chat, "the whole thought")  # a sent message replaces the draft
        assert (await cat(functions.messages.GetAllDraftsRequest())).updates == []
        common = await cat(functions.messages.GetCommonChatsRequest(user_id=input_user(ann_user), max_id=0, limit=10))
        assert [c.id for c in common.chats] == [chat.id]
        full = await cat(functions.users.GetFullUserRequest(input_user(ann_user)))
        assert full.full_user.common_chats_count == 1
        for c in (ann, ben, cat):
            await c.disconnect()

    run(scenario())
