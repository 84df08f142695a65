"""Discussion groups and comments with unmodified Telethon (layer 229) and Pyrogram
(layer 158): Ann links her channel to a supergroup (channels.setDiscussionGroup, with
Telegram's refusals), Ben joins both, Ann posts, the post is copied into the group and
shows its comments, Ben comments (Telethon's comment_to: getDiscussionMessage, then a
reply in the group), Ann reads the comments (iter_messages(reply_to=...): getReplies),
a reply to a comment stays in the thread, and unlinking ends it for new posts.
"""

import uuid

import pytest

from .test_accounts import CODE, new_phone, sign_up
from .test_channel_admin import create_channel


@pytest.fixture(scope="module")
def server(backend_server):
    return backend_server


async def public(client, channel, prefix):
    from telethon import functions

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    assert await client(functions.channels.UpdateUsernameRequest(channel, name))
    return name


def test_comments_on_a_linked_channels_posts(server, run):
    from telethon import errors, functions, types

    async def scenario():
        pem = server.public_key()[0]
        ann, _ = await sign_up(server, pem, new_phone(), "Ann", receive_updates=True)
        ben, ben_user = await sign_up(server, pem, new_phone(), "Ben", receive_updates=True)
        channel = await create_channel(ann, "News", megagroup=False)
        group = await create_channel(ann, "News chat", megagroup=True)

        # The groups Ann may link; the wrong kind on either side is refused by name.
        offered = await ann(functions.channels.GetGroupsForDiscussionRequest())
        assert [c.id for c in offered.chats] == [group.id]
        with pytest.raises(errors.BroadcastIdInvalidError):
            await ann(functions.channels.SetDiscussionGroupRequest(group, group))
        with pytest.raises(errors.MegagroupIdInvalidError):
            await ann(functions.channels.SetDiscussionGroupRequest(channel, channel))
        hidden = await create_channel(ann, "Hidden", megagroup=True)
        await ann(functions.channels.TogglePreHistoryHiddenRequest(hidden, True))
        with pytest.raises(errors.MegagroupPrehistoryHiddenError):
            await ann(functions.channels.SetDiscussionGroupRequest(channel, hidden))

        assert await ann(functions.channels.SetDiscussionGroupRequest(channel, group))
        with pytest.raises(errors.LinkNotModifiedError):
            await ann(functions.channels.SetDiscussionGroupRequest(channel, group))
        for one, other in ((channel, group), (group, channel)):
            full = await ann(functions.channels.GetFullChannelRequest(one))
            assert full.full_chat.linked_chat_id == other.id
            shown = {c.id: c for c in full.chats}
            assert shown[one.id].has_link and other.id in shown
        with pytest.raises(errors.ChatLinkExistsError):
            await ann(functions.channels.TogglePreHistoryHiddenRequest(group, True))

        for chat, prefix in ((channel, "news"), (group, "newschat")):
            await ben(functions.channels.JoinChannelRequest(await public(ann, chat, prefix)))
        await ben.get_dialogs()
        with pytest.raises(errors.ChatAdminRequiredError):
            await ben(functions.channels.SetDiscussionGroupRequest(channel, types.InputChannelEmpty()))

        # A post shows its (empty) comments and is copied into the group, from the channel.
        post = await ann.send_message(channel, "First post")
        assert post.replies.comments and post.replies.replies == 0 and post.replies.channel_id == group.id
        copy = (await ann.get_messages(group, limit=1))[0]
        assert copy.message == "First post" and copy.from_id == types.PeerChannel(channel.id)
        assert copy.fwd_from.saved_from_peer == types.PeerChannel(channel.id)
        assert copy.fwd_from.saved_from_msg_id == post.id and copy.fwd_from.channel_post == post.id

        discussion = await ben(functions.messages.GetDiscussionMessageRequest(channel, post.id))
        assert [m.id for m in discussion.messages] == [copy.id]
        assert group.id in {c.id for c in discussion.chats} and discussion.unread_count == 0
        with pytest.raises(errors.MsgIdInvalidError):
            await ben(functions.messages.GetDiscussionMessageRequest(channel, post.id + 1000))

        # Ben comments twice, then answers his own comment: all in the post's thread.
        first = await ben.send_message(channel, "Nice", comment_to=post)
        assert first.peer_id == types.PeerChannel(group.id) and first.reply_to.reply_to_msg_id == copy.id
        await ben.send_message(channel, "Really nice", comment_to=post.id)
        deeper = await ben.send_message(group, "Agreeing with myself", reply_to=first.id)
        assert (deeper.reply_to.reply_to_msg_id, deeper.reply_to.reply_to_top_id) == (first.id, copy.id)
        await ben.send_message(group, "Off topic")

        comments = [m async for m in ann.iter_messages(channel, reply_to=post.id)]
        assert [m.message for m in comments] == ["Agreeing with myself", "Really nice", "Nice"]
        assert all(m.sender_id == ben_user.id for m in comments)
        paged = [m.message async for m in ann.iter_messages(channel, reply_to=post.id, limit=1, offset_id=deeper.id)]
        assert paged == ["Really nice"]
        in_group = [m.message async for m in ann.iter_messages(group, reply_to=copy.id)]
        assert in_group == ["Agreeing with myself", "Really nice", "Nice"]
        replies = (await ann.get_messages(channel, ids=post.id)).replies
        assert (replies.comments, replies.replies, replies.max_id) == (True, 3, deeper.id)
        views = await ann(functions.messages.GetMessagesViewsRequest(channel, [post.id], increment=False))
        assert views.views[0].replies.replies == 3
        discussion = await ann(functions.messages.GetDiscussionMessageRequest(channel, post.id))
        assert discussion.max_id == deeper.id and discussion.messages[0].replies.replies == 3
        # In the group the copy is the thread's top: it shows the replies, a comment none.
        assert (await ann.get_messages(group, ids=copy.id)).replies.replies == 3
        assert (await ann.get_messages(group, ids=first.id)).replies is None

        # Unlinked: both sides say so, and a new post is not copied and has no comments.
        assert await ann(functions.channels.SetDiscussionGroupRequest(channel, types.InputChannelEmpty()))
        for one in (channel, group):
            assert (await ann(functions.channels.GetFullChannelRequest(one))).full_chat.linked_chat_id is None
        later = await ann.send_message(channel, "Second post")
        assert later.replies is None
        assert (await ann.get_messages(group, limit=1))[0].message == "Off topic"
        with pytest.raises(errors.MsgIdInvalidError):
            await ann(functions.messages.GetDiscussionMessageRequest(channel, later.id))

        # Linked again, then the group is deleted: the channel is left without a link.
        assert await ann(functions.channels.SetDiscussionGroupRequest(channel, group))
        await ann(functions.channels.DeleteChannelRequest(group))
        full = await ann(functions.channels.GetFullChannelRequest(channel))
        assert full.full_chat.linked_chat_id is None and not full.chats[0].has_link

        await ann.disconnect()
        await ben.disconnect()

    run(scenario())


