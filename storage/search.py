"""Searching a user's messages (messages.search, searchGlobal, getSearchCounters)
(storage.interface.MessageSearch).

Plain SQL both backends run: text is a case-insensitive substring (``lower(message)
LIKE pattern`` with % and _ escaped; unicode_lower on SQLite), filters
are conditions on the stored columns. Media filters look at the TL predicate stored in
``media`` (its "_") and, for kinds of documents, at the document attributes named in it.
"""

from __future__ import annotations

from typing import Any

from .db import Database, like_escape
from .message_boxes import MESSAGE_COLUMNS, message_record
from .models import MessageRecord
from .peer import Peer

SEARCH_LIMIT = 100

# json "_" of the media / action column, per dialect.
_MEDIA_TYPE = {"sqlite": "json_extract(media, '$._')", "postgres": "(media->>'_')"}
_ACTION_TYPE = {"sqlite": "json_extract(action, '$._')", "postgres": "(action->>'_')"}
_MEDIA_TEXT = "CAST(media AS TEXT)"
# SQLite's lower() folds ASCII only; unicode_lower is Python's (storage/sqlite.py).
_FOLD = {"sqlite": "unicode_lower", "postgres": "lower"}


def _has(name: str) -> str:
    """The media mentions this TL predicate somewhere (a document attribute)."""
    return f"{_MEDIA_TEXT} LIKE '%\"{name}\"%'"


def _media_is(dialect: str, *predicates: str) -> str:
    return f"{_MEDIA_TYPE[dialect]} IN ({', '.join(repr(p) for p in predicates)})"


def _action_is(dialect: str, *predicates: str) -> str:
    return f"{_ACTION_TYPE[dialect]} IN ({', '.join(repr(p) for p in predicates)})"


def _flag(dialect: str, key: str) -> str:
    """A true boolean field somewhere in the media (msgspec writes compact JSON, PostgreSQL
    renders JSONB with a space after the colon)."""
    return f"{_MEDIA_TEXT} LIKE '%\"{key}\":{'' if dialect == 'sqlite' else ' '}true%'"


# Message media as rpc/services/media_view.py stores it: {"_": "photo", "photo": {...}} or
# {"_": "document", "document": {..., "attributes": [TL dicts]}}.
_PHOTO, _DOCUMENT = "photo", "document"


def filter_condition(dialect: str, name: str) -> str | None:
    """The SQL condition of an inputMessagesFilter* predicate; None: nothing matches it
    here (mentions, calls, ... that private chats do not store)."""
    doc = _media_is(dialect, _DOCUMENT)
    video = f"({doc} AND {_has('documentAttributeVideo')})"
    conditions = {
        "inputMessagesFilterEmpty": "1 = 1",
        "inputMessagesFilterPhotos": _media_is(dialect, _PHOTO),
        "inputMessagesFilterVideo": video,
        "inputMessagesFilterPhotoVideo": f"({_media_is(dialect, _PHOTO)} OR {video})",
        "inputMessagesFilterDocument": f"({doc} AND NOT {_has('documentAttributeVideo')}"
                                       f" AND NOT {_has('documentAttributeAudio')}"
                                       f" AND NOT {_has('documentAttributeSticker')})",
        "inputMessagesFilterGif": f"({doc} AND {_has('documentAttributeAnimated')})",
        "inputMessagesFilterVoice": f"({doc} AND {_flag(dialect, 'voice')})",
        "inputMessagesFilterMusic": f"({doc} AND {_has('documentAttributeAudio')} AND NOT {_flag(dialect, 'voice')})",
        "inputMessagesFilterRoundVideo": f"({doc} AND {_flag(dialect, 'round_message')})",
        "inputMessagesFilterRoundVoice": f"({doc} AND ({_flag(dialect, 'round_message')}"
                                         f" OR {_flag(dialect, 'voice')}))",
        "inputMessagesFilterUrl": "(CAST(entities AS TEXT) LIKE '%\"messageEntityUrl\"%'"
                                  " OR CAST(entities AS TEXT) LIKE '%\"messageEntityTextUrl\"%'"
                                  f" OR {_media_is(dialect, 'messageMediaWebPage')})",
        "inputMessagesFilterGeo": _media_is(dialect, "messageMediaGeo", "messageMediaGeoLive", "messageMediaVenue"),
        "inputMessagesFilterContacts": _media_is(dialect, "messageMediaContact"),
        "inputMessagesFilterPinned": "pinned",
        "inputMessagesFilterChatPhotos": _action_is(dialect, "messageActionChatEditPhoto"),
        "inputMessagesFilterPhoneCalls": _action_is(dialect, "messageActionPhoneCall"),
    }
    # (A NULL media or action makes any of these conditions NULL: not a match.)
    return conditions.get(name)


