-- 0005: uploads in progress, stored files, photos, documents, profile photos.
-- SQLite dialect; storage/migrations/postgres/0005_media.sql is the same schema.
-- See storage/media.py for the rules these tables keep; the bytes live in the object
-- store (storage/objects), one object per part, named in upload_parts / file_parts.

-- An upload (upload.saveFilePart / saveBigFilePart) until it is used or expires.
-- key_prefix is chosen by the server, so a client reusing its file_id later never
-- overwrites the parts of a file already stored.
CREATE TABLE uploads (
    owner_id    INTEGER NOT NULL,
    file_id     INTEGER NOT NULL,       -- the client's random id
    key_prefix  TEXT    NOT NULL,
    big         INTEGER NOT NULL,       -- 1: saveBigFilePart
    total_parts INTEGER,                -- saveBigFilePart's file_total_parts
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (owner_id, file_id)
);
CREATE INDEX uploads_created ON uploads (created_at);

CREATE TABLE upload_parts (
    owner_id   INTEGER NOT NULL,
    file_id    INTEGER NOT NULL,
    part       INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    object_key TEXT    NOT NULL,        -- "<key_prefix>/<part>.<random>": a re-sent part gets a new one
    PRIMARY KEY (owner_id, file_id, part)
);

-- A stored file: every part part_size bytes except the last, each an object (file_parts).
CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    size       INTEGER NOT NULL,
    part_size  INTEGER NOT NULL,
    mime_type  TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,        -- who uploaded it
    created_at INTEGER NOT NULL
);

-- The object holding each part of a stored file. Used upload parts move here, so a
-- part still being written to an upload when it was used can never change the file.
CREATE TABLE file_parts (
    file_id    INTEGER NOT NULL,
    part       INTEGER NOT NULL,
    object_key TEXT    NOT NULL,
    PRIMARY KEY (file_id, part)
);

CREATE TABLE photos (
    id          INTEGER PRIMARY KEY,
    access_hash INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    sizes       TEXT    NOT NULL,       -- JSON list, see storage.models.PhotoRecord
    file_id     INTEGER NOT NULL,       -- the original upload
    dc_id       INTEGER NOT NULL        -- the DC that stores its files
);

CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    access_hash INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    date        INTEGER NOT NULL,
    mime_type   TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    file_id     INTEGER NOT NULL,
    attributes  TEXT    NOT NULL,       -- JSON list of TL dicts (DocumentAttribute)
    thumbs      TEXT    NOT NULL,       -- JSON list, as PhotoRecord.sizes
    dc_id       INTEGER NOT NULL
);

-- A peer's profile photos (users by id, basic groups by -chat_id); the one set last
-- (highest set_at, microseconds) is the current one.
CREATE TABLE profile_photos (
    user_id  INTEGER NOT NULL,
    photo_id INTEGER NOT NULL,
    set_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, photo_id)
);
CREATE INDEX profile_photos_newest ON profile_photos (user_id, set_at DESC);
