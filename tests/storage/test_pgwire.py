"""storage/pgwire: the PostgreSQL driver on trio, its codecs, splitter, statement cache and
pool, against the test PostgreSQL server (the session's scratch database)."""

from __future__ import annotations

import struct

import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import pgwire
from storage.pgwire import wire
from storage.pgwire.auth import ScramSha256, md5_password
from storage.pgwire.errors import ProtocolViolation


@pytest.fixture
async def connection(postgres_url):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")
    connection = await pgwire.connect(pgwire.parse_dsn(postgres_url))
    try:
        yield connection
    finally:
        await connection.aclose()


# -- sans-IO parts ------------------------------------------------------------------------


def test_scram_sha256_matches_rfc7677():
    exchange = ScramSha256("pencil", nonce="rOprNGfwEbeRWgbNEkqO", user="user")
    assert exchange.client_first() == b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    final = exchange.client_final(
        b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    assert final == (b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                     b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    exchange.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    with pytest.raises(ValueError):
        exchange.verify_server_final(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")


def test_scram_refuses_a_server_nonce_that_does_not_extend_ours():
    exchange = ScramSha256("pencil", nonce="abc")
    with pytest.raises(ValueError):
        exchange.client_final(b"r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")


def test_md5_password_is_postgres_formula():
    # md5(md5(password || user) || salt), hex, after "md5" (PostgreSQL's documentation)
    import hashlib
    inner = hashlib.md5(b"secretalice").hexdigest().encode()
    assert md5_password("alice", "secret", b"\x01\x02\x03\x04") == b"md5" + hashlib.md5(
        inner + b"\x01\x02\x03\x04").hexdigest().encode()


_messages = st.lists(st.tuples(st.sampled_from(b"DCZT12nE"), st.binary(max_size=300)), max_size=20)


@given(_messages, st.lists(st.integers(min_value=1, max_value=400), max_size=30))
def test_splitter_gives_the_messages_whatever_the_chunking(messages, cuts):
    stream = b"".join(bytes([kind]) + struct.pack("!i", len(body) + 4) + body for kind, body in messages)
    splitter = wire.MessageSplitter()
    out = []
    position = 0
    for cut in cuts:
        out += splitter.feed(stream[position:position + cut])
        position += cut
    out += splitter.feed(stream[position:])
    assert out == list(messages)
    assert splitter.buffered == 0


def test_splitter_refuses_impossible_lengths():
    with pytest.raises(ProtocolViolation):
        wire.MessageSplitter().feed(b"D\x00\x00\x00\x02")
    with pytest.raises(ProtocolViolation):
        wire.MessageSplitter().feed(b"D\x7f\xff\xff\xff")


def test_dsn_parsing():
    params = pgwire.parse_dsn("postgresql://u:p%40ss@db.example:6543/name?sslmode=require&application_name=x")
    assert (params.host, params.port, params.user, params.password, params.database, params.sslmode) == (
        "db.example", 6543, "u", "p@ss", "name", "require")
    assert "p@ss" not in repr(params)
    assert pgwire.parse_dsn("postgresql:///db?host=/run/postgresql&user=x").unix_socket == "/run/postgresql/.s.PGSQL.5432"
    with pytest.raises(ValueError):
        pgwire.parse_dsn("mysql://x@y/z")
    with pytest.raises(ValueError):
        pgwire.parse_dsn("postgresql://x@y/z?sslmode=sometimes")


# -- against the server -------------------------------------------------------------------

ROUND_TRIPS = [
    ("bigint", [0, 1, -1, 2**63 - 1, -2**63]),
    ("integer", [0, 2**31 - 1, -2**31]),
    ("smallint", [0, 32767, -32768]),
    ("boolean", [True, False]),
    ("text", ["", "plain", "ünïcødé ✓ 🙂", "a\nb'c\"d\\e"]),
    ("bytea", [b"", b"\x00\xff" * 100]),
    ("jsonb", ['{"a": [1, 2, {"b": null}]}', "[]"]),
    ("json", ['{"z": 1, "a": 2}']),
    ("double precision", [0.5, -1e300]),
    ("bigint[]", [[], [1, None, -5], [2**62]]),
    ("integer[]", [[1, 2, 3]]),
    ("text[]", [["a", "", None, "é"]]),
    ("bytea[]", [[b"x", b""]]),
    ("boolean[]", [[True, False, None]]),
]


@pytest.mark.parametrize("type_name, values", ROUND_TRIPS, ids=[t for t, _ in ROUND_TRIPS])
async def test_values_come_back_as_they_went(connection, type_name, values):
    for value in values:
        assert await connection.fetch(f"SELECT $1::{type_name}", [value]) == [(value,)]
    assert await connection.fetch(f"SELECT NULL::{type_name}", []) == [(None,)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=-2**63, max_value=2**63 - 1)), max_size=20),
       st.text(max_size=50).filter(lambda s: "\0" not in s))
