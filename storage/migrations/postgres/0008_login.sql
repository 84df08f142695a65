-- 0008: login without a code: QR login tokens (auth.exportLoginToken).
-- PostgreSQL dialect; storage/migrations/sqlite/0008_login.sql is the same schema.

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