def test_pyrogram_layer_158_reads_and_writes_comments(server, run):
    from pyrogram import Client

    from .clients import pyrogram_pointed_at

    pem = server.public_key()[0]

    async def scenario():
        ann, _ = await sign_up(server, pem, new_phone(), "Ann", receive_updates=True)
        phone = new_phone()
        pyro = Client("pyro-discussion", api_id=1, api_hash="0" * 32, in_memory=True)
        await pyro.connect()
        sent = await pyro.send_code(phone)
        await pyro.sign_in(phone, sent.phone_code_hash, CODE)
        await pyro.sign_up(phone, sent.phone_code_hash, "Pyro")
        await pyro.initialize()

        from telethon import functions

        channel = await create_channel(ann, "Old news", megagroup=False)
        group = await create_channel(ann, "Old news chat", megagroup=True)
        assert await ann(functions.channels.SetDiscussionGroupRequest(channel, group))
        names = [await public(ann, chat, prefix) for chat, prefix in ((channel, "oldnews"), (group, "oldchat"))]
        for name in names:
            await pyro.join_chat(name)
        post = await ann.send_message(channel, "A post for layer 158")

        root = await pyro.get_discussion_message(names[0], post.id)
        assert root.text == "A post for layer 158" and root.chat.username == names[1]
        await root.reply("From layer 158")
        replies = [m.text async for m in pyro.get_discussion_replies(names[0], post.id)]
        assert replies == ["From layer 158"]
        assert (await ann.get_messages(channel, ids=post.id)).replies.replies == 1

        await ann.disconnect()
        await pyro.stop()

    with pyrogram_pointed_at(pem, server.port):
        run(scenario())
