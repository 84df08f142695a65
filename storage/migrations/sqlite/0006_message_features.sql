-- 0006: pinned messages, forward headers and drafts (service messages' action column: 0004).
-- SQLite dialect; storage/migrations/postgres/0006_message_features.sql is the same schema.

-- Pinned in its owner's box (messages.updatePinnedMessage; pm_oneside pins one copy).
ALTER TABLE messages ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
-- messages.forwardMessages: {"from_id": peer, "date": n, "saved_from_peer": peer, "saved_from_msg_id": id}
ALTER TABLE messages ADD COLUMN fwd_from TEXT;
CREATE INDEX messages_pinned ON messages (owner_id, peer_id) WHERE pinned = 1;

-- One draft per (owner, peer) (messages.saveDraft); gone once the owner sends there.
CREATE TABLE drafts (
    owner_id        INTEGER NOT NULL,
    peer_id         INTEGER NOT NULL,
    message         TEXT    NOT NULL,
    entities        TEXT    NOT NULL,       -- JSON list of TL dicts
    reply_to_msg_id INTEGER,
    no_webpage      INTEGER NOT NULL DEFAULT 0,
    date            INTEGER NOT NULL,
    PRIMARY KEY (owner_id, peer_id)
);
