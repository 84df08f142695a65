-- Joining supergroups and channels through invite links (storage/channel_joins.py).

-- Requests to join awaiting an admin's answer: through a link with request_needed, or
-- to a public group with join_request. One per user and channel.
CREATE TABLE channel_join_requests (
    channel_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    invite_hash TEXT,             -- the link asked through; NULL: by the group's username
    about       TEXT,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_join_requests_date ON channel_join_requests (channel_id, date);

-- Who joined through which link (messages.getChatInviteImporters), the last time.
CREATE TABLE channel_invite_importers (
    hash        TEXT   NOT NULL,
    channel_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    approved_by INTEGER,          -- the admin who let them in (a request), or NULL
    PRIMARY KEY (hash, user_id)
);
CREATE INDEX channel_invite_importers_channel ON channel_invite_importers (channel_id, date);
