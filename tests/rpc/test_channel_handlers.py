"""Supergroups and channels, part A (issue 11), handler by handler, in-process against
real storage (SQLite) and an in-process bus: creating and finding channels, posting
with the rights Telegram enforces, reading, editing, deleting, pins, read receipts,
views, dialogs merged with box dialogs, and updates.getChannelDifference. Members are
added through storage (joining is another part's handlers). End-to-end with unmodified
clients: tests/e2e/test_channels.py."""

from __future__ import annotations

import time

import pytest
import trio
import trio_asyncio

import rpc  # noqa: F401  (registers the handlers)
import tl
from rpc.channels.rights import admin_bit, banned_bit
from rpc.context import RequestContext
from rpc.updates import events as ev
from server.app import ServerState
from server.config import Config
from storage import open_storage
from tests.in_process import InProcessUsers
from storage.bus.memory import MemoryBus
from tl import functions as F, types as T


class World(InProcessUsers):
    async def create(self, user_id, title="Team", **flags):
        answer = await self.call(user_id, F.channels.CreateChannel(title=title, about=flags.pop("about", ""),
                                                                   **flags))
        channel = answer.chats[0]
        return answer, channel, T.InputChannel(channel_id=channel.id, access_hash=channel.access_hash), \
            T.InputPeerChannel(channel_id=channel.id, access_hash=channel.access_hash)

    async def join(self, channel_id, *user_ids):
        for user_id in user_ids:
            await self.storage.channel_participants.add(channel_id, user_id, inviter_id=user_id, date=int(time.time()))

    async def say(self, user_id, peer, text, random_id=None):
        answer = await self.call(user_id, F.messages.SendMessage(peer=peer, message=text,
                                                                 random_id=random_id or time.time_ns()))
        return next(u.message for u in answer.updates if isinstance(u, T.UpdateNewChannelMessage))

    async def history(self, user_id, peer, limit=50, **kw):
        return await self.call(user_id, F.messages.GetHistory(peer=peer, offset_id=kw.get("offset_id", 0),
                                                              offset_date=0, add_offset=0, limit=limit, max_id=0,
                                                              min_id=0, hash=0))


@pytest.fixture
async def world(tmp_path):
    async with trio_asyncio.open_loop():
        storage = await open_storage(None, str(tmp_path))
        w = World(ServerState(Config(data_dir=str(tmp_path)), [], storage, MemoryBus(), b"s" * 32))
        now = int(time.time())
        w.ann = (await storage.users.create("15550000001", "Ann", "Lee", now=now)).id
        w.ben = (await storage.users.create("15550000002", "Ben", now=now)).id
        w.cat = (await storage.users.create("15550000003", "Cat", now=now)).id
        try:
            yield w
        finally:
            await storage.close()


# -- creating and finding ---------------------------------------------------------------------------


async def test_a_megagroup_is_created_with_its_opening_message_and_the_creator_as_admin(world):
    w = world
    answer, channel, input_channel, peer = await w.create(w.ann, "Team", megagroup=True, about="We talk")
    update_channel, new_message = answer.updates
    assert update_channel == T.UpdateChannel(channel_id=channel.id)
    assert (new_message.pts, new_message.pts_count, new_message.message.id) == (2, 1, 1)
    assert isinstance(new_message.message.action, T.MessageActionChannelCreate)
    assert new_message.message.action.title == "Team" and new_message.message.from_id == T.PeerUser(user_id=w.ann)
    assert (channel.megagroup, channel.broadcast, channel.creator, channel.left) == (True, False, True, False)
    rights = channel.admin_rights
    assert rights.pin_messages and rights.ban_users and rights.add_admins and not rights.post_messages
    # The creator's box logged it: another device of theirs learns it from getDifference.
    difference = await w.call(w.ann, F.updates.GetDifference(pts=1, date=0, qts=0))
    assert T.UpdateChannel(channel_id=channel.id) in difference.other_updates
    assert [c.id for c in difference.chats] == [channel.id]


