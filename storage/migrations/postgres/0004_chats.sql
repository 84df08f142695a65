-- 0004: basic groups (legacy "chats"): the chats, their members and invite links, and
-- service messages. PostgreSQL dialect; storage/migrations/sqlite/0004_chats.sql is the
-- same schema. See storage/chats.py for the rules these tables keep.

-- A basic group; its storage peer id is -id (rpc/services/peers.py).
CREATE TABLE chats (
    id          BIGSERIAL PRIMARY KEY,
    title       TEXT    NOT NULL,
    photo       JSONB,                      -- {"chat_photo": ChatPhoto, "photo": Photo} TL dicts; NULL: none
    creator_id  BIGINT  NOT NULL,
    date        BIGINT  NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1, -- moves with every change of the member list
    deactivated BOOLEAN NOT NULL DEFAULT FALSE
);

-- The current members (a user who left or was removed has no row; their box keeps the history).
CREATE TABLE chat_participants (
    chat_id    BIGINT  NOT NULL,
    user_id    BIGINT  NOT NULL,
    inviter_id BIGINT  NOT NULL,            -- the creator for themselves; the user for a join by link
    date       BIGINT  NOT NULL,
    is_admin   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_participants_user ON chat_participants (user_id);

-- Invite links (t.me/+hash).
CREATE TABLE chat_invites (
    hash        TEXT    PRIMARY KEY,
    chat_id     BIGINT  NOT NULL,
    admin_id    BIGINT  NOT NULL,
    date        BIGINT  NOT NULL,
    expire_date BIGINT,
    usage_limit INTEGER,
    usage       INTEGER NOT NULL DEFAULT 0,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE,
    permanent   BOOLEAN NOT NULL DEFAULT FALSE, -- the chat's primary link (one at a time)
    title       TEXT
);
CREATE INDEX chat_invites_chat ON chat_invites (chat_id, date);

-- Service messages (messageService): the MessageAction TL dict; NULL for ordinary messages.
ALTER TABLE messages ADD COLUMN action JSONB;