class Conditions:
    """A WHERE clause built term by term, with its $n arguments."""

    def __init__(self, where: list[str], args: list[Any]):
        self.where, self.args = where, args

    def bind(self, sql: str, value: Any) -> None:
        """Adds `sql`, whose {} (or {0}) is the next argument, `value`."""
        self.args.append(value)
        self.where.append(sql.format(f"${len(self.args)}"))

    def sql(self) -> str:
        return " AND ".join(self.where)


def add_search_terms(terms: Conditions, dialect: str, *, query: str, filter: str, min_date: int, max_date: int,
                     max_id: int, min_id: int) -> None:
    """The terms every message search shares (box or channel): the text, no service
    messages except for the filters that list them, the date and id ranges."""
    if query:
        terms.bind(f"{_FOLD[dialect]}(message) LIKE {{}} ESCAPE '\\'", f"%{like_escape(query.lower())}%")
    if filter not in ("inputMessagesFilterPhoneCalls", "inputMessagesFilterChatPhotos"):
        terms.where.append("action IS NULL")  # service messages are not search results
    if min_date > 0:
        terms.bind("date >= {}", min_date)
    if max_date > 0:
        terms.bind("date <= {}", max_date)
    if max_id > 0:
        terms.bind("id < {}", max_id)
    if min_id > 0:
        terms.bind("id > {}", min_id)


class SqlMessageSearch:
    def __init__(self, db: Database):
        self._db = db

    async def search(self, owner_id: int, peer: Peer | None, *, query: str = "", from_id: int | None = None,
                     filter: str = "inputMessagesFilterEmpty", min_date: int = 0, max_date: int = 0,
                     offset_id: int = 0, add_offset: int = 0, limit: int = SEARCH_LIMIT, max_id: int = 0,
                     min_id: int = 0, kind: str = "all") -> tuple[list[MessageRecord], int]:
        condition = filter_condition(self._db.dialect, filter)
        if condition is None:
            return [], 0
        terms = Conditions(["owner_id = $1", condition], [owner_id])
        bind, where, args = terms.bind, terms.where, terms.args
        if peer is not None:
            bind("peer_id = {}", peer.key)
        if kind == "users":
            where.append("peer_id > 0")
        elif kind == "groups":
            where.append("peer_id < 0")  # basic groups' storage peer ids
        if from_id is not None:
            bind("from_id = {}", from_id)
        add_search_terms(terms, self._db.dialect, query=query, filter=filter, min_date=min_date, max_date=max_date,
                         max_id=max_id, min_id=min_id)
        base = " AND ".join(where)
        total = await self._db.fetchval(f"SELECT count(*) FROM messages WHERE {base}", *args)
        limit = min(limit, SEARCH_LIMIT)
        if limit <= 0:
            return [], total
        if offset_id > 0:
            bind("id < {}", offset_id)
        # A negative add_offset (newer than the offset) is not offered by search: from the offset on.
        n = len(args)
        rows = await self._db.fetch(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE {' AND '.join(where)}"
                                    f" ORDER BY id DESC LIMIT ${n + 1} OFFSET ${n + 2}",
                                    *args, limit, max(0, add_offset))
        return [message_record(row) for row in rows], total