async def test_a_broadcast_channel_by_default_and_telegrams_errors_for_bad_input(world):
    w = world
    _, channel, _, _ = await w.create(w.ann, "  News  ")
    assert (channel.broadcast, channel.megagroup, channel.title) == (True, False, "News")
    assert channel.admin_rights.post_messages and channel.admin_rights.edit_messages
    assert await w.error(w.ann, F.channels.CreateChannel(title="  ", about="")) == "CHAT_TITLE_EMPTY"
    assert await w.error(w.ann, F.channels.CreateChannel(title="x", about="a" * 256)) == "CHAT_ABOUT_TOO_LONG"
    _, forum, _, _ = await w.create(w.ann, "Forum", forum=True)
    assert forum.megagroup and forum.forum


async def test_get_channels_checks_the_hash_and_shows_strangers_a_private_channel_as_forbidden(world):
    w = world
    _, channel, input_channel, _ = await w.create(w.ann, megagroup=True)
    mine = await w.call(w.ann, F.channels.GetChannels(id=[input_channel]))
    assert isinstance(mine.chats[0], T.Channel)
    theirs = await w.call(w.ben, F.channels.GetChannels(id=[input_channel]))
    assert isinstance(theirs.chats[0], T.ChannelForbidden)
    wrong = T.InputChannel(channel_id=channel.id, access_hash=channel.access_hash + 1)
    assert await w.error(w.ann, F.channels.GetChannels(id=[wrong])) == "CHANNEL_INVALID"
    assert await w.error(w.ben, F.channels.GetFullChannel(channel=input_channel)) == "CHANNEL_PRIVATE"


async def test_full_channel_counts_and_the_viewers_own_part(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True, about="About us")
    await w.join(channel.id, w.ben, w.cat)
    await w.say(w.ben, peer, "one")
    pinned = await w.say(w.ben, peer, "two")
    await w.call(w.ann, F.messages.UpdatePinnedMessage(peer=peer, id=pinned.id))
    full = await w.call(w.ann, F.channels.GetFullChannel(channel=input_channel))
    f = full.full_chat
    assert (f.id, f.about, f.participants_count, f.admins_count, f.pinned_msg_id) == (channel.id, "About us", 3, 1,
                                                                                      pinned.id)
    assert (f.kicked_count, f.banned_count) == (0, 0)
    assert f.unread_count == 2 and f.read_inbox_max_id == 0  # their own messages are not unread
    assert f.can_view_participants and f.can_set_username and f.can_delete_channel
    assert isinstance(f.available_reactions, T.ChatReactionsNone) and f.pts == (await w.storage.channels.get(
        channel.id)).pts
    ben_full = (await w.call(w.ben, F.channels.GetFullChannel(channel=input_channel))).full_chat
    assert ben_full.kicked_count is None and not ben_full.can_set_username and ben_full.unread_count == 1
    # Old layers get their own channelFull shape.
    await w.call(w.ann, F.channels.GetFullChannel(channel=input_channel), layer=158)


# -- posting -----------------------------------------------------------------------------------------


async def test_members_post_into_a_supergroup_and_the_channel_topic_hears_once(world):
    w = world
    _, channel, _, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben)
    async with w.state.bus.subscribe(f"channel:{channel.id}") as sub:
        answer = await w.call(w.ben, F.messages.SendMessage(peer=peer, message="hello", random_id=5))
        event = ev.decode(await sub.receive())
    message_id, new = answer.updates
    assert message_id == T.UpdateMessageID(id=2, random_id=5)
    assert (new.message.message, new.message.from_id, new.message.out, new.pts) == (
        "hello", T.PeerUser(user_id=w.ben), True, 3)
    assert isinstance(event, ev.ChannelLogRow) and (event.channel_id, event.pts) == (channel.id, 3)
    again = await w.call(w.ben, F.messages.SendMessage(peer=peer, message="hello", random_id=5))
    assert again.updates[1].message.id == 2  # a retry is the first send
    assert await w.error(w.cat, F.messages.SendMessage(peer=peer, message="x", random_id=6)) == "CHANNEL_PRIVATE"


