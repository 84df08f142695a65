-- 0006: pinned messages, forward headers and drafts (service messages' action column: 0004).
-- PostgreSQL dialect; storage/migrations/sqlite/0006_message_features.sql is the same schema.

-- Pinned in its owner's box (messages.updatePinnedMessage; pm_oneside pins one copy).
ALTER TABLE messages ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
-- messages.forwardMessages: {"from_id": peer, "date": n, "saved_from_peer": peer, "saved_from_msg_id": id}
ALTER TABLE messages ADD COLUMN fwd_from JSONB;
CREATE INDEX messages_pinned ON messages (owner_id, peer_id) WHERE pinned;

-- One draft per (owner, peer) (messages.saveDraft); gone once the owner sends there.
CREATE TABLE drafts (
    owner_id        BIGINT  NOT NULL,
    peer_id         BIGINT  NOT NULL,
    message         TEXT    NOT NULL,
    entities        JSONB   NOT NULL,       -- list of TL dicts
    reply_to_msg_id INTEGER,
    no_webpage      BOOLEAN NOT NULL DEFAULT FALSE,
    date            BIGINT  NOT NULL,
    PRIMARY KEY (owner_id, peer_id)
);
