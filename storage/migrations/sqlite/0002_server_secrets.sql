-- 0002: secrets every server process must share (the salt secret), so that any
-- process can check the server salts any other handed out.
CREATE TABLE server_secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