async def test_broadcast_posts_are_the_channels_signed_when_it_signs_and_only_admins_post(world):
    w = world
    _, channel, _, peer = await w.create(w.ann, "News")
    await w.join(channel.id, w.ben)
    post = await w.say(w.ann, peer, "breaking")
    assert post.from_id is None and post.post and post.post_author is None and post.views == 0
    assert await w.error(w.ben, F.messages.SendMessage(peer=peer, message="me too", random_id=1)) \
        == "CHAT_ADMIN_REQUIRED"
    await w.storage.channels.edit(channel.id, signatures=True)
    signed = await w.say(w.ann, peer, "signed")
    assert signed.post_author == "Ann Lee" and signed.from_id is None
    seen = (await w.history(w.ben, peer)).messages[0]
    assert (seen.message, seen.out, seen.post_author) == ("signed", False, "Ann Lee")


async def test_supergroup_rights_restrictions_and_slow_mode(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben, w.cat)
    now = int(time.time())
    await w.storage.channel_participants.set_banned(channel.id, w.ben, rights=banned_bit("send_messages"),
                                                   until_date=0, kicked_by=w.ann, date=now)
    assert await w.error(w.ben, F.messages.SendMessage(peer=peer, message="x", random_id=1)) \
        == "USER_BANNED_IN_CHANNEL"
    await w.storage.channels.edit(channel.id, default_banned_rights=banned_bit("send_media"))
    await w.say(w.cat, peer, "text is fine")
    media = T.InputMediaUploadedDocument(file=T.InputFile(id=1, parts=1, name="a.txt", md5_checksum=""),
                                         mime_type="text/plain", attributes=[])
    assert await w.error(w.cat, F.messages.SendMedia(peer=peer, media=media, message="", random_id=2)) \
        == "CHAT_SEND_MEDIA_FORBIDDEN"
    await w.storage.channels.edit(channel.id, default_banned_rights=banned_bit("send_messages"))
    assert await w.error(w.cat, F.messages.SendMessage(peer=peer, message="x", random_id=3)) \
        == "CHAT_WRITE_FORBIDDEN"
    await w.say(w.ann, peer, "admins are never restricted")
    await w.storage.channels.edit(channel.id, default_banned_rights=0, slowmode_seconds=60)
    # Cat wrote a moment ago.
    error = await w.error(w.cat, F.messages.SendMessage(peer=peer, message="second", random_id=4))
    assert error.startswith("SLOWMODE_WAIT_") and 55 <= int(error.rsplit("_", 1)[1]) <= 60
    await w.say(w.ann, peer, "admins skip slow mode")
    await w.say(w.ann, peer, "twice")
    full = (await w.call(w.cat, F.channels.GetFullChannel(channel=input_channel))).full_chat
    assert full.slowmode_seconds == 60 and full.slowmode_next_send_date > now


async def test_an_album_into_a_channel_shares_one_group(world, tmp_path):
    w = world
    _, channel, _, peer = await w.create(w.ann, "News")
    items = []
    for i in range(2):
        await w.call(w.ann, F.upload.SaveFilePart(file_id=100 + i, file_part=0, bytes=b"text %d" % i))
        items.append(T.InputSingleMedia(media=T.InputMediaUploadedDocument(
            file=T.InputFile(id=100 + i, parts=1, name=f"{i}.txt", md5_checksum=""), mime_type="text/plain",
            attributes=[]), random_id=200 + i, message=f"part {i}"))
    answer = await w.call(w.ann, F.messages.SendMultiMedia(peer=peer, multi_media=items))
    posts = [u.message for u in answer.updates if isinstance(u, T.UpdateNewChannelMessage)]
    assert [p.message for p in posts] == ["part 0", "part 1"]
    assert posts[0].grouped_id == posts[1].grouped_id is not None
    assert isinstance(posts[0].media, T.MessageMediaDocument) and posts[0].media.document.file_reference
    # The reference names the channel message: who reads the channel downloads it, others may not.
    document = posts[0].media.document
    location = T.InputDocumentFileLocation(id=document.id, access_hash=document.access_hash,
                                           file_reference=document.file_reference, thumb_size="")
    got = await w.call(w.ann, F.upload.GetFile(location=location, offset=0, limit=4096))
    assert got.bytes == b"text 0"
    assert await w.error(w.cat, F.upload.GetFile(location=location, offset=0, limit=4096)) == "FILE_REFERENCE_EXPIRED"


