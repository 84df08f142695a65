-- 0001: auth keys, accounts, login codes, contacts, blocks, update state, invites.
-- SQLite dialect; storage/migrations/postgres/0001_init.sql is the same schema.
-- Times are unix seconds; ids and access hashes are signed int64 (INTEGER holds them).
-- Booleans are 0/1. No foreign keys: the services own rules that span tables.

CREATE TABLE auth_keys (
    key_id      INTEGER PRIMARY KEY,        -- signed int64, as TL reads a long
    key         BLOB    NOT NULL,           -- 256 bytes
    created_at  INTEGER NOT NULL,
    temporary   INTEGER NOT NULL,
    expires_at  INTEGER,                    -- temporary keys only
    perm_key_id INTEGER,                    -- auth.bindTempAuthKey
    layer       INTEGER,
    client_info TEXT    NOT NULL            -- JSON object (initConnection)
);
CREATE INDEX auth_keys_expires_at ON auth_keys (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX auth_keys_perm_key_id ON auth_keys (perm_key_id) WHERE perm_key_id IS NOT NULL;

-- AUTOINCREMENT so that ids are never reused; seeded so that the first id is 1000000.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    access_hash  INTEGER NOT NULL,
    phone        TEXT    NOT NULL UNIQUE,
    first_name   TEXT    NOT NULL,
    last_name    TEXT    NOT NULL DEFAULT '',
    username     TEXT,
    about        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL DEFAULT 0,
    last_seen    INTEGER NOT NULL DEFAULT 0,
    online_until INTEGER NOT NULL DEFAULT 0,
    banned       INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('users', 999999);
-- Usernames are unique case-insensitively; they are ASCII (a-z, 0-9, _), which the
-- built-in lower() folds.
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE passwords (
    user_id    INTEGER PRIMARY KEY,
    salt1      BLOB    NOT NULL,
    salt2      BLOB    NOT NULL,
    g          INTEGER NOT NULL,
    p          BLOB    NOT NULL,
    verifier   BLOB    NOT NULL,
    hint       TEXT    NOT NULL DEFAULT '',
    email      TEXT,
    srp_id     INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE privacy_rules (
    user_id INTEGER NOT NULL,
    key     TEXT    NOT NULL,               -- "phone_number", "status_timestamp", ...
    rules   TEXT    NOT NULL,               -- JSON list of TL dicts
    PRIMARY KEY (user_id, key)
);

CREATE TABLE authorizations (
    auth_key_id    INTEGER PRIMARY KEY,     -- one per permanent auth key
    user_id        INTEGER NOT NULL,
    hash           INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    active_at      INTEGER NOT NULL,
    api_id         INTEGER NOT NULL DEFAULT 0,
    device_model   TEXT    NOT NULL DEFAULT '',
    platform       TEXT    NOT NULL DEFAULT '',
    system_version TEXT    NOT NULL DEFAULT '',
    app_name       TEXT    NOT NULL DEFAULT '',
    app_version    TEXT    NOT NULL DEFAULT '',
    ip             TEXT    NOT NULL DEFAULT '',
    country        TEXT    NOT NULL DEFAULT '',
    -- signed in with the code, the 2FA password still to be checked
    password_pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX authorizations_user ON authorizations (user_id, hash);

CREATE TABLE phone_codes (
    phone           TEXT    NOT NULL,
    phone_code_hash TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    verified        INTEGER NOT NULL DEFAULT 0,   -- accepted for a phone without an account
    PRIMARY KEY (phone, phone_code_hash)
);
CREATE INDEX phone_codes_expires_at ON phone_codes (expires_at);

CREATE TABLE contacts (
    owner_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    added_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, user_id)
);
CREATE INDEX contacts_user ON contacts (user_id);

-- seq orders blocks made within the same second (newest first).
CREATE TABLE blocked (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    blocked_at INTEGER NOT NULL,
    UNIQUE (owner_id, user_id)
);
CREATE INDEX blocked_newest ON blocked (owner_id, blocked_at DESC, seq DESC);

CREATE TABLE update_state (
    user_id INTEGER PRIMARY KEY,
    pts     INTEGER NOT NULL DEFAULT 1,
    qts     INTEGER NOT NULL DEFAULT 0,
    seq     INTEGER NOT NULL DEFAULT 0,
    date    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL,
    used_by    INTEGER,
    used_at    INTEGER
);
