-- Forum topics of supergroups (storage/forum_topics.py; channels.toggleForum,
-- messages.createForumTopic). PostgreSQL dialect; storage/migrations/sqlite/
-- 0013_forum_topics.sql is the same schema.

-- A topic's id is the id of its service message (messageActionTopicCreate) in the
-- channel's stream; the "General" topic has id 1 and is written when the forum is turned
-- on. The topic's messages are the channel's messages whose reply_to_top_id is its id
-- (its service message included); General's have none.
CREATE TABLE channel_forum_topics (
    channel_id    BIGINT  NOT NULL,
    id            INTEGER NOT NULL,
    date          BIGINT  NOT NULL,
    title         TEXT    NOT NULL,
    icon_color    INTEGER NOT NULL,
    icon_emoji_id BIGINT,                     -- a custom emoji; NULL: the colour's icon
    from_id       BIGINT  NOT NULL,           -- who created it, a storage peer id
    closed        BOOLEAN NOT NULL DEFAULT FALSE, -- only admins post in it
    hidden        BOOLEAN NOT NULL DEFAULT FALSE, -- General only: collapsed in the list
    pinned_at     BIGINT  NOT NULL DEFAULT 0, -- 0: not pinned; pinned ones newest pin first
    PRIMARY KEY (channel_id, id)
);

-- How far each member has read each topic (messages.readDiscussion), beside their read
-- mark of the whole channel (channel_participants.read_inbox_max_id): a topic's messages
-- up to the higher of the two are read.
CREATE TABLE channel_forum_topic_reads (
    channel_id  BIGINT  NOT NULL,
    topic_id    INTEGER NOT NULL,
    user_id     BIGINT  NOT NULL,
    read_max_id INTEGER NOT NULL,
    PRIMARY KEY (channel_id, topic_id, user_id)
);

-- A topic's messages, newest first (its top message, unread count, getReplies), use the
-- thread index channel_messages_thread of 0013_discussion.sql; General's (no top) the
-- channel's own order.
