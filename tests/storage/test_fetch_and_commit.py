"""Executor.fetch_and_commit (storage/db.py), on both dialects alike: a transaction body's
last statement, which ends the transaction (PostgreSQL sends the COMMIT in the same
write): committed when it succeeds, rolled back when it or the commit fails, no
statement after it, and a body raising after it keeps its writes."""

from __future__ import annotations

import pytest

from storage.interface import AlreadyExists


async def _table(db) -> None:
    await db.execute("CREATE TABLE IF NOT EXISTS fac (a bigint PRIMARY KEY)")
    await db.execute("DELETE FROM fac")


async def _rows(db) -> list[int]:
    return [row[0] for row in await db.fetch("SELECT a FROM fac ORDER BY a")]


async def test_the_last_statement_commits_the_transaction(storage):
    db = storage.db
    await _table(db)

    async def body(tx):
        await tx.execute("INSERT INTO fac (a) VALUES ($1)", 1)
        return await tx.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 2)

    assert [tuple(row) for row in await db.transaction(body)] == [(2,)]
    assert await _rows(db) == [1, 2]


async def test_a_failed_last_statement_rolls_the_whole_transaction_back(storage):
    db = storage.db
    await _table(db)
    await db.execute("INSERT INTO fac (a) VALUES (1)")

    async def body(tx):
        await tx.execute("INSERT INTO fac (a) VALUES ($1)", 2)
        await tx.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 1)

    with pytest.raises(AlreadyExists):
        await db.transaction(body)
    assert await _rows(db) == [1]

    async def swallowing(tx):  # the body goes on as if nothing failed: nothing stays anyway
        await tx.execute("INSERT INTO fac (a) VALUES ($1)", 3)
        try:
            await tx.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 1)
        except AlreadyExists:
            return "done"

    assert await db.transaction(swallowing) == "done"
    assert await _rows(db) == [1]


async def test_no_statement_may_follow_and_a_later_raise_keeps_the_writes(storage):
    db = storage.db
    await _table(db)

    async def body(tx):
        await tx.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 1)
        await tx.execute("INSERT INTO fac (a) VALUES ($1)", 2)

    with pytest.raises(RuntimeError):
        await db.transaction(body)
    assert await _rows(db) == [1]
    # And the connection it used is fine for the next transaction.
    async def next_one(tx):
        return await tx.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 3)

    await db.transaction(next_one)
    assert await _rows(db) == [1, 3]


async def test_outside_a_transaction_it_is_a_fetch(storage):
    db = storage.db
    await _table(db)
    assert [tuple(row) for row in await db.fetch_and_commit("INSERT INTO fac (a) VALUES ($1) RETURNING a", 5)] == [(5,)]
    assert await _rows(db) == [5]
