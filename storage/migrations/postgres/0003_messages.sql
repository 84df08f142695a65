-- 0003: private-chat messages (one copy per message box), dialogs, the update log.
-- PostgreSQL dialect; storage/migrations/sqlite/0003_messages.sql is the same schema.
-- See storage/messages.py for the rules these tables keep.

-- Each owner's copy of a message; id is from the owner's own sequence (message_boxes).
-- shared_id is the same for every copy of one message (a global sequence).
CREATE TABLE messages (
    owner_id        BIGINT  NOT NULL,
    id              INTEGER NOT NULL,
    peer_id         BIGINT  NOT NULL,       -- the other user (the owner for Saved Messages)
    from_id         BIGINT  NOT NULL,
    out             BOOLEAN NOT NULL,       -- the owner sent it
    date            BIGINT  NOT NULL,
    message         TEXT    NOT NULL,
    entities        JSONB   NOT NULL,       -- list of TL dicts
    reply_to_msg_id INTEGER,                -- in the owner's box
    random_id       BIGINT,                 -- the sender's copy only
    edit_date       BIGINT,
    silent          BOOLEAN NOT NULL DEFAULT FALSE,
    shared_id       BIGINT  NOT NULL,
    media           JSONB,                  -- TL dict
    PRIMARY KEY (owner_id, id)
);
CREATE INDEX messages_history ON messages (owner_id, peer_id, id);
CREATE INDEX messages_shared ON messages (shared_id, owner_id);
CREATE UNIQUE INDEX messages_random_id ON messages (owner_id, random_id) WHERE random_id IS NOT NULL;

-- The last message id handed out in each box (ids are never reused).
CREATE TABLE message_boxes (
    user_id         BIGINT  PRIMARY KEY,
    last_message_id INTEGER NOT NULL
);

-- The global sequence of shared_id (not owned by a table: TRUNCATE ... RESTART IDENTITY leaves it).
CREATE SEQUENCE message_shared_ids;

-- top_message 0: every message of the dialog was deleted (kept for its read state).
CREATE TABLE dialogs (
    owner_id           BIGINT  NOT NULL,
    peer_id            BIGINT  NOT NULL,
    top_message        INTEGER NOT NULL,
    read_inbox_max_id  INTEGER NOT NULL DEFAULT 0,
    read_outbox_max_id INTEGER NOT NULL DEFAULT 0,
    unread_count       INTEGER NOT NULL DEFAULT 0,
    pinned_order       INTEGER,
    date               BIGINT  NOT NULL,
    PRIMARY KEY (owner_id, peer_id)
);
CREATE INDEX dialogs_newest ON dialogs (owner_id, date DESC, top_message DESC);

-- Every change to a box, by the pts it moved the box to (update_state.pts).
CREATE TABLE update_log (
    user_id   BIGINT  NOT NULL,
    pts       INTEGER NOT NULL,
    pts_count INTEGER NOT NULL,
    kind      TEXT    NOT NULL,             -- new_message, edit_message, delete_messages, read_inbox, read_outbox
    data      JSONB   NOT NULL,
    date      BIGINT  NOT NULL,
    PRIMARY KEY (user_id, pts)
);