# -- reading, editing, deleting -----------------------------------------------------------------------


async def test_history_messages_and_search_in_a_channel(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben)
    for text in ("apples", "pears", "apple pie"):
        await w.say(w.ben, peer, text)
    history = await w.history(w.ann, peer, limit=2)
    assert isinstance(history, T.messages.ChannelMessages)
    assert [m.message for m in history.messages] == ["apple pie", "pears"] and history.count == 4
    assert history.pts == (await w.storage.channels.get(channel.id)).pts
    assert {u.id for u in history.users} == {w.ben} and history.chats[0].id == channel.id
    got = await w.call(w.ann, F.channels.GetMessages(channel=input_channel, id=[
        T.InputMessageID(id=2), T.InputMessageID(id=99)]))
    assert got.messages[0].message == "apples" and isinstance(got.messages[1], T.MessageEmpty)
    found = await w.call(w.ann, F.messages.Search(peer=peer, q="apple", filter=T.InputMessagesFilterEmpty(),
                                                  min_date=0, max_date=0, offset_id=0, add_offset=0, limit=10,
                                                  max_id=0, min_id=0, hash=0))
    assert [m.message for m in found.messages] == ["apple pie", "apples"]
    # A stranger reads nothing of a private channel; anyone reads a public one.
    assert await w.error(w.cat, F.messages.GetHistory(peer=peer, offset_id=0, offset_date=0, add_offset=0, limit=5,
                                                      max_id=0, min_id=0, hash=0)) == "CHANNEL_PRIVATE"
    await w.storage.channels.set_username(channel.id, "fruit")
    assert len((await w.history(w.cat, peer)).messages) == 4


