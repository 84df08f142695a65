-- 0005: uploads in progress, stored files, photos, documents, profile photos.
-- PostgreSQL dialect; storage/migrations/sqlite/0005_media.sql is the same schema.
-- See storage/media.py for the rules these tables keep; the bytes live in the object
-- store (storage/objects), one object per part, named in upload_parts / file_parts.

-- An upload (upload.saveFilePart / saveBigFilePart) until it is used or expires.
-- key_prefix is chosen by the server, so a client reusing its file_id later never
-- overwrites the parts of a file already stored.
CREATE TABLE uploads (
    owner_id    BIGINT  NOT NULL,
    file_id     BIGINT  NOT NULL,       -- the client's random id
    key_prefix  TEXT    NOT NULL,
    big         BOOLEAN NOT NULL,       -- saveBigFilePart
    total_parts INTEGER,                -- saveBigFilePart's file_total_parts
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (owner_id, file_id)
);
CREATE INDEX uploads_created ON uploads (created_at);

CREATE TABLE upload_parts (
    owner_id   BIGINT  NOT NULL,
    file_id    BIGINT  NOT NULL,
    part       INTEGER NOT NULL,
    size       BIGINT  NOT NULL,
    object_key TEXT    NOT NULL,        -- "<key_prefix>/<part>.<random>": a re-sent part gets a new one
    PRIMARY KEY (owner_id, file_id, part)
);

-- A stored file: every part part_size bytes except the last, each an object (file_parts).
CREATE TABLE files (
    id         BIGINT  PRIMARY KEY,
    size       BIGINT  NOT NULL,
    part_size  BIGINT  NOT NULL,
    mime_type  TEXT    NOT NULL,
    owner_id   BIGINT  NOT NULL,        -- who uploaded it
    created_at BIGINT  NOT NULL
);

-- The object holding each part of a stored file. Used upload parts move here, so a
-- part still being written to an upload when it was used can never change the file.
CREATE TABLE file_parts (
    file_id    BIGINT  NOT NULL,
    part       INTEGER NOT NULL,
    object_key TEXT    NOT NULL,
    PRIMARY KEY (file_id, part)
);

CREATE TABLE photos (
    id          BIGINT  PRIMARY KEY,
    access_hash BIGINT  NOT NULL,
    owner_id    BIGINT  NOT NULL,
    date        BIGINT  NOT NULL,
    sizes       JSONB   NOT NULL,       -- list, see storage.models.PhotoRecord
    file_id     BIGINT  NOT NULL,       -- the original upload
    dc_id       INTEGER NOT NULL        -- the DC that stores its files
);

CREATE TABLE documents (
    id          BIGINT  PRIMARY KEY,
    access_hash BIGINT  NOT NULL,
    owner_id    BIGINT  NOT NULL,
    date        BIGINT  NOT NULL,
    mime_type   TEXT    NOT NULL,
    size        BIGINT  NOT NULL,
    file_id     BIGINT  NOT NULL,
    attributes  JSONB   NOT NULL,       -- list of TL dicts (DocumentAttribute)
    thumbs      JSONB   NOT NULL,       -- list, as PhotoRecord.sizes
    dc_id       INTEGER NOT NULL
);

-- A peer's profile photos (users by id, basic groups by -chat_id); the one set last
-- (highest set_at, microseconds) is the current one.
CREATE TABLE profile_photos (
    user_id  BIGINT  NOT NULL,
    photo_id BIGINT  NOT NULL,
    set_at   BIGINT  NOT NULL,
    PRIMARY KEY (user_id, photo_id)
);
CREATE INDEX profile_photos_newest ON profile_photos (user_id, set_at DESC);
