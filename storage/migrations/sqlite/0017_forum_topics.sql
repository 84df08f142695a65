-- Forum topics of supergroups (storage/forum_topics.py; channels.toggleForum,
-- messages.createForumTopic). SQLite dialect; storage/migrations/postgres/
-- 0013_forum_topics.sql is the same schema.

-- A topic's id is the id of its service message (messageActionTopicCreate) in the
-- channel's stream; the "General" topic has id 1 and is written when the forum is turned
-- on. The topic's messages are the channel's messages whose reply_to_top_id is its id
-- (its service message included); General's have none.
CREATE TABLE channel_forum_topics (
    channel_id    INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    date          INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    icon_color    INTEGER NOT NULL,
    icon_emoji_id INTEGER,                    -- a custom emoji; NULL: the colour's icon
    from_id       INTEGER NOT NULL,           -- who created it, a storage peer id
    closed        INTEGER NOT NULL DEFAULT 0, -- only admins post in it
    hidden        INTEGER NOT NULL DEFAULT 0, -- General only: collapsed in the list
    pinned_at     INTEGER NOT NULL DEFAULT 0, -- 0: not pinned; pinned ones newest pin first
    PRIMARY KEY (channel_id, id)
);

-- How far each member has read each topic (messages.readDiscussion), beside their read
-- mark of the whole channel (channel_participants.read_inbox_max_id): a topic's messages
-- up to the higher of the two are read.
CREATE TABLE channel_forum_topic_reads (
    channel_id  INTEGER NOT NULL,
    topic_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    read_max_id INTEGER NOT NULL,
    PRIMARY KEY (channel_id, topic_id, user_id)
);

-- A topic's messages, newest first (its top message, unread count, getReplies), use the
-- thread index channel_messages_thread of 0013_discussion.sql; General's (no top) the
-- channel's own order.
