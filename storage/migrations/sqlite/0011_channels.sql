-- 0011: supergroups and broadcast channels: one shared message stream per channel with
-- its own message ids and pts, the members, the channel's update log, views, invite
-- links, and one table of every reserved username (users' and channels').
-- SQLite dialect; storage/migrations/postgres/0011_channels.sql is the same schema.
-- See storage/channels.py for the model and the rules these tables keep.

-- A supergroup (megagroup) or broadcast channel. Ids come from their own sequence;
-- the storage peer id of a channel is storage.peer.Peer.channel(id).key.
-- Telegram's channel ids are around 10^9; clients accept any id below 2^31.
CREATE TABLE channels (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    access_hash           INTEGER NOT NULL,
    title                 TEXT    NOT NULL,
    about                 TEXT    NOT NULL DEFAULT '',
    photo                 TEXT,                   -- {"chat_photo": ChatPhoto, "photo": Photo} TL dicts; NULL: none
    creator_id            INTEGER NOT NULL,
    date                  INTEGER NOT NULL,
    broadcast             INTEGER NOT NULL DEFAULT 0,
    megagroup             INTEGER NOT NULL DEFAULT 0,
    forum                 INTEGER NOT NULL DEFAULT 0,
    signatures            INTEGER NOT NULL DEFAULT 0,
    noforwards            INTEGER NOT NULL DEFAULT 0,
    join_to_send          INTEGER NOT NULL DEFAULT 0,
    join_request          INTEGER NOT NULL DEFAULT 0,
    pre_history_hidden    INTEGER NOT NULL DEFAULT 0,
    slowmode_seconds      INTEGER NOT NULL DEFAULT 0,
    default_banned_rights INTEGER NOT NULL DEFAULT 0, -- chatBannedRights flags
    username              TEXT,                   -- as spelled; reserved in usernames
    linked_chat_id        INTEGER,                -- the discussion group / the channel it discusses
    migrated_from_chat_id INTEGER,                -- the basic group it replaced
    migrated_from_max_id  INTEGER,
    pts                   INTEGER NOT NULL DEFAULT 1,
    last_message_id       INTEGER NOT NULL DEFAULT 0, -- the last id handed out (never reused)
    top_message           INTEGER NOT NULL DEFAULT 0, -- the newest message still there (0: none)
    top_date              INTEGER NOT NULL,           -- its date (the channel's date without one)
    read_outbox_max_id    INTEGER NOT NULL DEFAULT 0, -- the newest message read by a member not its sender
    participants_count    INTEGER NOT NULL DEFAULT 0, -- creator, admins, members, restricted members
    admins_count          INTEGER NOT NULL DEFAULT 0, -- creator and admins
    kicked_count          INTEGER NOT NULL DEFAULT 0,
    banned_count          INTEGER NOT NULL DEFAULT 0, -- restricted members
    deactivated           INTEGER NOT NULL DEFAULT 0
);
-- AUTOINCREMENT so that ids are never reused; seeded so that the first id is 1000000000.
INSERT INTO sqlite_sequence (name, seq) VALUES ('channels', 999999999);

-- By username (t.me/name); the name's uniqueness is the usernames table's.
CREATE INDEX channels_username ON channels (lower(username));

-- Everyone who is, was, or is banned from being a member. role: creator, admin, member,
-- restricted (a member with banned rights), kicked (removed and banned: view_messages),
-- left. Only the first four are members.
CREATE TABLE channel_participants (
    channel_id        INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    role              TEXT    NOT NULL CHECK (role IN ('creator', 'admin', 'member', 'restricted', 'kicked', 'left')),
    inviter_id        INTEGER,                -- who added them (themselves for a join)
    date              INTEGER NOT NULL,       -- when the current role began (joined, promoted, banned)
    admin_rights      INTEGER NOT NULL DEFAULT 0, -- chatAdminRights flags
    rank              TEXT,
    promoted_by       INTEGER,
    banned_rights     INTEGER NOT NULL DEFAULT 0, -- chatBannedRights flags
    banned_until      INTEGER NOT NULL DEFAULT 0, -- 0: forever
    kicked_by         INTEGER,
    read_inbox_max_id INTEGER NOT NULL DEFAULT 0,
    available_min_id  INTEGER NOT NULL DEFAULT 0, -- history before it is hidden from them
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_participants_user ON channel_participants (user_id, role);
CREATE INDEX channel_participants_role ON channel_participants (channel_id, role, date);

-- One copy of each message, whoever reads it. sender_id: the user who sent it; from_id:
-- the author as shown (a storage peer id: the sender, or the channel itself).
CREATE TABLE channel_messages (
    channel_id      INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    sender_id       INTEGER NOT NULL,
    from_id         INTEGER NOT NULL,
    date            INTEGER NOT NULL,
    message         TEXT    NOT NULL,
    entities        TEXT    NOT NULL,         -- list of TL dicts
    media           TEXT,                     -- TL dict
    reply_to_msg_id INTEGER,
    reply_to_top_id INTEGER,                  -- a forum topic / a comment thread
    fwd_from        TEXT,
    action          TEXT,                     -- a service message's MessageAction TL dict
    random_id       INTEGER,
    edit_date       INTEGER,
    silent          INTEGER NOT NULL DEFAULT 0,
    pinned          INTEGER NOT NULL DEFAULT 0,
    grouped_id      INTEGER,
    post_author     TEXT,
    views           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, id)
);
CREATE UNIQUE INDEX channel_messages_random_id ON channel_messages (channel_id, sender_id, random_id)
    WHERE random_id IS NOT NULL;
CREATE INDEX channel_messages_sender ON channel_messages (channel_id, sender_id, id);
CREATE INDEX channel_messages_pinned ON channel_messages (channel_id, id) WHERE pinned = 1;

-- Who has viewed which message (messages.getMessagesViews counts each user once).
CREATE TABLE channel_message_views (
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id, user_id)
);

-- Every change to a channel's messages, by the pts it moved the channel to; the kinds and
-- data of the users' update log (storage.models.UpdateRecord), without peer_id.
CREATE TABLE channel_update_log (
    channel_id INTEGER NOT NULL,
    pts        INTEGER NOT NULL,
    pts_count  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    date       INTEGER NOT NULL,
    PRIMARY KEY (channel_id, pts)
);
CREATE INDEX channel_update_log_date ON channel_update_log (date);

-- Invite links of channels (t.me/+hash); basic groups' are chat_invites.
CREATE TABLE channel_invites (
    hash           TEXT    PRIMARY KEY,
    channel_id     INTEGER NOT NULL,
    admin_id       INTEGER NOT NULL,
    date           INTEGER NOT NULL,
    expire_date    INTEGER,
    usage_limit    INTEGER,
    usage          INTEGER NOT NULL DEFAULT 0,
    revoked        INTEGER NOT NULL DEFAULT 0,
    permanent      INTEGER NOT NULL DEFAULT 0, -- the channel's primary link (one at a time)
    request_needed INTEGER NOT NULL DEFAULT 0,
    title          TEXT
);
CREATE INDEX channel_invites_channel ON channel_invites (channel_id, date);

-- Every username in use, users' and channels' alike: one name space, unique ignoring
-- case (name is lower-cased). peer_id: a storage peer id (a user's is their id).
CREATE TABLE usernames (
    name    TEXT   PRIMARY KEY,
    peer_id INTEGER NOT NULL UNIQUE
);
INSERT INTO usernames (name, peer_id) SELECT lower(username), id FROM users WHERE username IS NOT NULL;
