-- The recent actions of a supergroup's or channel's admins (channels.getAdminLog;
-- storage/channel_admin_log.py). Kept for 48 hours, as Telegram (server/maintenance.py).
CREATE TABLE channel_admin_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id  INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,   -- who acted
    category    TEXT   NOT NULL,   -- its channelAdminLogEventsFilter flag: "info", "ban", "edit", ...
    data        TEXT NOT NULL,   -- the action, as the rpc layer's typed struct in JSON
    search_text TEXT   NOT NULL    -- lowercased words that q finds it by (titles, texts, names)
);
CREATE INDEX channel_admin_log_channel ON channel_admin_log (channel_id, id);
CREATE INDEX channel_admin_log_date ON channel_admin_log (date);
