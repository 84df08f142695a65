"""Issue 12.11: a member removed from a basic group, or one who left, keeps only what
Telegram leaves them: their own copy of the history (read, search, fetch, mark read,
delete for themselves, their dialog's settings) and the group as chatForbidden. Anything
that reads the group as it is now (online count, members) or acts on it (write, type,
draft, edit or delete for everyone, pin, invite links, title, photo, admins, members)
is refused, as a stranger would be.

Every handler that takes a basic group is called here by a removed member and by one
who left, in-process against real storage (SQLite).
"""

import time
from types import SimpleNamespace

import pytest
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
from server.app import ServerState
from server.config import Config
from storage import open_storage
from tests.in_process import InProcessUsers
from tl import functions as F, types as T


class World(InProcessUsers):
    pass


@pytest.fixture(params=["removed", "left"])
async def world(request, tmp_path):
    async with trio_asyncio.open_loop():
        config = Config(data_dir=str(tmp_path))
        storage = await open_storage(None, str(tmp_path))
        state = ServerState(config, [], storage, None, b"s" * 32)
        w = World(state)
        now = int(time.time())
        w.ann = (await storage.users.create("15550000001", "Ann", now=now)).id
        w.ben = (await storage.users.create("15550000002", "Ben", now=now)).id
        w.cat = (await storage.users.create("15550000003", "Cat", now=now)).id
        ben_record = await storage.users.get(w.ben)
        cat_record = await storage.users.get(w.cat)
        created = await w.call(w.ann, F.messages.CreateChat(title="Team", users=[
            T.InputUser(user_id=w.ben, access_hash=ben_record.access_hash),
            T.InputUser(user_id=w.cat, access_hash=cat_record.access_hash)]))
        w.chat_id = created.updates.chats[0].id
        w.peer = T.InputPeerChat(chat_id=w.chat_id)
        sent = await w.call(w.ben, F.messages.SendMessage(peer=w.peer, message="ben's words", random_id=7))
        w.ben_msg = next(u.message.id for u in sent.updates if isinstance(u, T.UpdateNewMessage))
        await w.call(w.ann, F.messages.SendMessage(peer=w.peer, message="ann's words", random_id=8))
        if request.param == "removed":
            await w.call(w.ann, F.messages.DeleteChatUser(chat_id=w.chat_id, user_id=T.InputUser(
                user_id=w.ben, access_hash=ben_record.access_hash)))
        else:
            await w.call(w.ben, F.messages.DeleteChatUser(chat_id=w.chat_id, user_id=T.InputUserSelf()))
        try:
            yield w
        finally:
            await storage.close()


async def test_former_member_cannot_see_who_is_online(world):
    assert await world.error(world.ben, F.messages.GetOnlines(peer=world.peer)) == "CHAT_ID_INVALID"
    assert isinstance(await world.call(world.cat, F.messages.GetOnlines(peer=world.peer)), T.ChatOnlines)


async def test_former_member_cannot_write_type_or_draft(world):
    w = world
    assert await w.error(w.ben, F.messages.SendMessage(peer=w.peer, message="back", random_id=9)) \
        == "CHAT_WRITE_FORBIDDEN"
    assert await w.error(w.ben, F.messages.SetTyping(peer=w.peer, action=T.SendMessageTypingAction())) \
        == "CHAT_WRITE_FORBIDDEN"
    assert await w.error(w.ben, F.messages.SaveDraft(peer=w.peer, message="draft")) == "CHAT_WRITE_FORBIDDEN"
    assert await w.call(w.ben, F.messages.SaveDraft(peer=w.peer, message="")) is True  # clearing is fine
    assert await w.error(w.ben, F.messages.ForwardMessages(
        from_peer=w.peer, id=[w.ben_msg], random_id=[10], to_peer=w.peer)) == "CHAT_WRITE_FORBIDDEN"


async def test_former_member_cannot_edit_or_revoke_in_members_boxes(world):
    w = world
    for peer in (w.peer, T.InputPeerSelf()):
        assert await w.error(w.ben, F.messages.EditMessage(peer=peer, id=w.ben_msg, message="rewritten")) \
            in ("CHAT_WRITE_FORBIDDEN", "MESSAGE_ID_INVALID")
    await w.call(w.ben, F.messages.DeleteMessages(id=[w.ben_msg], revoke=True))
    history = await w.call(w.cat, F.messages.GetHistory(peer=w.peer, offset_id=0, offset_date=0, add_offset=0,
                                                        limit=50, max_id=0, min_id=0, hash=0))
    texts = [m.message for m in history.messages if isinstance(m, T.Message)]
    assert "ben's words" in texts and "rewritten" not in texts
    # Their own copy is theirs to delete.
    mine = await w.call(w.ben, F.messages.GetHistory(peer=w.peer, offset_id=0, offset_date=0, add_offset=0,
                                                     limit=50, max_id=0, min_id=0, hash=0))
    assert "ben's words" not in [m.message for m in mine.messages if isinstance(m, T.Message)]


