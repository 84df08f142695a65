"""rpc.services.file_references: what a reference says, and when it is refused."""

from __future__ import annotations

import pytest

from rpc.errors import RpcError
from rpc.services import file_references as refs

NOW = 1_800_000_000


def error(fn, *args, **kw) -> str:
    with pytest.raises(RpcError) as caught:
        fn(*args, **kw)
    return caught.value.message


def test_a_reference_names_its_origin():
    assert refs.parse(refs.make(refs.MESSAGE, 42, now=NOW), now=NOW + 60) == (refs.MESSAGE, 42)
    assert refs.parse(refs.make(refs.CHAT, 7, now=NOW), now=NOW) == (refs.CHAT, 7)


def test_empty_malformed_and_old_references_are_refused():
    assert error(refs.parse, b"") == "FILE_REFERENCE_EMPTY"
    assert error(refs.parse, b"\x01\x02\x03") == "FILE_REFERENCE_INVALID"
    assert error(refs.parse, b"\x09" + refs.make(refs.MESSAGE, 1)[1:]) == "FILE_REFERENCE_INVALID"
    old = refs.make(refs.MESSAGE, 1, now=NOW)
    assert error(refs.parse, old, now=NOW + refs.LIFETIME + 1) == "FILE_REFERENCE_EXPIRED"


def test_media_holds():
    media = {"_": "document", "document": {"id": 5}}
    assert refs.media_holds(media, "document", 5)
    assert not refs.media_holds(media, "document", 6) and not refs.media_holds(media, "photo", 5)
    assert not refs.media_holds(None, "photo", 5)
