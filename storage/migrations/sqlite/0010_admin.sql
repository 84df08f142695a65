-- 0010: the admin API's bearer tokens, and the reports users file (messages.report,
-- account.reportPeer) for moderators to act on.
-- SQLite dialect; storage/migrations/postgres/0010_admin.sql is the same schema.

-- `mtserver admin token create` makes a token and shows it once; only its SHA-256 is
-- kept, so a leaked table lets nobody in. A revoked token stays listed (revoked_at).
CREATE TABLE admin_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,   -- sha256 hex of the token
    created_at   INTEGER  NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

-- One row per report. peer_id: a user id, or -chat_id for a basic group; message_ids
-- are in the reporter's message box (JSON list; empty for account.reportPeer).
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    reporter_id  INTEGER  NOT NULL,
    peer_id      INTEGER  NOT NULL,
    message_ids  TEXT    NOT NULL DEFAULT '[]',
    reason       TEXT    NOT NULL,          -- spam, violence, ... (rpc/reports.py)
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER  NOT NULL,
    resolved_at  INTEGER,
    resolution   TEXT    NOT NULL DEFAULT '', -- what the moderator did: dismissed, deleted, banned
    resolved_by  TEXT    NOT NULL DEFAULT ''  -- the admin token's name
);
CREATE INDEX reports_open ON reports (resolved_at, id);