def test_arrays_and_text_round_trip(postgres_url, values, text):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")

    async def check():
        connection = await pgwire.connect(pgwire.parse_dsn(postgres_url))
        try:
            assert await connection.fetch("SELECT $1::bigint[], $2::text", [values, text]) == [(values, text)]
        finally:
            await connection.aclose()

    trio.run(check)


async def test_types_without_a_binary_codec_travel_as_text(connection):
    from decimal import Decimal
    rows = await connection.fetch("SELECT sum(x), $1::numeric, 'pg_class'::regclass FROM (VALUES (1), (2)) v(x)",
                                  [12])
    assert rows == [(3, Decimal(12), "pg_class")]
    assert isinstance(rows[0][0], int)  # sum of integers is bigint


async def test_wrong_argument_types_and_counts_are_refused_before_sending(connection):
    with pytest.raises(TypeError):
        await connection.fetch("SELECT $1::bigint", ["1"])
    with pytest.raises(TypeError):
        await connection.fetch("SELECT $1::text", [1])
    with pytest.raises(TypeError):
        await connection.fetch("SELECT $1::bigint", [])
    assert not connection.broken
    assert await connection.fetch("SELECT 1", []) == [(1,)]


async def test_an_error_leaves_the_connection_usable(connection):
    with pytest.raises(pgwire.PostgresError) as info:
        await connection.fetch("SELEC 1", [])
    assert info.value.sqlstate == "42601"
    with pytest.raises(pgwire.PostgresError) as info:
        await connection.fetch("SELECT 1 / $1::int", [0])
    assert info.value.sqlstate == "22012"
    assert await connection.fetch("SELECT 2", []) == [(2,)]


async def test_execute_counts_rows_and_scripts_run_several_statements(connection):
    await connection.script("CREATE TEMP TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a');")
    assert await connection.execute("INSERT INTO t VALUES ($1, $2), ($3, $4)", [2, "b", 3, "c"]) == 2
    assert await connection.execute("UPDATE t SET v = $1", ["z"]) == 3
    assert await connection.execute("DELETE FROM t WHERE id = $1", [9]) == 0


async def test_the_statement_cache_is_bounded(postgres_url):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")
    connection = await pgwire.connect(pgwire.parse_dsn(postgres_url), statement_cache_size=3)
    try:
        for round_ in range(3):
            for n in range(10):
                assert await connection.fetch(f"SELECT {n} + $1::int", [round_]) == [(n + round_,)]
        prepared = await connection.fetch("SELECT count(*) FROM pg_prepared_statements", [])
        assert prepared[0][0] <= 3 + 1  # the cache, and the statement asking
    finally:
        await connection.aclose()


async def test_a_schema_change_under_a_prepared_statement_is_survived(connection):
    await connection.script("CREATE TEMP TABLE s (a int); INSERT INTO s VALUES (1);")
    assert await connection.fetch("SELECT * FROM s", []) == [(1,)]
    await connection.script("ALTER TABLE s ADD COLUMN b text DEFAULT 'x';")
    assert await connection.fetch("SELECT * FROM s", []) == [(1, "x")]


