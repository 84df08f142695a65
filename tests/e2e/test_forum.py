"""Forum topics in supergroups with unmodified Telethon (layer 229: channels.toggleForum
and the messages.* topic methods) and Pyrogram (layer 158: the channels.* names, routed
by rpc/layer_adapters.py): a supergroup made a forum, a topic created, a member writing
into it and the creator getting it live with the topic header, the topic list with its
newest message and unread count, read with messages.readDiscussion, the topic's
messages by messages.getReplies, closing it (TOPIC_CLOSED for the member, not for the
admin), pinning, deleting its history.
"""

import asyncio

import pytest

from .test_channel_admin import create_channel, following
from .test_channels import next_in
from .test_groups import input_user, listen, three


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


def _sent(updates, kind):
    return next(u.message for u in updates.updates if isinstance(u, kind))


def test_a_forum_topic_from_creation_to_deletion(server, run):
    from telethon import errors, events, functions, types

    async def scenario():
        (ann, _), (ben, ben_user), _ = await three(server)
        group = await create_channel(ann, "Forum", megagroup=True)
        ben_in = listen(ben, events.Raw(types.UpdateChannel))
        await ann(functions.channels.InviteToChannelRequest(group, [input_user(ben_user)]))
        await following(ben, ben_in)

        # Not a forum yet; only an admin who may change its info makes it one.
        with pytest.raises(errors.ChannelForumMissingError):
            await ann(functions.messages.CreateForumTopicRequest(peer=group, title="Bugs"))
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.channels.ToggleForumRequest(group, True, False))
        ben_channel = listen(ben, events.Raw(types.UpdateChannel))
        toggled = await ann(functions.channels.ToggleForumRequest(group, True, False))
        assert toggled.chats[0].forum
        await asyncio.wait_for(ben_channel.get(), 5)  # told live
        with pytest.raises(errors.ChatNotModifiedError):
            await ann(functions.channels.ToggleForumRequest(group, True, False))

        # A topic is its service message.
        with pytest.raises(errors.RPCError) as empty:
            await ann(functions.messages.CreateForumTopicRequest(peer=group, title="  "))
        assert empty.value.message == "TOPIC_TITLE_EMPTY"
        ben_news = listen(ben, events.Raw(types.UpdateNewChannelMessage))
        created = await ann(functions.messages.CreateForumTopicRequest(peer=group, title="Bugs", icon_color=0xFFD67E))
        service = _sent(created, types.UpdateNewChannelMessage)
        assert isinstance(service.action, types.MessageActionTopicCreate)
        assert (service.action.title, service.action.icon_color) == ("Bugs", 0xFFD67E)
        topic_id = service.id
        assert (await asyncio.wait_for(ben_news.get(), 5)).message.id == topic_id  # live

        # Ben writes into it; Ann gets it live with the topic header.
        ann_msgs = listen(ann, events.NewMessage(incoming=True))
        await ben(functions.messages.SendMessageRequest(
            peer=group, message="it crashes",
            reply_to=types.InputReplyToMessage(reply_to_msg_id=topic_id, top_msg_id=topic_id)))
        got = (await next_in(ann_msgs)).message
        assert got.message == "it crashes"
        assert got.reply_to.forum_topic and got.reply_to.reply_to_msg_id == topic_id
        answer = await ann.send_message(group, "which version?", reply_to=got.id)  # a reply inside the topic
        assert answer.reply_to.forum_topic and answer.reply_to.reply_to_top_id == topic_id
        forwarded = await ann(functions.messages.ForwardMessagesRequest(
            from_peer=group, id=[got.id], to_peer=group, top_msg_id=topic_id))
        copy = _sent(forwarded, types.UpdateNewChannelMessage)
        assert copy.fwd_from and copy.reply_to.forum_topic and copy.reply_to.reply_to_msg_id == topic_id
        await ann.delete_messages(group, [copy.id])
        general = await ben.send_message(group, "hello all")  # no topic named: General, no header
        assert general.reply_to is None

        # The list: General and Bugs, newest message, unread counts.
        listed = await ben(functions.messages.GetForumTopicsRequest(peer=group, offset_date=0, offset_id=0,
                                                                    offset_topic=0, limit=10))
        by_id = {t.id: t for t in listed.topics}
        assert listed.count == 2 and set(by_id) == {1, topic_id}
        bugs = by_id[topic_id]
        assert (bugs.title, bugs.icon_color, bugs.top_message, bugs.my) == ("Bugs", 0xFFD67E, answer.id, False)
        assert bugs.unread_count == 2 and bugs.unread_mentions_count == 0  # the service message and Ann's answer
        assert by_id[1].title == "General" and by_id[1].top_message == general.id
        assert {m.id for m in listed.messages} == {answer.id, general.id}
        assert [t.id for t in listed.topics] == [1, topic_id]  # General's message is the newest
        found = await ann(functions.messages.GetForumTopicsRequest(peer=group, q="bug", offset_date=0,
                                                                   offset_id=0, offset_topic=0, limit=10))
        assert [t.id for t in found.topics] == [topic_id] and found.topics[0].my

        # Ben reads the topic: its own mark, beside the channel's.
        assert await ben(functions.messages.ReadDiscussionRequest(peer=group, msg_id=topic_id, read_max_id=answer.id))
        read = await ben(functions.messages.GetForumTopicsByIDRequest(peer=group, topics=[topic_id]))
        assert (read.topics[0].unread_count, read.topics[0].read_inbox_max_id) == (0, answer.id)

        # The topic's messages.
        replies = await ben(functions.messages.GetRepliesRequest(peer=group, msg_id=topic_id, offset_id=0,
                                                                 offset_date=0, add_offset=0, limit=10, max_id=0,
                                                                 min_id=0, hash=0))
        assert [m.id for m in replies.messages] == [answer.id, got.id, topic_id]

        # Closed: the member is refused, the admin is not.
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.messages.EditForumTopicRequest(peer=group, topic_id=topic_id, closed=True))
        edited = await ann(functions.messages.EditForumTopicRequest(peer=group, topic_id=topic_id, closed=True))
        edit = _sent(edited, types.UpdateNewChannelMessage)
        assert isinstance(edit.action, types.MessageActionTopicEdit) and edit.action.closed
        assert edit.reply_to.forum_topic and edit.reply_to.reply_to_msg_id == topic_id
        with pytest.raises(errors.RPCError) as unchanged:
            await ann(functions.messages.EditForumTopicRequest(peer=group, topic_id=topic_id, closed=True))
        assert unchanged.value.message == "TOPIC_NOT_MODIFIED"
        with pytest.raises(errors.RPCError) as closed:
            await ben(functions.messages.SendMessageRequest(
                peer=group, message="still broken",
                reply_to=types.InputReplyToMessage(reply_to_msg_id=topic_id, top_msg_id=topic_id)))
        assert closed.value.message == "TOPIC_CLOSED"
        with pytest.raises(errors.RPCError) as by_reply:
            await ben.send_message(group, "still broken", reply_to=got.id)  # the topic from the replied message
        assert by_reply.value.message == "TOPIC_CLOSED"
        await ann.send_message(group, "closing this", reply_to=topic_id)
        by_ids = await ben(functions.messages.GetForumTopicsByIDRequest(peer=group, topics=[topic_id, 999]))
        assert by_ids.topics[0].closed and isinstance(by_ids.topics[1], types.ForumTopicDeleted)

        # Pinned, then its history deleted: the topic goes with it.
        pinned = await ann(functions.messages.UpdatePinnedForumTopicRequest(peer=group, topic_id=topic_id,
                                                                            pinned=True))
        assert isinstance(pinned.updates[0], types.UpdatePinnedForumTopic) and pinned.updates[0].pinned
        listed = await ben(functions.messages.GetForumTopicsRequest(peer=group, offset_date=0, offset_id=0,
                                                                    offset_topic=0, limit=10))
        assert [t.id for t in listed.topics] == [topic_id, 1] and listed.topics[0].pinned
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.messages.DeleteTopicHistoryRequest(peer=group, top_msg_id=topic_id))
        ben_deletes = listen(ben, events.MessageDeleted())
        affected = await ann(functions.messages.DeleteTopicHistoryRequest(peer=group, top_msg_id=topic_id))
        assert (affected.pts_count, affected.offset) == (5, 0)
        deleted = await asyncio.wait_for(ben_deletes.get(), 5)
        assert topic_id in deleted.deleted_ids
        gone = await ben(functions.messages.GetForumTopicsByIDRequest(peer=group, topics=[topic_id]))
        assert isinstance(gone.topics[0], types.ForumTopicDeleted)
        with pytest.raises(errors.TopicDeletedError):
            await ben(functions.messages.SendMessageRequest(
                peer=group, message="hello?",
                reply_to=types.InputReplyToMessage(reply_to_msg_id=topic_id, top_msg_id=topic_id)))

        for client in (ann, ben):
            await client.disconnect()

    run(scenario())


