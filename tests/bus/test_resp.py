"""RESP2 without I/O (storage/bus/resp.py): any chunking of the bytes gives the same
replies, and hostile lengths are refused before anything is allocated for them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.bus.resp import (
    ProtocolError,
    Push,
    ReplyError,
    ReplyParser,
    encode_command,
    push_message,
)

_line_text = st.text(
    st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20
)
_scalars = st.one_of(
    _line_text.map(lambda text: ("simple", text)),
    _line_text.map(lambda text: ("error", text)),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(lambda n: ("int", n)),
    st.binary(max_size=40).map(lambda data: ("bulk", data)),
    st.just(("nil", None)),
    st.just(("nil_array", None)),
)
_replies = st.recursive(
    _scalars, lambda children: st.lists(children, max_size=5).map(lambda xs: ("array", xs)),
    max_leaves=30,
)


def _encode(reply: tuple[str, Any]) -> bytes:
    kind, value = reply
    if kind == "simple":
        return b"+" + value.encode() + b"\r\n"
    if kind == "error":
        return b"-" + value.encode() + b"\r\n"
    if kind == "int":
        return b":%d\r\n" % value
    if kind == "bulk":
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if kind == "nil":
        return b"$-1\r\n"
    if kind == "nil_array":
        return b"*-1\r\n"
    return b"*%d\r\n" % len(value) + b"".join(_encode(item) for item in value)


def _expected(reply: tuple[str, Any]) -> Any:
    kind, value = reply
    if kind == "error":
        return ReplyError(value)
    if kind == "array":
        return [_expected(item) for item in value]
    return value


def _cuts(data: bytes, points: list[int]) -> list[bytes]:
    points = sorted({p % (len(data) + 1) for p in points})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


@settings(max_examples=300, deadline=None)
@given(st.lists(_replies, max_size=8), st.lists(st.integers(min_value=0), max_size=30))
def test_any_chunking_gives_the_same_replies(replies: list[Any], points: list[int]) -> None:
    data = b"".join(_encode(reply) for reply in replies)
    parser = ReplyParser()
    got: list[Any] = []
    for chunk in _cuts(data, points):
        parser.feed(chunk)
        got += parser.replies()
    assert got == [_expected(reply) for reply in replies]
    assert parser.buffered == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=30), _line_text, st.integers()), min_size=1, max_size=6))
def test_encoded_commands_parse_back_as_arrays_of_bulk_strings(args: list[Any]) -> None:
    parser = ReplyParser()
    for byte in encode_command(*args):  # one byte at a time
        parser.feed(bytes([byte]))
    expected = [a.encode() if isinstance(a, str) else b"%d" % a if isinstance(a, int) else a for a in args]
    assert parser.replies() == [expected]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_is_refused_or_waits_never_crashes(data: bytes) -> None:
    parser = ReplyParser(max_reply=1000, max_line=50)
    try:
        parser.feed(data)
        parser.replies()
    except ProtocolError:
        with pytest.raises(ProtocolError):  # and stays refused
            parser.replies()


def test_a_partial_reply_is_kept_until_complete() -> None:
    parser = ReplyParser()
    parser.feed(b"*3\r\n$7\r\nmessage\r\n$3\r\nab")
    assert parser.next_reply("more") == "more"
    parser.feed(b"c\r\n$5\r\nhel")
    assert parser.replies() == []
    parser.feed(b"lo\r\n:1\r\n")
    assert parser.replies() == [[b"message", b"abc", b"hello"], 1]


@pytest.mark.parametrize(
    "data",
    [
        b"$1000000000\r\n",  # a bulk string beyond the budget
        b"*1000000000\r\n",  # so many elements
        b"*3\r\n" + (b"$400\r\n" + b"x" * 400 + b"\r\n") * 2 + b"$400\r\n",  # together too big
        b":12x\r\n",
        b"$-2\r\n",
        b"?what\r\n",
        b"$3\r\nabcde\r\n",  # a bulk string not ended by CRLF
        b"+" + b"a" * 200,  # a line with no end in sight
        b"*1\r\n" * 20,  # nested too deep
    ],
)
def test_hostile_replies_are_refused(data: bytes) -> None:
    parser = ReplyParser(max_reply=1000, max_line=100)
    parser.feed(data)
    with pytest.raises(ProtocolError):
        parser.replies()


def test_budget_is_per_reply() -> None:
    parser = ReplyParser(max_reply=100)
    one = b"$90\r\n" + b"x" * 90 + b"\r\n"
    parser.feed(one * 5)
    assert parser.replies() == [b"x" * 90] * 5


def test_push_messages() -> None:
    assert push_message([b"message", b"ch", b"data"]) == Push("message", b"ch", b"data")
    assert push_message([b"pmessage", b"c*", b"ch", b"d"]) == Push("pmessage", b"ch", b"d", b"c*")
    assert push_message([b"subscribe", b"ch", 3]) == Push("subscribe", b"ch", 3)
    assert push_message([b"pong", b""]) == Push("pong", None, b"")
    assert push_message(ReplyError("ERR x")) is None
    assert push_message([b"message", b"only two"]) is None