async def test_hidden_prehistory_shows_a_newcomer_only_what_came_after(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.say(w.ann, peer, "before")
    await w.storage.channels.edit(channel.id, pre_history_hidden=True)
    await w.join(channel.id, w.ben)
    await w.say(w.ann, peer, "after")
    assert [m.message for m in (await w.history(w.ben, peer)).messages] == ["after"]
    got = await w.call(w.ben, F.channels.GetMessages(channel=input_channel, id=[T.InputMessageID(id=2)]))
    assert isinstance(got.messages[0], T.MessageEmpty)


async def test_editing_own_messages_and_posts_by_admins_with_the_right(world):
    w = world
    _, group, _, group_peer = await w.create(w.ann, megagroup=True)
    await w.join(group.id, w.ben)
    said = await w.say(w.ben, group_peer, "typo")
    answer = await w.call(w.ben, F.messages.EditMessage(peer=group_peer, id=said.id, message="fixed"))
    [update] = answer.updates
    assert isinstance(update, T.UpdateEditChannelMessage) and update.message.message == "fixed"
    assert update.message.edit_date
    assert await w.error(w.ann, F.messages.EditMessage(peer=group_peer, id=said.id, message="mine")) \
        == "MESSAGE_AUTHOR_REQUIRED"
    assert await w.error(w.ben, F.messages.EditMessage(peer=group_peer, id=said.id, message="fixed")) \
        == "MESSAGE_NOT_MODIFIED"
    assert await w.error(w.ben, F.messages.EditMessage(peer=group_peer, id=1, message="x")) == "MESSAGE_ID_INVALID"
    _, news, _, news_peer = await w.create(w.ann, "News")
    await w.join(news.id, w.ben)
    await w.storage.channel_participants.set_admin(news.id, w.ben, rights=admin_bit("edit_messages"), rank=None,
                                                  promoted_by=w.ann, date=int(time.time()))
    post = await w.say(w.ann, news_peer, "post")
    edited = await w.call(w.ben, F.messages.EditMessage(peer=news_peer, id=post.id, message="post, edited"))
    assert edited.updates[0].message.message == "post, edited"


async def test_deleting_own_messages_or_anyones_with_the_right(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben, w.cat)
    ben_says = await w.say(w.ben, peer, "ben")
    cat_says = await w.say(w.cat, peer, "cat")
    assert await w.error(w.ben, F.channels.DeleteMessages(channel=input_channel, id=[ben_says.id, cat_says.id])) \
        == "MESSAGE_DELETE_FORBIDDEN"
    own = await w.call(w.ben, F.channels.DeleteMessages(channel=input_channel, id=[ben_says.id]))
    assert own.pts_count == 1 and own.pts == (await w.storage.channels.get(channel.id)).pts
    by_admin = await w.call(w.ann, F.channels.DeleteMessages(channel=input_channel, id=[cat_says.id, 999]))
    assert by_admin.pts_count == 1
    nothing = await w.call(w.ann, F.channels.DeleteMessages(channel=input_channel, id=[999]))
    assert (nothing.pts, nothing.pts_count) == (by_admin.pts, 0)
    assert [m.id for m in (await w.history(w.ann, peer)).messages] == [1]


async def test_pins_leave_a_service_message_and_need_the_right(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, "News")
    await w.join(channel.id, w.ben)
    post = await w.say(w.ann, peer, "read this")
    answer = await w.call(w.ann, F.messages.UpdatePinnedMessage(peer=peer, id=post.id))
    pinned, service = answer.updates
    assert pinned.messages == [post.id] and pinned.pinned and pinned.channel_id == channel.id
    assert isinstance(service.message.action, T.MessageActionPinMessage)
    assert service.message.reply_to.reply_to_msg_id == post.id
    assert await w.error(w.ben, F.messages.UpdatePinnedMessage(peer=peer, id=post.id, unpin=True)) \
        == "CHAT_ADMIN_REQUIRED"
    unpinned = await w.call(w.ann, F.messages.UnpinAllMessages(peer=peer))
    assert unpinned.pts_count == 1
    again = await w.call(w.ann, F.messages.UnpinAllMessages(peer=peer))
    assert (again.pts, again.pts_count) == (unpinned.pts, 0)


# -- read receipts and views ---------------------------------------------------------------------------


async def test_reading_tells_the_readers_other_devices_and_the_authors(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben)
    said = await w.say(w.ann, peer, "read me")
    async with w.state.bus.subscribe(f"user:{w.ann}", f"user:{w.ben}") as sub:
        assert await w.call(w.ben, F.channels.ReadHistory(channel=input_channel, max_id=said.id)) is True
        events = {type(ev.decode(await sub.receive())) for _ in range(2)}
    assert events == {ev.ChannelInboxRead, ev.ChannelOutboxRead}
    from rpc.updates.render import render
    inbox = await render(w.storage, w.ben, ev.ChannelInboxRead(channel_id=channel.id))
    assert inbox.updates[0] == T.UpdateReadChannelInbox(channel_id=channel.id, max_id=said.id, still_unread_count=0,
                                                        pts=(await w.storage.channels.get(channel.id)).pts)
    outbox = await render(w.storage, w.ann, ev.ChannelOutboxRead(channel_id=channel.id))
    assert outbox.updates[0] == T.UpdateReadChannelOutbox(channel_id=channel.id, max_id=said.id)
    assert await w.call(w.ben, F.channels.ReadMessageContents(channel=input_channel, id=[said.id])) is True


async def test_views_count_each_user_once(world):
    w = world
    _, channel, _, peer = await w.create(w.ann, "News")
    await w.join(channel.id, w.ben)
    post = await w.say(w.ann, peer, "seen")
    for _ in range(2):
        views = await w.call(w.ben, F.messages.GetMessagesViews(peer=peer, id=[post.id, 99], increment=True))
    assert views.views[0].views == 1 and views.views[1].views is None
    views = await w.call(w.ann, F.messages.GetMessagesViews(peer=peer, id=[post.id], increment=True))
    assert views.views[0].views == 2
    assert (await w.history(w.ann, peer)).messages[0].views == 2


# -- dialogs -------------------------------------------------------------------------------------------


async def test_dialogs_merge_channels_with_private_chats_by_date_and_page_through_both(world):
    w = world
    ben = await w.storage.users.get(w.ben)
    ben_peer = T.InputPeerUser(user_id=w.ben, access_hash=ben.access_hash)
    _, old_group, _, old_peer = await w.create(w.ann, "Old", megagroup=True)
    await w.call(w.ann, F.messages.SendMessage(peer=ben_peer, message="private", random_id=1))
    _, news, _, news_peer = await w.create(w.ann, "News")
    await w.join(old_group.id, w.ben)
    await w.say(w.ben, old_peer, "unread for Ann")
    # Dates are seconds: order them explicitly.
    for channel_id, later in ((old_group.id, 20), (news.id, 10)):
        await w.storage.db.execute("UPDATE channels SET top_date = top_date + $2 WHERE id = $1", channel_id, later)
        await w.storage.db.execute("UPDATE channel_messages SET date = date + $2 WHERE channel_id = $1",
                                   channel_id, later)
    dialogs = await w.call(w.ann, F.messages.GetDialogs(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty(),
                                                        limit=10, hash=0))
    peers = [d.peer for d in dialogs.dialogs]
    assert peers == [T.PeerChannel(channel_id=old_group.id), T.PeerChannel(channel_id=news.id),
                     T.PeerUser(user_id=w.ben)]
    group_dialog = dialogs.dialogs[0]
    assert (group_dialog.unread_count, group_dialog.pts) == (1, (await w.storage.channels.get(old_group.id)).pts)
    assert {c.id for c in dialogs.chats} == {old_group.id, news.id}
    assert {m.message for m in dialogs.messages if isinstance(m, T.Message)} == {"unread for Ann", "private"}
    # Page by page, one dialog each: the same order, nothing twice.
    seen, offset = [], dict(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty())
    while True:
        page = await w.call(w.ann, F.messages.GetDialogs(limit=1, hash=0, **offset))
        if not page.dialogs:
            break
        dialog = page.dialogs[0]
        seen.append(dialog.peer)
        top = next(m for m in page.messages if m.id == dialog.top_message)
        chat = next((c for c in page.chats if c.id == getattr(dialog.peer, "channel_id", None)), None)
        offset_peer = T.InputPeerChannel(channel_id=chat.id, access_hash=chat.access_hash) if chat else ben_peer
        offset = dict(offset_date=top.date, offset_id=top.id, offset_peer=offset_peer)
    assert seen == peers
    # Pinned dialogs first, channels included; getPeerDialogs and the unread mark too.
    assert await w.call(w.ann, F.messages.ToggleDialogPin(peer=T.InputDialogPeer(peer=news_peer), pinned=True))
    assert await w.call(w.ann, F.messages.MarkDialogUnread(peer=T.InputDialogPeer(peer=news_peer), unread=True))
    first = await w.call(w.ann, F.messages.GetDialogs(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty(),
                                                      limit=10, hash=0))
    assert first.dialogs[0].peer == T.PeerChannel(channel_id=news.id) and first.dialogs[0].pinned
    assert first.dialogs[0].unread_mark and len(first.dialogs) == 3
    pinned = await w.call(w.ann, F.messages.GetPinnedDialogs(folder_id=0))
    assert [d.peer for d in pinned.dialogs] == [T.PeerChannel(channel_id=news.id)]
    assert await w.call(w.ann, F.messages.SaveDraft(peer=old_peer, message="half a thought"))
    one = await w.call(w.ann, F.messages.GetPeerDialogs(peers=[T.InputDialogPeer(peer=old_peer)]))
    assert one.dialogs[0].unread_count == 1 and one.dialogs[0].pts
    assert one.dialogs[0].draft.message == "half a thought"
    await w.say(w.ann, old_peer, "the whole thought")  # sending clears the draft
    one = await w.call(w.ann, F.messages.GetPeerDialogs(peers=[T.InputDialogPeer(peer=old_peer)]))
    assert one.dialogs[0].draft is None
    # A reader of a public channel who is no member gets the channel's own dialog.
    await w.storage.channels.set_username(news.id, "news")
    theirs = await w.call(w.cat, F.messages.GetPeerDialogs(peers=[T.InputDialogPeer(peer=news_peer)]))
    assert theirs.dialogs[0].top_message and theirs.dialogs[0].unread_count == 0 and theirs.chats[0].left
    await w.call(w.ann, F.messages.GetDialogs(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty(), limit=10,
                                              hash=0), layer=158)


# -- catching up ---------------------------------------------------------------------------------------


async def test_channel_difference_empty_sliced_and_too_long(world):
    w = world
    _, channel, input_channel, peer = await w.create(w.ann, megagroup=True)
    await w.join(channel.id, w.ben)
    start = (await w.storage.channels.get(channel.id)).pts

    def ask(pts, limit=100):
        return F.updates.GetChannelDifference(channel=input_channel, filter=T.ChannelMessagesFilterEmpty(), pts=pts,
                                              limit=limit)

    empty = await w.call(w.ben, ask(start))
    assert isinstance(empty, T.updates.ChannelDifferenceEmpty) and empty.final and empty.pts == start
    assert empty.timeout
    sent = [await w.say(w.ann, peer, f"m{i}") for i in range(5)]
    await w.call(w.ann, F.messages.EditMessage(peer=peer, id=sent[1].id, message="m1 edited"))
    await w.call(w.ann, F.channels.DeleteMessages(channel=input_channel, id=[sent[2].id]))
    texts, pts, rounds = {}, start, 0
    while True:
        difference = await w.call(w.ben, ask(pts, limit=3))
        rounds += 1
        texts.update((m.id, m.message) for m in difference.new_messages)
        for update in difference.other_updates:
            if isinstance(update, T.UpdateEditChannelMessage):
                texts[update.message.id] = update.message.message
            elif isinstance(update, T.UpdateDeleteChannelMessages):
                for gone in update.messages:
                    texts.pop(gone, None)
        pts = difference.pts
        if difference.final:
            break
    assert rounds == 3 and pts == (await w.storage.channels.get(channel.id)).pts
    assert [texts[i] for i in sorted(texts)] == ["m0", "m1 edited", "m3", "m4"]
    assert await w.error(w.ben, ask(0)) == "PERSISTENT_TIMESTAMP_EMPTY"
    assert await w.error(w.ben, ask(pts + 5)) == "PERSISTENT_TIMESTAMP_INVALID"
    assert await w.error(w.cat, ask(start)) == "CHANNEL_PRIVATE"
    # Pruned: the dialog and the latest messages instead.
    await w.storage.channel_log.prune_before(int(time.time()) + 10)
    too_long = await w.call(w.ben, ask(start))
    assert isinstance(too_long, T.updates.ChannelDifferenceTooLong) and too_long.final
    assert too_long.dialog.pts == pts and [getattr(m, "message", None) for m in too_long.messages][:2] == ["m4", "m3"]
    await w.call(w.ben, ask(start), layer=158)


async def test_a_forward_into_a_channel_and_out_of_one(world):
    w = world
    ben = await w.storage.users.get(w.ben)
    ben_peer = T.InputPeerUser(user_id=w.ben, access_hash=ben.access_hash)
    _, news, _, news_peer = await w.create(w.ann, "News")
    post = await w.say(w.ann, news_peer, "worth sharing")
    out = await w.call(w.ann, F.messages.ForwardMessages(from_peer=news_peer, id=[post.id], random_id=[1],
                                                         to_peer=ben_peer))
    copy = next(u.message for u in out.updates if isinstance(u, T.UpdateNewMessage))
    assert copy.fwd_from.from_id == T.PeerChannel(channel_id=news.id) and copy.fwd_from.channel_post == post.id
    assert news.id in [c.id for c in out.chats]
    private = await w.call(w.ben, F.messages.SendMessage(peer=T.InputPeerUser(
        user_id=w.ann, access_hash=(await w.storage.users.get(w.ann)).access_hash), message="from Ben", random_id=2))
    into = await w.call(w.ann, F.messages.ForwardMessages(from_peer=ben_peer, id=[private.id], random_id=[3],
                                                          to_peer=news_peer))
    reposted = next(u.message for u in into.updates if isinstance(u, T.UpdateNewChannelMessage))
    assert reposted.fwd_from.from_id == T.PeerUser(user_id=w.ben) and reposted.message == "from Ben"
    assert reposted.from_id is None  # a broadcast post
    await w.storage.channels.edit(news.id, noforwards=True)
    assert await w.error(w.ann, F.messages.ForwardMessages(from_peer=news_peer, id=[post.id], random_id=[4],
                                                           to_peer=ben_peer)) == "CHAT_FORWARDS_RESTRICTED"


async def test_a_members_streams_follow_the_channel_once_told(world):
    """channel_changed_for: the box logs it and the user's live streams follow."""
    from rpc.channels.standing import channel_changed_for
    from rpc.updates.stream import user_stream

    w = world
    _, channel, _, peer = await w.create(w.ann, megagroup=True)
    got = []

    async def collect(stream, count):
        async for push in stream:
            got.append(push.updates)
            if len(got) == count:
                return

    class Session:
        auth_key_id = 77

    async with user_stream(w.state.bus, w.storage, w.ben, receiver=lambda: (Session(), 1),
                           authorised=None) as stream:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(collect, stream, 2)
            await w.join(channel.id, w.ben)
            ctx = RequestContext(auth_key_id=w.ann, session_id=1, msg_id=1, layer=tl.LAYER,
                                 config=w.state.config, user_id=w.ann, services=w.state)
            await channel_changed_for(ctx, channel.id, [w.ben])
            await trio.sleep(0.1)
            await w.say(w.ann, peer, "welcome")
    assert isinstance(got[0].updates[0], T.UpdateChannel)
    assert got[1].updates[0].message.message == "welcome"
    # A device that was away learns it from getDifference, by date (updateChannel has no
    # pts, so the box did not move and a live device sees no gap).
    state = await w.call(w.ben, F.updates.GetState())
    difference = await w.call(w.ben, F.updates.GetDifference(pts=state.pts, date=state.date - 5, qts=0))
    assert T.UpdateChannel(channel_id=channel.id) in difference.other_updates
    assert difference.state.pts == state.pts and channel.id in [c.id for c in difference.chats]
    later = await w.call(w.ben, F.updates.GetDifference(pts=state.pts, date=state.date + 5, qts=0))
    assert isinstance(later, T.updates.DifferenceEmpty)


async def test_dialogs_of_one_second_page_without_loss_or_repeats(world):
    w = world
    peers_of = {}
    for other in (w.ben, w.cat):
        record = await w.storage.users.get(other)
        peer = T.InputPeerUser(user_id=other, access_hash=record.access_hash)
        await w.call(w.ann, F.messages.SendMessage(peer=peer, message="hi", random_id=other))
        peers_of[repr(T.PeerUser(user_id=other))] = peer
    for title in ("One", "Two"):
        _, channel, _, peer = await w.create(w.ann, title, megagroup=True)
        peers_of[repr(T.PeerChannel(channel_id=channel.id))] = peer
    same = int(time.time()) + 100
    for sql in ("UPDATE channels SET top_date = $1", "UPDATE channel_messages SET date = $1",
                "UPDATE dialogs SET date = $1 WHERE top_message > 0", "UPDATE messages SET date = $1"):
        await w.storage.db.execute(sql, same)
    seen, offset = [], dict(offset_date=0, offset_id=0, offset_peer=T.InputPeerEmpty())
    while len(seen) < 10:
        page = await w.call(w.ann, F.messages.GetDialogs(limit=1, hash=0, **offset))
        if not page.dialogs:
            break
        dialog = page.dialogs[0]
        seen.append(dialog.peer)
        offset = dict(offset_date=same, offset_id=dialog.top_message, offset_peer=peers_of[repr(dialog.peer)])
    assert sorted(map(repr, seen)) == sorted(peers_of) and len(seen) == 4
    assert all(isinstance(p, T.PeerChannel) for p in seen[:2])