async def test_transactions_commit_and_roll_back(connection):
    await connection.script("CREATE TEMP TABLE x (a int);")
    connection.begin()
    await connection.execute("INSERT INTO x VALUES ($1)", [1])
    assert connection.transaction_status == b"T"
    await connection.rollback()
    connection.begin()
    await connection.execute("INSERT INTO x VALUES ($1)", [2])
    await connection.commit()
    assert connection.transaction_status == b"I"
    assert await connection.fetch("SELECT a FROM x", []) == [(2,)]
    connection.begin()
    await connection.rollback()  # nothing sent, nothing to undo
    assert connection.transaction_status == b"I"


async def test_a_commit_sent_behind_the_last_statement_commits_only_if_it_succeeded(connection):
    await connection.script("CREATE TEMP TABLE y (a int PRIMARY KEY);")
    connection.begin()
    await connection.execute("INSERT INTO y VALUES ($1)", [1])
    assert await connection.fetch_and_commit("INSERT INTO y VALUES ($1) RETURNING a", [2]) == [(2,)]
    assert connection.transaction_status == b"I"
    # The last statement fails: the server skips the COMMIT behind it, the statement's
    # error is raised, the transaction is left aborted, and nothing of it stays.
    connection.begin()
    await connection.execute("INSERT INTO y VALUES ($1)", [3])
    with pytest.raises(pgwire.PostgresError) as failed:
        await connection.fetch_and_commit("INSERT INTO y VALUES ($1) RETURNING a", [1])
    assert failed.value.sqlstate == "23505"
    assert connection.transaction_status == b"E" and not connection.broken
    await connection.rollback()
    assert connection.transaction_status == b"I"
    # As the transaction's first statement too (BEGIN in front, COMMIT behind: one write).
    connection.begin()
    assert await connection.fetch_and_commit("INSERT INTO y VALUES ($1) RETURNING a", [4]) == [(4,)]
    assert connection.transaction_status == b"I"
    connection.begin()
    with pytest.raises(pgwire.PostgresError):
        await connection.fetch_and_commit("INSERT INTO y VALUES ($1), ($1) RETURNING a", [5])
    await connection.commit()  # an aborted transaction's COMMIT: the server rolls it back
    assert connection.transaction_status == b"I"
    assert await connection.fetch("SELECT a FROM y ORDER BY a", []) == [(1,), (2,), (4,)]
    # A script in a transaction: BEGIN in front of it too.
    connection.begin()
    await connection.script("INSERT INTO y VALUES (6); INSERT INTO y VALUES (7);")
    await connection.rollback()
    assert await connection.fetch("SELECT count(*) FROM y WHERE a > 5", []) == [(0,)]


async def test_begin_and_commit_come_back_in_the_statements_one_reply(connection, monkeypatch):
    """BEGIN and COMMIT go unsynced, so the server's answer to the whole write is one
    flush: each request's reply read in one receive (the round trip's one wait)."""
    from storage.pgwire.plain_socket import PlainSocket
    await connection.script("CREATE TEMP TABLE z (a int);")
    insert, returning = "INSERT INTO z VALUES ($1)", "INSERT INTO z VALUES ($1) RETURNING a"
    await connection.execute(insert, [0])  # both prepared first: a Parse is a round trip
    await connection.fetch(returning, [0])
    receives = []
    receive = PlainSocket.receive_some

    async def counted(self, size):
        receives.append(size)
        return await receive(self, size)

    monkeypatch.setattr(PlainSocket, "receive_some", counted)
    connection.begin()
    await connection.execute(insert, [1])
    assert connection.transaction_status == b"T"
    assert await connection.fetch_and_commit(returning, [2]) == [(2,)]
    assert len(receives) == 2
    assert await connection.fetch("SELECT a FROM z ORDER BY a", []) == [(0,), (0,), (1,), (2,)]


