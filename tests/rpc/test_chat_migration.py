"""Upgrading a basic group to a supergroup (rpc/chats/migrate.py,
storage/chat_migration.py), in-process against real storage (SQLite) and an in-process
bus: messages.migrateChat's refusals, what the upgrade makes, the old group read-only,
members' live updates, and the automatic upgrade past Config.chat_size_max.
End-to-end with unmodified clients: tests/e2e/test_migrate_chat.py."""

from __future__ import annotations

import time

import pytest
import trio
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
from rpc.updates.stream import user_stream
from server.app import ServerState
from server.config import Config
from storage import open_storage
from tests.in_process import InProcessUsers
from storage.bus.memory import MemoryBus
from tl import functions as F, types as T


class World(InProcessUsers):
    async def input_user(self, user_id):
        record = await self.storage.users.get(user_id)
        return T.InputUser(user_id=user_id, access_hash=record.access_hash)

    async def group(self, creator, *members, title="Club"):
        answer = await self.call(creator, F.messages.CreateChat(
            users=[await self.input_user(m) for m in members], title=title))
        return answer.updates.chats[0].id

    async def history(self, user_id, peer, limit=50):
        return await self.call(user_id, F.messages.GetHistory(peer=peer, offset_id=0, offset_date=0, add_offset=0,
                                                              limit=limit, max_id=0, min_id=0, hash=0))



@pytest.fixture
async def world(tmp_path, request):
    config = getattr(request, "param", {})
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        w = World(ServerState(Config(data_dir=str(tmp_path), **config), [], storage, MemoryBus(), b"s" * 32))
        now = int(time.time())
        w.ann = (await storage.users.create("15550000001", "Ann", "Lee", now=now)).id
        w.ben = (await storage.users.create("15550000002", "Ben", now=now)).id
        w.cat = (await storage.users.create("15550000003", "Cat", now=now)).id
        w.dan = (await storage.users.create("15550000004", "Dan", now=now)).id
        try:
            yield w
        finally:
            await storage.close()


async def test_only_the_creator_of_a_live_group_migrates_it(world):
    w = world
    chat_id = await w.group(w.ann, w.ben)
    assert await w.error(w.ben, F.messages.MigrateChat(chat_id=chat_id)) == "CHAT_ADMIN_REQUIRED"
    assert await w.error(w.cat, F.messages.MigrateChat(chat_id=chat_id)) == "CHAT_ID_INVALID"
    assert await w.error(w.ann, F.messages.MigrateChat(chat_id=chat_id + 1000)) == "CHAT_ID_INVALID"
    await w.call(w.ann, F.messages.MigrateChat(chat_id=chat_id))
    assert await w.error(w.ann, F.messages.MigrateChat(chat_id=chat_id)) == "CHAT_ID_INVALID"


async def test_migration_makes_a_supergroup_of_the_group(world):
    w = world
    chat_id = await w.group(w.ann, w.ben, w.cat)
    await w.call(w.ann, F.messages.EditChatAdmin(chat_id=chat_id, user_id=await w.input_user(w.ben), is_admin=True))
    await w.call(w.ben, F.messages.SendMessage(peer=T.InputPeerChat(chat_id=chat_id), message="before", random_id=5))
    answer = await w.call(w.ann, F.messages.MigrateChat(chat_id=chat_id))

    old, channel = answer.chats
    assert isinstance(old, T.Chat) and old.deactivated and old.migrated_to.channel_id == channel.id
    assert old.migrated_to.access_hash == channel.access_hash
    assert channel.megagroup and channel.creator and channel.title == "Club"
    kinds = [type(u) for u in answer.updates]
    assert kinds == [T.UpdateChannel, T.UpdateNewChannelMessage, T.UpdateNewMessage]
    first = answer.updates[1].message
    assert first.id == 1 and first.action == T.MessageActionChannelMigrateFrom(title="Club", chat_id=chat_id)
    assert answer.updates[2].message.action == T.MessageActionChatMigrateTo(channel_id=channel.id)

    input_channel = T.InputChannel(channel_id=channel.id, access_hash=channel.access_hash)
    full = await w.call(w.ann, F.channels.GetFullChannel(channel=input_channel))
    assert full.full_chat.migrated_from_chat_id == chat_id
    assert full.full_chat.migrated_from_max_id == answer.updates[2].message.id
    # Box ids are per user: each member's old history ends at their own copy of the upgrade.
    bens_last = (await w.history(w.ben, T.InputPeerChat(chat_id=chat_id), limit=1)).messages[0]
    assert isinstance(bens_last.action, T.MessageActionChatMigrateTo)
    full = await w.call(w.ben, F.channels.GetFullChannel(channel=input_channel))
    assert full.full_chat.migrated_from_max_id == bens_last.id
    roles = {p.user_id: type(p) for p in (await w.call(w.ann, F.channels.GetParticipants(
        channel=input_channel, filter=T.ChannelParticipantsRecent(), offset=0, limit=10, hash=0))).participants}
    assert roles == {w.ann: T.ChannelParticipantCreator, w.ben: T.ChannelParticipantAdmin,
                     w.cat: T.ChannelParticipant}

    # The old group: readable, closed to writes.
    history = await w.history(w.cat, T.InputPeerChat(chat_id=chat_id))
    assert [m.message for m in history.messages if isinstance(m, T.Message)] == ["before"]
    assert isinstance(history.messages[0].action, T.MessageActionChatMigrateTo)
    shown = next(c for c in history.chats if c.id == chat_id)
    assert shown.deactivated and shown.migrated_to.channel_id == channel.id
    assert await w.error(w.cat, F.messages.SendMessage(peer=T.InputPeerChat(chat_id=chat_id), message="x",
                                                       random_id=6)) == "CHAT_ID_INVALID"
    assert await w.error(w.ann, F.messages.AddChatUser(chat_id=chat_id, user_id=await w.input_user(w.dan),
                                                       fwd_limit=0)) == "CHAT_ID_INVALID"
    # The supergroup: every member writes there.
    peer = T.InputPeerChannel(channel_id=channel.id, access_hash=channel.access_hash)
    await w.call(w.cat, F.messages.SendMessage(peer=peer, message="after", random_id=7))


