-- A user's standing in a channel changed (joined, left, kicked, promoted, the channel
-- itself changed): updates.getDifference returns updateChannel for it to a device that
-- was away, by date, without a pts. Telegram's updateChannel has no pts, so logging it
-- in the box's update log made a live device see a gap (storage/messages.py).
-- One row per user and channel: the latest change.
CREATE TABLE channel_standing_changes (
    user_id    BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    date       BIGINT NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX channel_standing_changes_date ON channel_standing_changes (user_id, date);