async def test_fetch_many_answers_each_statement_in_one_round_trip(connection, monkeypatch):
    from storage.pgwire.plain_socket import PlainSocket
    await connection.script("CREATE TEMP TABLE m (a int, b text); INSERT INTO m VALUES (1, 'x'), (2, 'y');")
    statements = [("SELECT a FROM m WHERE a > $1 ORDER BY a", [0]), ("SELECT b FROM m WHERE a = $1", [5]),
                  ("SELECT count(*) FROM m", []), ("SELECT b, a FROM m WHERE a = $1", [2])]
    expected = [[(1,), (2,)], [], [(2,)], [("y", 2)]]
    assert await connection.fetch_many(statements) == expected  # prepares what it has not yet
    sends = []
    send = PlainSocket.send_all

    async def counted(self, data):
        sends.append(len(data))
        return await send(self, data)

    monkeypatch.setattr(PlainSocket, "send_all", counted)
    assert await connection.fetch_many(statements) == expected
    assert len(sends) == 1
    # Inside a transaction, BEGIN in front of them: the same answers.
    connection.begin()
    assert await connection.fetch_many(statements[2:]) == expected[2:]
    assert connection.transaction_status == b"T"
    await connection.rollback()
    assert await connection.fetch_many([]) == []


async def test_fetch_many_raises_the_first_error_and_stays_usable(connection):
    await connection.script("CREATE TEMP TABLE n (a int);")
    with pytest.raises(pgwire.PostgresError) as failed:
        await connection.fetch_many([("SELECT * FROM n", []), ("SELECT 1 / $1::int", [0]),
                                     ("SELECT 2", [])])
    assert failed.value.sqlstate == "22012" and not connection.broken
    assert connection.transaction_status == b"I"
    await connection.script("ALTER TABLE n ADD COLUMN b int;")  # a schema change: prepared again
    await connection.execute("INSERT INTO n VALUES ($1, $2)", [1, 2])
    assert await connection.fetch_many([("SELECT * FROM n", []), ("SELECT 3", [])]) == [[(1, 2)], [(3,)]]


async def test_a_plain_socket_connection_sees_the_server_go_away(connection, postgres_url):
    from storage.pgwire.plain_socket import PlainSocket
    assert isinstance(connection._stream, PlainSocket)  # no TLS here: the socket without trio's stream
    pid = (await connection.fetch("SELECT pg_backend_pid()", []))[0][0]
    other = await pgwire.connect(pgwire.parse_dsn(postgres_url))
    try:
        await other.fetch("SELECT pg_terminate_backend($1)", [pid])
    finally:
        await other.aclose()
    with pytest.raises(pgwire.ConnectionLost):
        for _ in range(3):  # the first may still be written before the server's goodbye is read
            await connection.fetch("SELECT 1", [])
    assert connection.broken


async def test_a_cancelled_request_breaks_the_connection_not_the_pool(postgres_url):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")
    params = pgwire.parse_dsn(postgres_url)
    pool = pgwire.Pool(lambda: pgwire.connect(params), min_size=1, max_size=1)
    await pool.open()
    try:
        connection = await pool.acquire()
        with trio.move_on_after(0.1):
            await connection.fetch("SELECT pg_sleep(5)", [])
        assert connection.broken
        pool.release(connection)
        again = await pool.acquire()
        assert again is not connection
        assert await again.fetch("SELECT 1", []) == [(1,)]
        pool.release(again)
        assert pool.usage() == (1, 1, 1)
    finally:
        await pool.close()


async def test_the_pool_never_opens_more_than_its_bound(postgres_url):
    if postgres_url is None:
        pytest.skip("PostgreSQL turned off")
    params = pgwire.parse_dsn(postgres_url)
    pool = pgwire.Pool(lambda: pgwire.connect(params), min_size=0, max_size=3)
    await pool.open()
    busiest = 0
    try:
        async def worker():
            nonlocal busiest
            for _ in range(5):
                connection = await pool.acquire()
                try:
                    busiest = max(busiest, pool.usage()[0])
                    await connection.fetch("SELECT pg_sleep(0.005)", [])
                finally:
                    pool.release(connection)

        async with trio.open_nursery() as nursery:
            for _ in range(12):
                nursery.start_soon(worker)
        assert busiest == 3
        assert pool.usage() == (3, 3, 3)
    finally:
        await pool.close()
