"""messages.sendMessage to a user: the peer is checked inside the send's own transaction
(rpc/services/sending.py resolve_send_peer, storage/recipient_check.py), so each
refusal must be the error it was when the handler checked first, in the same order;
and the draft cleared there is still announced. In process, real storage (SQLite)."""

from __future__ import annotations

import time

import pytest
import trio_asyncio

import rpc.messages.messages as send_handlers
from server.app import ServerState
from server.config import Config
from storage import open_storage
from storage.bus.memory import MemoryBus
from storage.peer import Peer
from tests.in_process import InProcessUsers
from tl import functions as F, types as T


@pytest.fixture
async def world(tmp_path):
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        w = InProcessUsers(ServerState(Config(data_dir=str(tmp_path)), [], storage, MemoryBus(), b"s" * 32))
        now = int(time.time())
        w.ann, w.ben, w.cat = [await storage.users.create(f"1555000000{i}", name, now=now)
                               for i, name in enumerate(["Ann", "Ben", "Cat"])]
        try:
            yield w
        finally:
            await storage.close()


def to(user, access_hash=None, kind=T.InputPeerUser):
    return kind(user_id=user.id, access_hash=user.access_hash if access_hash is None else access_hash)


def send(peer, text="hi", random_id=1):
    return F.messages.SendMessage(peer=peer, message=text, random_id=random_id)


async def test_a_user_named_right_gets_it_as_an_input_peer_or_an_input_user(world):
    w = world
    assert isinstance(await w.call(w.ann.id, send(to(w.ben))), T.UpdateShortSentMessage)
    assert isinstance(await w.call(w.ann.id, send(to(w.ben, kind=T.InputUser), random_id=2)),
                      T.UpdateShortSentMessage)
    assert isinstance(await w.call(w.ann.id, send(T.InputPeerSelf(), random_id=3)), T.UpdateShortSentMessage)
    assert isinstance(await w.call(w.ann.id, send(to(w.ann, access_hash=0), random_id=4)),
                      T.UpdateShortSentMessage)  # Saved Messages by one's own id: no hash needed


async def test_each_refusal_is_the_error_it_was(world):
    w = world
    assert await w.error(w.ann.id, send(to(w.ben, access_hash=w.ben.access_hash ^ 1))) == "PEER_ID_INVALID"
    assert await w.error(w.ann.id, send(T.InputPeerUser(user_id=987654321, access_hash=0))) == "PEER_ID_INVALID"
    await w.storage.blocked.block(w.ann.id, w.ben.id, 0)
    assert await w.error(w.ann.id, send(to(w.ben))) == "YOU_BLOCKED_USER"
    await w.storage.users.mark_deleted(w.cat.id)
    assert await w.error(w.ann.id, send(to(w.cat))) == "INPUT_USER_DEACTIVATED"
    await w.storage.blocked.block(w.ann.id, w.cat.id, 0)
    assert await w.error(w.ann.id, send(to(w.cat))) == "INPUT_USER_DEACTIVATED"  # before the block, as before
    assert (await w.storage.updates.get(w.ann.id)).pts == 1  # nothing was written


async def test_a_bad_peer_comes_before_a_bad_text_and_a_bad_text_before_a_block(world):
    w = world
    bad = to(w.ben, access_hash=w.ben.access_hash ^ 1)
    assert await w.error(w.ann.id, send(bad, text="  ")) == "PEER_ID_INVALID"
    assert await w.error(w.ann.id, send(bad, text="x" * 5000)) == "PEER_ID_INVALID"
    await w.storage.blocked.block(w.ann.id, w.ben.id, 0)
    assert await w.error(w.ann.id, send(to(w.ben), text="")) == "MESSAGE_EMPTY"
    assert await w.error(w.ann.id, send(to(w.ben), text="x" * 5000)) == "MESSAGE_TOO_LONG"


async def test_the_draft_a_send_replaces_is_gone_on_every_device(world, monkeypatch):
    w = world
    announced = []

    async def publish_draft_cleared(ctx, peer):
        announced.append((ctx.user_id, peer))

    monkeypatch.setattr(send_handlers, "publish_draft_cleared", publish_draft_cleared)
    await w.call(w.ann.id, F.messages.SaveDraft(peer=to(w.ben), message="typing"))
    await w.call(w.ann.id, send(to(w.ben), random_id=7))
    assert await w.storage.drafts.get(w.ann.id, Peer.user(w.ben.id)) is None
    assert announced == [(w.ann.id, Peer.user(w.ben.id))]
    await w.call(w.ann.id, F.messages.SaveDraft(peer=to(w.ben), message="typing again"))
    await w.call(w.ann.id, send(to(w.ben), random_id=7))  # a retry: nothing new sent, the draft stays
    assert await w.storage.drafts.get(w.ann.id, Peer.user(w.ben.id)) is not None
    assert len(announced) == 1


async def test_a_group_send_replaces_the_draft_there(world):
    w = world
    created = await w.call(w.ann.id, F.messages.CreateChat(users=[to(w.ben, kind=T.InputUser)], title="G"))
    group = T.InputPeerChat(chat_id=created.updates.chats[0].id)
    await w.call(w.ann.id, F.messages.SaveDraft(peer=group, message="typing"))
    await w.call(w.ben.id, F.messages.SaveDraft(peer=group, message="typing too"))
    await w.call(w.ann.id, send(group, random_id=9))
    assert await w.storage.drafts.get(w.ann.id, Peer.chat(group.chat_id)) is None
    assert await w.storage.drafts.get(w.ben.id, Peer.chat(group.chat_id)) is not None


async def test_a_group_send_is_refused_as_it_was(world):
    w = world
    created = await w.call(w.ann.id, F.messages.CreateChat(users=[to(w.ben, kind=T.InputUser)], title="G"))
    group = T.InputPeerChat(chat_id=created.updates.chats[0].id)
    assert await w.error(w.cat.id, send(group)) == "PEER_ID_INVALID"  # never a member: may not see it
    assert await w.error(w.ann.id, send(T.InputPeerChat(chat_id=group.chat_id + 1000))) == "PEER_ID_INVALID"
    await w.call(w.ben.id, send(group, random_id=2))
    await w.call(w.ben.id, F.messages.DeleteChatUser(chat_id=group.chat_id, user_id=T.InputUserSelf()))
    assert await w.error(w.ben.id, send(group, random_id=3)) == "CHAT_WRITE_FORBIDDEN"  # left: sees, may not write
    assert await w.error(w.cat.id, send(group, text="")) == "PEER_ID_INVALID"  # the peer before the text
    assert await w.error(w.ben.id, send(group, text="")) == "MESSAGE_EMPTY"
