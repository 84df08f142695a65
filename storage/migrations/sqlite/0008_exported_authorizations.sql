-- 0008: auth.exportAuthorization tokens, single-use (auth.importAuthorization deletes
-- the row it accepts) and bound to the authorization that exported them: an import
-- checks that this authorization still exists, and logging out other devices deletes
-- every token of the user. Only a hash of the token is kept.
CREATE TABLE exported_authorizations (
    token_hash  BLOB  PRIMARY KEY,      -- SHA-256 of the bytes the client got
    user_id     INTEGER  NOT NULL,
    auth_key_id INTEGER  NOT NULL,         -- the exporting authorization (permanent key)
    expires_at  INTEGER  NOT NULL
);
CREATE INDEX exported_authorizations_user ON exported_authorizations (user_id, expires_at);

-- A login imported with such a token belongs to the device that exported it: hidden
-- from account.getAuthorizations, logged out with it (0: a device of its own).
ALTER TABLE authorizations ADD COLUMN parent_auth_key_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX authorizations_parent ON authorizations (parent_auth_key_id) WHERE parent_auth_key_id <> 0;
