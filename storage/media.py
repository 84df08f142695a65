"""Uploads, stored files, photos, documents and profile photos (storage.interface.Media).

Only metadata lives here; bytes are in the object store (storage/objects), one object
per part, under keys recorded here. Every part written gets a key of its own
("<key_prefix>/<part>.<random>", the prefix chosen by the server when the upload
starts), and a part is recorded only while its upload still exists. When an upload is
used, its part rows move to `file_parts` in the same transaction (the objects are not
copied): the file then reads exactly those objects, and nothing written to the upload
afterwards (a late or repeated saveFilePart, a reused client file_id) can change it.

Profile photos are kept per peer, under its key (storage/peer.py) in the `user_id`
column: a user's under their id, a basic group's under its key, so the same calls serve
both.

Ids of files, photos and documents are random positive int63 (clients see them, so
they must not reveal counts); access hashes are random int64.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .db import Database, Executor, Row, chunks, in_list
from .models import DocumentRecord, FileRecord, PhotoRecord, UploadRecord
from .peer import Peer
from .query import Query, run_chunked

_UPLOAD = "owner_id, file_id, key_prefix, big, total_parts, created_at"
_FILE = "id, size, part_size, mime_type, owner_id, created_at"
_FILE_OF_F = ", ".join(f"f.{column}" for column in _FILE.split(", "))
_PHOTO = "id, access_hash, owner_id, date, sizes, file_id, dc_id"
_DOCUMENT = "id, access_hash, owner_id, date, mime_type, size, file_id, attributes, thumbs, dc_id"


def new_id() -> int:
    return secrets.randbits(63) or 1


def new_access_hash() -> int:
    return secrets.randbits(64) - 2**63


class SqlMedia:
    """storage.interface.Media."""

    def __init__(self, db: Database):
        self._db = db

    # -- uploads -----------------------------------------------------------------------------

    async def start_upload(self, owner_id: int, file_id: int, *, big: bool, total_parts: int | None,
                           now: int) -> UploadRecord:
        # Every part of an upload comes here; only the first one writes (a write is a
        # commit, with SQLite an fsync, per 512 KB part otherwise).
        found = await self.upload(owner_id, file_id)
        if found is not None:
            return found
        prefix = f"up/{owner_id}/{file_id & (2**64 - 1):x}-{secrets.token_hex(6)}"
        await self._db.execute(
            f"INSERT INTO uploads ({_UPLOAD}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (owner_id, file_id)"
            " DO NOTHING", owner_id, file_id, prefix, big, total_parts, now)
        return await self.upload(owner_id, file_id)

    async def upload(self, owner_id: int, file_id: int) -> UploadRecord | None:
        row = await self._db.fetchrow(f"SELECT {_UPLOAD} FROM uploads WHERE owner_id = $1 AND file_id = $2",
                                      owner_id, file_id)
        return None if row is None else _upload(row)

    async def add_part(self, owner_id: int, file_id: int, part: int, size: int,
                       object_key: str) -> tuple[bool, str | None]:
        """(recorded, the key of the part it replaced). Not recorded if the upload is gone
        (used or expired meanwhile): the caller deletes the object it wrote."""
        return await self._db.transaction(_add_part, self._db.dialect, owner_id, file_id, part, size, object_key)

    async def parts(self, owner_id: int, file_id: int) -> dict[int, int]:
        rows = await self._db.fetch("SELECT part, size FROM upload_parts WHERE owner_id = $1 AND file_id = $2",
                                    owner_id, file_id)
        return {row[0]: row[1] for row in rows}

    async def part_keys(self, owner_id: int, file_id: int) -> dict[int, str]:
        rows = await self._db.fetch("SELECT part, object_key FROM upload_parts WHERE owner_id = $1 AND file_id = $2",
                                    owner_id, file_id)
        return {row[0]: row[1] for row in rows}

    async def full_part_size(self, owner_id: int, file_id: int, last_part: int, other_than: int) -> int | None:
        return await self._db.fetchval("SELECT size FROM upload_parts WHERE owner_id = $1 AND file_id = $2"
                                       " AND part < $3 AND part <> $4 LIMIT 1", owner_id, file_id, last_part,
                                       other_than)

    async def finish_upload(self, owner_id: int, file_id: int, key_prefix: str, part_count: int,
                            file: FileRecord) -> list[str] | None:
        """Parts 0 .. part_count - 1 of the upload become `file`; returns the keys of the
        parts beyond (for the caller to delete), None if the upload was gone already."""
        return await self._db.transaction(_finish_upload, owner_id, file_id, key_prefix, part_count, file)

    async def expired_uploads(self, before: int, limit: int = 100) -> list[tuple[UploadRecord, list[str]]]:
        rows = await self._db.fetch(f"SELECT {_UPLOAD} FROM uploads WHERE created_at < $1 ORDER BY created_at"
                                    " LIMIT $2", before, limit)
        found = []
        for row in rows:
            upload = _upload(row)
            keys = await self.part_keys(upload.owner_id, upload.file_id)
            found.append((upload, [keys[part] for part in sorted(keys)]))
        return found

    async def drop_upload(self, owner_id: int, file_id: int) -> None:
        await self._db.transaction(_drop_upload, owner_id, file_id)

    # -- files, photos, documents -------------------------------------------------------------

    async def add_file(self, file: FileRecord, object_keys: Sequence[str]) -> None:
        """A file the server wrote itself, part i in object_keys[i]."""
        await self._db.transaction(_add_file, file, list(object_keys))

    async def file(self, file_id: int) -> FileRecord | None:
        row = await self._db.fetchrow(f"SELECT {_FILE} FROM files WHERE id = $1", file_id)
        return None if row is None else FileRecord(**dict(zip(_FILE.split(", "), row)))

    async def file_part_keys(self, file_id: int, first: int, last: int) -> dict[int, str]:
        """{part: object key} for parts first .. last of a stored file."""
        rows = await self._db.fetch("SELECT part, object_key FROM file_parts WHERE file_id = $1"
                                    " AND part >= $2 AND part <= $3", file_id, first, last)
        return {row[0]: row[1] for row in rows}

    async def file_range(self, file_id: int, offset: int, limit: int) -> tuple[FileRecord | None, dict[int, str]]:
        rows = await self._db.fetch(
            f"SELECT {_FILE_OF_F}, p.part, p.object_key FROM files f LEFT JOIN file_parts p ON p.file_id = f.id"
            " AND p.part >= CAST($2 AS BIGINT) / f.part_size"
            " AND p.part <= (CAST($2 AS BIGINT) + $3 - 1) / f.part_size WHERE f.id = $1", file_id, offset, limit)
        if not rows:
            return None, {}
        width = len(_FILE_OF_F.split(", "))
        file = FileRecord(**dict(zip(_FILE.split(", "), rows[0][:width])))
        return file, {row[width]: row[width + 1] for row in rows if row[width] is not None}

    async def add_photo(self, photo: PhotoRecord) -> None:
        await self._db.execute(f"INSERT INTO photos ({_PHOTO}) VALUES ($1, $2, $3, $4, $5, $6, $7)", photo.id,
                               photo.access_hash, photo.owner_id, photo.date, _json(photo.sizes), photo.file_id,
                               photo.dc_id)

    async def photo(self, photo_id: int) -> PhotoRecord | None:
        found = await self.photos([photo_id])
        return found[0] if found else None

    async def photos(self, photo_ids: Sequence[int]) -> list[PhotoRecord]:
        """Those that exist, in the order asked."""
        wanted = list(dict.fromkeys(photo_ids))
        found: dict[int, PhotoRecord] = {}
        for part in chunks(wanted):
            rows = await self._db.fetch(f"SELECT {_PHOTO} FROM photos WHERE id IN ({in_list(len(part))})", *part)
            found.update((row[0], _photo(row)) for row in rows)
        return [found[i] for i in wanted if i in found]

    async def add_document(self, doc: DocumentRecord) -> None:
        await self._db.execute(
            f"INSERT INTO documents ({_DOCUMENT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", doc.id,
            doc.access_hash, doc.owner_id, doc.date, doc.mime_type, doc.size, doc.file_id, _json(doc.attributes),
            _json(doc.thumbs), doc.dc_id)

    async def document(self, document_id: int) -> DocumentRecord | None:
        row = await self._db.fetchrow(f"SELECT {_DOCUMENT} FROM documents WHERE id = $1", document_id)
        if row is None:
            return None
        return DocumentRecord(id=row[0], access_hash=row[1], owner_id=row[2], date=row[3], mime_type=row[4],
                              size=row[5], file_id=row[6], attributes=_load(row[7]), thumbs=_load(row[8]),
                              dc_id=row[9])

    # -- profile photos -----------------------------------------------------------------------

    async def add_profile_photo(self, owner: Peer, photo_id: int, set_at: int) -> None:
        await self._db.execute("INSERT INTO profile_photos (user_id, photo_id, set_at) VALUES ($1, $2, $3)"
                               " ON CONFLICT (user_id, photo_id) DO UPDATE SET set_at = excluded.set_at",
                               owner.key, photo_id, set_at)

    async def profile_photos(self, owner: Peer, offset: int = 0, limit: int = 100) -> tuple[list[PhotoRecord], int]:
        """(the peer's profile photos, newest (current) first, total count)."""
        total = await self._db.fetchval("SELECT count(*) FROM profile_photos WHERE user_id = $1", owner.key)
        rows = await self._db.fetch("SELECT photo_id FROM profile_photos WHERE user_id = $1"
                                    " ORDER BY set_at DESC, photo_id DESC LIMIT $2 OFFSET $3",
                                    owner.key, max(0, limit), max(0, offset))
        return await self.photos([row[0] for row in rows]), total

    async def current_profile_photos(self, owners: Iterable[Peer]) -> dict[Peer, PhotoRecord]:
        """{peer: current profile photo} for the peers who have one (one statement per
        500 peers: every user view of an answer or a push asks)."""
        return await run_chunked(self._db, owners, self.current_profile_photos_query)

    def current_profile_photos_query(self, owners: Sequence[Peer]) -> Query[dict[Peer, PhotoRecord]]:
        """current_profile_photos of these peers (distinct, 500 at most)."""
        keys = tuple(p.key for p in owners)
        return Query(f"SELECT pp.user_id, pp.set_at, {_PROFILE_PHOTO_COLUMNS} FROM profile_photos pp"
                     f" JOIN photos p ON p.id = pp.photo_id WHERE pp.user_id IN ({in_list(len(keys))})",
                     keys, _current_photos)

    async def delete_profile_photos(self, owner: Peer, photo_ids: Iterable[int]) -> list[int]:
        """The ids that were the peer's profile photos (now deleted)."""
        wanted = list(dict.fromkeys(photo_ids))
        deleted = []
        for part in chunks(wanted):
            rows = await self._db.fetch(f"DELETE FROM profile_photos WHERE user_id = $1 AND photo_id IN"
                                        f" ({in_list(len(part), start=2)}) RETURNING photo_id", owner.key, *part)
            deleted += [row[0] for row in rows]
        return [i for i in wanted if i in set(deleted)]

    async def delete_all_profile_photos(self, owner: Peer) -> list[str]:
        """Every profile photo of the peer (a deleted account), in one transaction; a
        photo nothing else shows (another peer's profile photo, a message's media or
        service action, in any box or channel) goes with its files. Returns the object
        keys of those files, for the caller to delete from the object store once this
        has committed. Finding what else shows a photo scans the messages that have
        media: an operator's rare call, not a client's."""
        return await self._db.transaction(_delete_all_profile_photos, self._db.dialect, owner.key)

    async def drop_uploads_of(self, owner_id: int) -> list[str]:
        """Every unfinished upload of the user; returns the object keys of its parts."""
        return await self._db.transaction(_drop_uploads_of, owner_id)

    async def is_profile_photo(self, owner: Peer, photo_id: int) -> bool:
        return bool(await self._db.fetchval("SELECT count(*) FROM profile_photos WHERE user_id = $1"
                                            " AND photo_id = $2", owner.key, photo_id))


async def _add_part(tx: Executor, dialect: str, owner_id: int, file_id: int, part: int, size: int,
                    object_key: str) -> tuple[bool, str | None]:
    # Locked (PostgreSQL; SQLite serializes writes anyway), so the upload cannot be used
    # between this check and the insert: a part is recorded in an upload or not at all.
    # One statement finds both the upload and the part this one replaces (re-sent).
    lock = " FOR UPDATE OF u" if dialect == "postgres" else ""
    found = await tx.fetchrow(
        "SELECT u.key_prefix, p.object_key FROM uploads u LEFT JOIN upload_parts p ON p.owner_id = u.owner_id"
        f" AND p.file_id = u.file_id AND p.part = $3 WHERE u.owner_id = $1 AND u.file_id = $2{lock}",
        owner_id, file_id, part)
    if found is None:
        return False, None
    replaced = found[1]
    await tx.execute(
        "INSERT INTO upload_parts (owner_id, file_id, part, size, object_key) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (owner_id, file_id, part) DO UPDATE SET size = excluded.size, object_key = excluded.object_key",
        owner_id, file_id, part, size, object_key)
    return True, replaced


async def _finish_upload(tx: Executor, owner_id: int, file_id: int, key_prefix: str, part_count: int,
                         file: FileRecord) -> list[str] | None:
    gone = await tx.execute("DELETE FROM uploads WHERE owner_id = $1 AND file_id = $2 AND key_prefix = $3",
                            owner_id, file_id, key_prefix)
    if not gone:
        return None
    await _insert_file(tx, file)
    await tx.execute("INSERT INTO file_parts (file_id, part, object_key) SELECT $1, part, object_key"
                     " FROM upload_parts WHERE owner_id = $2 AND file_id = $3 AND part < $4",
                     file.id, owner_id, file_id, part_count)
    rows = await tx.fetch("SELECT object_key FROM upload_parts WHERE owner_id = $1 AND file_id = $2 AND part >= $3",
                          owner_id, file_id, part_count)
    await tx.execute("DELETE FROM upload_parts WHERE owner_id = $1 AND file_id = $2", owner_id, file_id)
    return [row[0] for row in rows]


async def _drop_upload(tx: Executor, owner_id: int, file_id: int) -> None:
    await tx.execute("DELETE FROM uploads WHERE owner_id = $1 AND file_id = $2", owner_id, file_id)
    await tx.execute("DELETE FROM upload_parts WHERE owner_id = $1 AND file_id = $2", owner_id, file_id)


# Where a message (or a channel's) keeps a photo: its media ({"_": "photo", "photo":
# {PhotoRecord}}) or its service action (messageActionChatEditPhoto's TL photo).
_PHOTO_SHOWN_IN = {
    "postgres": "SELECT 1 FROM {table} WHERE (media->'photo'->>'id' = $1 OR action->'photo'->>'id' = $1) LIMIT 1",
    "sqlite": "SELECT 1 FROM {table} WHERE (json_extract(media, '$.photo.id') = $1"
              " OR json_extract(action, '$.photo.id') = $1) LIMIT 1",
}


async def _photo_in_use(tx: Executor, dialect: str, photo_id: int) -> bool:
    if await tx.fetchval("SELECT 1 FROM profile_photos WHERE photo_id = $1 LIMIT 1", photo_id):
        return True
    # JSONB's ->> gives text, SQLite's json_extract an integer.
    key = str(photo_id) if dialect == "postgres" else photo_id
    for table in ("messages", "channel_messages"):
        if await tx.fetchval(_PHOTO_SHOWN_IN[dialect].format(table=table), key):
            return True
    return False


async def _delete_all_profile_photos(tx: Executor, dialect: str, owner_key: int) -> list[str]:
    rows = await tx.fetch("DELETE FROM profile_photos WHERE user_id = $1 RETURNING photo_id", owner_key)
    keys: list[str] = []
    for photo_id in sorted({row[0] for row in rows}):
        if await _photo_in_use(tx, dialect, photo_id):
            continue
        row = await tx.fetchrow(f"SELECT {_PHOTO} FROM photos WHERE id = $1", photo_id)
        if row is None:
            continue
        photo = _photo(row)
        await tx.execute("DELETE FROM photos WHERE id = $1", photo_id)
        file_ids = {photo.file_id, *(s["file_id"] for s in photo.sizes if "file_id" in s)}
        for file_id in sorted(file_ids):
            # A file another photo or a document still reads stays (none is shared today).
            if await tx.fetchval("SELECT 1 FROM photos WHERE file_id = $1 UNION ALL"
                                 " SELECT 1 FROM documents WHERE file_id = $1 LIMIT 1", file_id):
                continue
            parts = await tx.fetch("DELETE FROM file_parts WHERE file_id = $1 RETURNING object_key", file_id)
            keys += [part[0] for part in parts]
            await tx.execute("DELETE FROM files WHERE id = $1", file_id)
    return keys


async def _drop_uploads_of(tx: Executor, owner_id: int) -> list[str]:
    rows = await tx.fetch("DELETE FROM upload_parts WHERE owner_id = $1 RETURNING object_key", owner_id)
    await tx.execute("DELETE FROM uploads WHERE owner_id = $1", owner_id)
    return [row[0] for row in rows]


async def _add_file(tx: Executor, file: FileRecord, keys: list[str]) -> None:
    await _insert_file(tx, file)
    for part, key in enumerate(keys):
        await tx.execute("INSERT INTO file_parts (file_id, part, object_key) VALUES ($1, $2, $3)", file.id, part, key)


async def _insert_file(ex: Executor, f: FileRecord) -> None:
    await ex.execute(f"INSERT INTO files ({_FILE}) VALUES ($1, $2, $3, $4, $5, $6)", f.id, f.size, f.part_size,
                     f.mime_type, f.owner_id, f.created_at)


def _upload(row: Row) -> UploadRecord:
    return UploadRecord(owner_id=row[0], file_id=row[1], key_prefix=row[2], big=bool(row[3]), total_parts=row[4],
                        created_at=row[5])


_PROFILE_PHOTO_COLUMNS = ", ".join(f"p.{c.strip()}" for c in _PHOTO.split(","))


def _current_photos(rows: list[Row]) -> dict[Peer, PhotoRecord]:
    """Each peer's latest profile photo (by when it was set, then by id) of its rows."""
    found: dict[int, PhotoRecord] = {}
    best: dict[int, tuple[int, int]] = {}
    for row in rows:
        user_id, set_at, photo = row[0], row[1], _photo(row[2:])
        if user_id not in best or (set_at, photo.id) > best[user_id]:
            best[user_id] = (set_at, photo.id)
            found[user_id] = photo
    return {Peer.from_key(key): photo for key, photo in found.items()}


def _photo(row: Row) -> PhotoRecord:
    return PhotoRecord(id=row[0], access_hash=row[1], owner_id=row[2], date=row[3], sizes=_load(row[4]),
                       file_id=row[5], dc_id=row[6])


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _load(text: Any) -> Any:
    return msgspec.json.decode(text)