def test_pyrogram_makes_a_forum_and_a_topic_in_layer_158(server, run):
    from pyrogram import Client, raw

    from .clients import pyrogram_pointed_at
    from .test_accounts import CODE, new_phone

    pem = server.public_key()[0]

    async def scenario():
        phone = new_phone()
        pyro = Client("pyro-forum", api_id=1, api_hash="0" * 32, in_memory=True)
        await pyro.connect()
        sent = await pyro.send_code(phone)
        await pyro.sign_in(phone, sent.phone_code_hash, CODE)
        await pyro.sign_up(phone, sent.phone_code_hash, "Pyro")
        await pyro.initialize()

        group = await pyro.create_supergroup("Old forum", "")
        peer = await pyro.resolve_peer(group.id)
        channel = raw.types.InputChannel(channel_id=peer.channel_id, access_hash=peer.access_hash)
        toggled = await pyro.invoke(raw.functions.channels.ToggleForum(channel=channel, enabled=True))
        assert toggled.chats[0].forum
        created = await pyro.invoke(raw.functions.channels.CreateForumTopic(
            channel=channel, title="Old bugs", random_id=pyro.rnd_id()))
        service = next(u.message for u in created.updates
                       if isinstance(u, raw.types.UpdateNewChannelMessage))
        assert isinstance(service.action, raw.types.MessageActionTopicCreate)
        await pyro.invoke(raw.functions.messages.SendMessage(
            peer=peer, message="in the topic", random_id=pyro.rnd_id(),
            reply_to_msg_id=service.id, top_msg_id=service.id))
        listed = await pyro.invoke(raw.functions.channels.GetForumTopics(
            channel=channel, offset_date=0, offset_id=0, offset_topic=0, limit=10))
        bugs = next(t for t in listed.topics if t.id == service.id)
        assert bugs.title == "Old bugs" and bugs.top_message == service.id + 1
        pinned = await pyro.invoke(raw.functions.channels.UpdatePinnedForumTopic(
            channel=channel, topic_id=service.id, pinned=True))
        assert isinstance(pinned.updates[0], raw.types.UpdateChannelPinnedTopic)
        await pyro.stop()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
