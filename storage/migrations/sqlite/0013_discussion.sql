-- Discussion groups and comment threads (storage/discussions.py).

-- A broadcast post's copy in the channel's discussion group (Telegram's automatic
-- forward): the comments on the post are the group's messages in the thread of that copy.
CREATE TABLE channel_discussions (
    channel_id INTEGER NOT NULL,  -- the broadcast channel
    post_id    INTEGER NOT NULL,  -- the post there
    group_id   INTEGER NOT NULL,  -- the discussion group it was copied into
    root_id    INTEGER NOT NULL,  -- the copy's id in the group: the thread's top message
    PRIMARY KEY (channel_id, post_id)
);
CREATE UNIQUE INDEX channel_discussions_root ON channel_discussions (group_id, root_id);

-- A thread's replies (messages.getReplies, the replies count of its top message).
CREATE INDEX channel_messages_thread ON channel_messages (channel_id, reply_to_top_id, id)
    WHERE reply_to_top_id IS NOT NULL;
