"""Forum topics (storage/forum_topics.py) on both backends: General written once, a topic
created with its service message as its id, its messages found by reply_to_top_id, the
list order (pinned, then newest message), activity for a reader, edits, and deleting a
topic's history (the topic goes with its last message)."""

from __future__ import annotations

import pytest

from storage.interface import NotMember, TopicNotFound
from storage.models import ForumTopicRecord
from storage.peer import Peer

from .test_channels import NOW, channel_with, users

CREATE = {"_": "messageActionTopicCreate", "title": "Bugs", "icon_color": 0x6FB9F0}


async def forum(storage):
    ann, ben = await users(storage, "Ann A", "Ben B")
    channel = await channel_with(storage, ann, ben, megagroup=True, forum=True)
    await storage.forum_topics.open_general(channel.id, date=NOW, from_id=ann, title="General", icon_color=1)
    return channel, ann, ben


async def test_every_topic_field_has_a_column(storage):
    if storage.backend == "sqlite":
        rows = await storage.db.fetch("SELECT name FROM pragma_table_info('channel_forum_topics')")
    else:
        rows = await storage.db.fetch("SELECT column_name FROM information_schema.columns"
                                      " WHERE table_schema = current_schema() AND table_name = 'channel_forum_topics'")
    assert {row[0] for row in rows} == set(ForumTopicRecord.__struct_fields__)


async def test_a_topic_is_its_service_message_and_holds_its_replies(storage):
    channel, ann, ben = await forum(storage)
    await storage.forum_topics.open_general(channel.id, date=NOW + 5, from_id=ben, title="Other", icon_color=2)
    topic, sent = await storage.forum_topics.create(channel.id, ann, date=NOW, title="Bugs", icon_color=0x6FB9F0,
                                                    action=CREATE, random_id=7)
    assert topic.id == sent.message.id and sent.message.reply_to_top_id == topic.id
    assert (topic.title, topic.creator, topic.closed) == ("Bugs", Peer.user(ann), False)
    again, retried = await storage.forum_topics.create(channel.id, ann, date=NOW, title="Bugs", icon_color=1,
                                                       action=CREATE, random_id=7)
    assert retried.duplicate and again == topic

    in_topic = await storage.channel_messages.send(channel.id, ben, date=NOW + 1, message="crash",
                                                   reply_to_msg_id=topic.id, reply_to_top_id=topic.id)
    general = await storage.channel_messages.send(channel.id, ben, date=NOW + 2, message="hi")
    found, count = await storage.forum_topics.messages(channel.id, topic.id)
    assert [m.id for m in found] == [in_topic.message.id, topic.id] and count == 2
    found, _ = await storage.forum_topics.messages(channel.id, 1)
    assert general.message.id in [m.id for m in found] and topic.id not in [m.id for m in found]

    activity = await storage.forum_topics.activity(channel.id, [1, topic.id], reader_id=ann, read_max_id=0)
    assert activity[topic.id].top_message == in_topic.message.id and activity[topic.id].unread_count == 1
    assert activity[1].top_message == general.message.id

    listed, total = await storage.forum_topics.list(channel.id)
    assert [t.id for t in listed] == [1, topic.id] and total == 2  # General has the newest message
    general_topic = (await storage.forum_topics.get(channel.id, [1]))[0]
    assert general_topic.title == "General"  # written once
    await storage.forum_topics.pin(channel.id, topic.id, pinned=True, now=NOW)
    listed, _ = await storage.forum_topics.list(channel.id)
    assert [t.id for t in listed] == [topic.id, 1]
    listed, total = await storage.forum_topics.list(channel.id, query="bUg")
    assert [t.id for t in listed] == [topic.id] and total == 1

    closed = await storage.forum_topics.edit(channel.id, topic.id, closed=True, title="Bugs!")
    assert closed.closed and closed.title == "Bugs!" and closed.icon_emoji_id is None
    with pytest.raises(TopicNotFound):
        await storage.forum_topics.edit(channel.id, 999, closed=True)


async def test_deleting_a_topics_history_takes_the_topic_with_its_last_message(storage):
    channel, ann, ben = await forum(storage)
    topic, _ = await storage.forum_topics.create(channel.id, ann, date=NOW, title="Bugs", icon_color=1,
                                                 action=CREATE)
    for text in ("a", "b"):
        await storage.channel_messages.send(channel.id, ben, date=NOW, message=text, reply_to_msg_id=topic.id,
                                            reply_to_top_id=topic.id)
    change, left = await storage.forum_topics.delete_history(channel.id, topic.id, now=NOW, batch=2)
    assert change.pts_count == 2 and left == 1
    assert await storage.forum_topics.get(channel.id, [topic.id])
    change, left = await storage.forum_topics.delete_history(channel.id, topic.id, now=NOW)
    assert change.ids == [topic.id] and left == 0
    assert await storage.forum_topics.get(channel.id, [topic.id]) == []
    with pytest.raises(TopicNotFound):
        await storage.forum_topics.delete_history(channel.id, topic.id, now=NOW)


async def test_only_members_create_topics(storage):
    channel, ann, _ = await forum(storage)
    stranger, = await users(storage, "Cat C")
    with pytest.raises(NotMember):
        await storage.forum_topics.create(channel.id, stranger, date=NOW, title="x", icon_color=1, action=CREATE)


async def test_a_topic_read_mark_counts_beside_the_channels(storage):
    channel, ann, ben = await forum(storage)
    topic, _ = await storage.forum_topics.create(channel.id, ann, date=NOW, title="Bugs", icon_color=1,
                                                 action=CREATE)
    sent = [await storage.channel_messages.send(channel.id, ann, date=NOW, message=str(i), reply_to_msg_id=topic.id,
                                                reply_to_top_id=topic.id) for i in range(3)]
    before = (await storage.forum_topics.activity(channel.id, [topic.id], reader_id=ben, read_max_id=0))[topic.id]
    assert (before.unread_count, before.read_inbox_max_id) == (4, 0)
    assert await storage.forum_topics.read(channel.id, topic.id, ben, sent[1].message.id) == sent[1].message.id
    assert await storage.forum_topics.read(channel.id, topic.id, ben, topic.id) == sent[1].message.id  # only rises
    after = (await storage.forum_topics.activity(channel.id, [topic.id], reader_id=ben, read_max_id=0))[topic.id]
    assert (after.unread_count, after.read_inbox_max_id) == (1, sent[1].message.id)
    channel_read = (await storage.forum_topics.activity(channel.id, [topic.id], reader_id=ben,
                                                        read_max_id=sent[2].message.id))[topic.id]
    assert channel_read.unread_count == 0  # the channel's mark is the higher one
    assert await storage.forum_topics.read(channel.id, topic.id, ben, 0) == sent[2].message.id  # 0: all