async def test_members_are_told_live_and_follow_the_supergroup(world):
    w = world
    chat_id = await w.group(w.ann, w.ben, w.cat)
    got = []

    class Session:
        auth_key_id = 77

    async def collect(stream):
        async for push in stream:
            got.append(push.updates)

    async with user_stream(w.state.bus, w.storage, w.ben, receiver=lambda: (Session(), 1),
                           authorised=None) as stream:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(collect, stream)
            answer = await w.call(w.ann, F.messages.MigrateChat(chat_id=chat_id))
            channel = answer.chats[1]
            await trio.sleep(0.1)
            peer = T.InputPeerChannel(channel_id=channel.id, access_hash=channel.access_hash)
            await w.call(w.cat, F.messages.SendMessage(peer=peer, message="hello there", random_id=9))
            await trio.sleep(0.1)
            nursery.cancel_scope.cancel()
    updates = [u for pushed in got for u in getattr(pushed, "updates", [])]
    assert any(isinstance(u, T.UpdateNewMessage) and isinstance(u.message.action, T.MessageActionChatMigrateTo)
               for u in updates)
    assert any(isinstance(u, T.UpdateChannel) and u.channel_id == channel.id for u in updates)
    texts = [u.message.message for u in updates if isinstance(u, T.UpdateNewChannelMessage)
             and isinstance(u.message, T.Message)]
    assert texts == ["hello there"]


@pytest.mark.parametrize("world", [{"chat_size_max": 3}], indirect=True)
async def test_adding_past_the_size_limit_migrates_first(world):
    w = world
    chat_id = await w.group(w.ann, w.ben, w.cat)
    config = await w.call(w.ann, F.help.GetConfig())
    assert config.chat_size_max == 3
    answer = await w.call(w.ben, F.messages.AddChatUser(chat_id=chat_id, user_id=await w.input_user(w.dan),
                                                        fwd_limit=0))
    chats = answer.updates.chats
    channel = next(c for c in chats if isinstance(c, T.Channel))
    assert channel.megagroup and channel.participants_count in (None, 4)
    old = await w.storage.chats.get(chat_id)
    assert old.deactivated and old.migrated_to == channel.id
    added = [u.message.action for u in answer.updates.updates if isinstance(u, T.UpdateNewChannelMessage)]
    assert T.MessageActionChatAddUser(users=[w.dan]) in added
    members = await w.storage.channel_participants.list(channel.id)
    assert sorted(p.user_id for p in members[0]) == sorted([w.ann, w.ben, w.cat, w.dan])
    creator = await w.storage.channel_participants.get(channel.id, w.ann)
    assert creator.role == "creator"


@pytest.mark.parametrize("world", [{"chat_size_max": 3}], indirect=True)
async def test_creating_past_the_size_limit_makes_a_supergroup(world):
    w = world
    answer = await w.call(w.ann, F.messages.CreateChat(
        users=[await w.input_user(u) for u in (w.ben, w.cat, w.dan)], title="Big"))
    channel = next(c for c in answer.updates.chats if isinstance(c, T.Channel))
    members = await w.storage.channel_participants.list(channel.id)
    assert sorted(p.user_id for p in members[0]) == sorted([w.ann, w.ben, w.cat, w.dan])
    # The creator's answer holds every step, so their pts has no gap: the group's
    # creation and upgrade in their box, the supergroup's opening and Dan's arrival.
    actions = [type(u.message.action) for u in answer.updates.updates
               if isinstance(u, (T.UpdateNewMessage, T.UpdateNewChannelMessage))]
    assert actions == [T.MessageActionChatCreate, T.MessageActionChannelMigrateFrom, T.MessageActionChatMigrateTo,
                       T.MessageActionChatAddUser]
    old = next(c for c in answer.updates.chats if isinstance(c, T.Chat))
    assert old.deactivated and old.migrated_to.channel_id == channel.id
