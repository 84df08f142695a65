"""Discussion groups and comment threads (storage/discussions.py) on both backends."""

from __future__ import annotations

import pytest

from storage.discussions import CHANNEL_SENDER
from storage.interface import ChatNotModified
from storage.peer import Peer

from .test_channel_messages import NOW, channel_of, post, users


async def linked(storage):
    ann, ben = await users(storage, 2)
    channel = await channel_of(storage, ann, [ben], broadcast=True)
    group = await channel_of(storage, ann, [ben], megagroup=True)
    await storage.discussions.link(channel.id, group.id)
    return ann, ben, channel, group


async def test_linking_names_both_sides_and_replaces_older_links(storage):
    ann, _, channel, group = await linked(storage)
    assert (await storage.channels.get(channel.id)).linked_chat_id == group.id
    assert (await storage.channels.get(group.id)).linked_chat_id == channel.id
    with pytest.raises(ChatNotModified):
        await storage.discussions.link(channel.id, group.id)

    # The group moves to another channel: the first one is left unlinked.
    other = await channel_of(storage, ann, broadcast=True)
    changed = await storage.discussions.link(other.id, group.id)
    assert sorted(c.id for c in changed) == sorted([channel.id, other.id, group.id])
    assert (await storage.channels.get(channel.id)).linked_chat_id is None
    assert (await storage.channels.get(group.id)).linked_chat_id == other.id

    changed = await storage.discussions.link(other.id, None)
    assert {c.id: c.linked_chat_id for c in changed} == {other.id: None, group.id: None}
    with pytest.raises(ChatNotModified):
        await storage.discussions.link(other.id, None)


async def test_a_posts_copy_is_its_thread_and_counts_its_replies(storage):
    ann, ben, channel, group = await linked(storage)
    sent = await post(storage, channel.id, ann, "Post", post_author="Ann")
    copy = await storage.discussions.copy_post(sent.message, group.id, date=NOW)
    root = copy.message
    assert (root.sender_id, root.author, root.message) == (CHANNEL_SENDER, Peer.channel(channel.id), "Post")
    assert root.fwd_from["saved_from_msg_id"] == sent.message.id and root.fwd_from["post_author"] == "Ann"

    assert (await storage.discussions.of_posts(channel.id, [sent.message.id]))[sent.message.id].replies == 0
    comments = [await post(storage, group.id, ben, f"c{i}", reply_to_msg_id=root.id, reply_to_top_id=root.id)
                for i in range(3)]
    await post(storage, group.id, ben, "elsewhere")
    thread = (await storage.discussions.of_posts(channel.id, [sent.message.id]))[sent.message.id]
    assert (thread.group_id, thread.root_id, thread.replies, thread.max_id) == (
        group.id, root.id, 3, comments[-1].message.id)
    assert (await storage.discussions.of_root(group.id, root.id)).post_id == sent.message.id
    assert await storage.discussions.of_root(group.id, comments[0].message.id) is None

    page, count = await storage.channel_messages.history(group.id, top_id=root.id, limit=2)
    assert count == 3 and [m.message for m in page] == ["c2", "c1"]

    # Unlinked: nothing more is copied.
    await storage.discussions.link(channel.id, None)
    later = await post(storage, channel.id, ann, "Later")
    assert await storage.discussions.copy_post(later.message, group.id, date=NOW) is None
