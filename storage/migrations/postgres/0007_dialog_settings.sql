-- 0007: per-chat notification settings, "marked as unread", and an index for pruning the update log.
-- PostgreSQL dialect; storage/migrations/sqlite/0007_dialog_settings.sql is the same schema.

-- account.updateNotifySettings: one row per (owner, scope). scope 'peer' is one chat,
-- peer_id its storage peer id (user > 0, basic group = -chat_id); 'users', 'chats' and
-- 'broadcasts' are the global defaults (peer_id 0). A NULL field is one the client left
-- unset (peerNotifySettings leaves it out); a row with every field NULL is not kept.
CREATE TABLE notify_settings (
    owner_id            BIGINT  NOT NULL,
    scope               TEXT    NOT NULL CHECK (scope IN ('peer', 'users', 'chats', 'broadcasts')),
    peer_id             BIGINT  NOT NULL DEFAULT 0,
    show_previews       BOOLEAN,
    silent              BOOLEAN,
    mute_until          BIGINT,
    sound               JSONB,                  -- a NotificationSound TL dict
    stories_muted       BOOLEAN,
    stories_hide_sender BOOLEAN,
    stories_sound       JSONB,                  -- a NotificationSound TL dict
    PRIMARY KEY (owner_id, scope, peer_id)
);

-- messages.markDialogUnread; reading the dialog clears it.
ALTER TABLE dialogs ADD COLUMN unread_mark BOOLEAN NOT NULL DEFAULT FALSE;

-- server/maintenance.py prunes every user's log by date (DELETE ... WHERE date < $1).
CREATE INDEX update_log_date ON update_log (date);
