-- 0009: QR login tokens (auth.exportLoginToken), email codes, login emails.
-- PostgreSQL dialect; storage/migrations/sqlite/0009_login.sql is the same schema.

-- One row per exported token, until pruned a while after it expires. Only a hash of the
-- token is kept: a leaked table logs nobody in.
CREATE TABLE login_tokens (
    token_hash  TEXT    PRIMARY KEY,        -- sha256 hex of the token
    auth_key_id BIGINT  NOT NULL,           -- the key that exported it (told by updateLoginToken)
    perm_key_id BIGINT  NOT NULL,           -- the permanent key it logs in
    api_id      INTEGER NOT NULL DEFAULT 0,
    except_ids  TEXT    NOT NULL DEFAULT '[]',  -- JSON list of user ids that may not accept it
    ip          TEXT    NOT NULL DEFAULT '',    -- of the exporting device, for its authorization
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    accepted_by BIGINT,                     -- the user who accepted it (single use)
    accepted_at BIGINT
);
CREATE INDEX login_tokens_expires_at ON login_tokens (expires_at);
CREATE INDEX login_tokens_perm_key ON login_tokens (perm_key_id);

-- A code sent to an email address, one per purpose: "login_setup:<phone>:<phone_code_hash>"
-- (account.sendVerifyEmailCode), "login_change:<user>", "password_email:<user>" (a 2FA
-- recovery email to confirm), "recovery:<user>" (auth.requestPasswordRecovery), and
-- "login_setup_done:<phone>:<phone_code_hash>" (code empty: the verified address, kept
-- until the login it was verified for completes).
CREATE TABLE email_codes (
    purpose    TEXT    PRIMARY KEY,
    email      TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0   -- wrong guesses so far
);
CREATE INDEX email_codes_expires_at ON email_codes (expires_at);

-- The address an account's login codes go to (MTSERVER_LOGIN_EMAIL=required).
CREATE TABLE login_emails (
    user_id BIGINT  PRIMARY KEY,
    email   TEXT    NOT NULL,
    set_at  BIGINT  NOT NULL
);
