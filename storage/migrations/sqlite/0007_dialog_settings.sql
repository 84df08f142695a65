-- 0007: per-chat notification settings, "marked as unread", and an index for pruning the update log.
-- SQLite dialect; storage/migrations/postgres/0007_dialog_settings.sql is the same schema.

-- account.updateNotifySettings: one row per (owner, scope). scope 'peer' is one chat,
-- peer_id its storage peer id (user > 0, basic group = -chat_id); 'users', 'chats' and
-- 'broadcasts' are the global defaults (peer_id 0). A NULL field is one the client left
-- unset (peerNotifySettings leaves it out); a row with every field NULL is not kept.
CREATE TABLE notify_settings (
    owner_id            INTEGER NOT NULL,
    scope               TEXT    NOT NULL CHECK (scope IN ('peer', 'users', 'chats', 'broadcasts')),
    peer_id             INTEGER NOT NULL DEFAULT 0,
    show_previews       INTEGER,
    silent              INTEGER,
    mute_until          INTEGER,
    sound               TEXT,                   -- JSON: a NotificationSound TL dict
    stories_muted       INTEGER,
    stories_hide_sender INTEGER,
    stories_sound       TEXT,                   -- JSON: a NotificationSound TL dict
    PRIMARY KEY (owner_id, scope, peer_id)
);

-- messages.markDialogUnread; reading the dialog clears it.
ALTER TABLE dialogs ADD COLUMN unread_mark INTEGER NOT NULL DEFAULT 0;

-- server/maintenance.py prunes every user's log by date (DELETE ... WHERE date < $1).
CREATE INDEX update_log_date ON update_log (date);