async def test_former_member_cannot_pin_invite_or_manage(world):
    w = world
    ann = await w.storage.users.get(w.ann)
    ann_input = T.InputUser(user_id=w.ann, access_hash=ann.access_hash)
    refused = {
        "updatePinnedMessage": F.messages.UpdatePinnedMessage(peer=w.peer, id=w.ben_msg),
        "unpinAllMessages": F.messages.UnpinAllMessages(peer=w.peer),
        "exportChatInvite": F.messages.ExportChatInvite(peer=w.peer),
        "getExportedChatInvites": F.messages.GetExportedChatInvites(peer=w.peer, admin_id=T.InputUserSelf(), limit=10),
        "editChatTitle": F.messages.EditChatTitle(chat_id=w.chat_id, title="Mine now"),
        "editChatPhoto": F.messages.EditChatPhoto(chat_id=w.chat_id, photo=T.InputChatPhotoEmpty()),
        "editChatAdmin": F.messages.EditChatAdmin(chat_id=w.chat_id, user_id=ann_input, is_admin=False),
        "addChatUser": F.messages.AddChatUser(chat_id=w.chat_id, user_id=T.InputUserSelf(), fwd_limit=100),
        "deleteChatUser": F.messages.DeleteChatUser(chat_id=w.chat_id, user_id=ann_input),
    }
    for name, request in refused.items():
        error = await w.error(w.ben, request)
        assert error in ("CHAT_ID_INVALID", "CHAT_WRITE_FORBIDDEN", "CHAT_ADMIN_REQUIRED", "USER_NOT_PARTICIPANT",
                         "PEER_ID_INVALID"), (name, error)
    chat = await w.storage.chats.get(w.chat_id)
    assert chat.title == "Team"
    assert w.ben not in [p.user_id for p in await w.storage.chats.participants(w.chat_id)]


async def test_former_member_sees_chat_forbidden_and_no_members(world):
    w = world
    full = await w.call(w.ben, F.messages.GetFullChat(chat_id=w.chat_id))
    assert isinstance(full.full_chat.participants, T.ChatParticipantsForbidden)
    assert full.full_chat.exported_invite is None and full.users == []
    assert all(isinstance(c, T.ChatForbidden) for c in full.chats)
    chats = await w.call(w.ben, F.messages.GetChats(id=[w.chat_id]))
    assert all(isinstance(c, T.ChatForbidden) for c in chats.chats)
    ann = await w.storage.users.get(w.ann)
    common = await w.call(w.ben, F.messages.GetCommonChats(
        user_id=T.InputUser(user_id=w.ann, access_hash=ann.access_hash), max_id=0, limit=10))
    assert common.chats == []
    history = await w.call(w.ben, F.messages.GetHistory(peer=w.peer, offset_id=0, offset_date=0, add_offset=0,
                                                        limit=50, max_id=0, min_id=0, hash=0))
    assert all(isinstance(c, T.ChatForbidden) for c in history.chats)


async def test_former_member_keeps_their_own_history(world):
    """What Telegram leaves a former member: their copy of the history and their dialog."""
    w = world
    history = await w.call(w.ben, F.messages.GetHistory(peer=w.peer, offset_id=0, offset_date=0, add_offset=0,
                                                        limit=50, max_id=0, min_id=0, hash=0))
    assert "ben's words" in [m.message for m in history.messages if isinstance(m, T.Message)]
    found = await w.call(w.ben, F.messages.Search(peer=w.peer, q="words", filter=T.InputMessagesFilterEmpty(),
                                                  min_date=0, max_date=0, offset_id=0, add_offset=0, limit=10,
                                                  max_id=0, min_id=0, hash=0))
    assert found.messages
    assert isinstance(await w.call(w.ben, F.messages.ReadHistory(peer=w.peer, max_id=0)), T.messages.AffectedMessages)
    dialogs = await w.call(w.ben, F.messages.GetPeerDialogs(peers=[T.InputDialogPeer(peer=w.peer)]))
    assert dialogs.dialogs
    await w.call(w.ben, F.account.GetNotifySettings(peer=T.InputNotifyPeer(peer=w.peer)))
