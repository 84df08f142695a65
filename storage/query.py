"""A read as data: its SQL, its arguments and what its rows mean, so that reads which do
not depend on each other can travel together (`run_all`: one PostgreSQL round trip, not
one each; Executor.fetch_many) or alone (`run`). A store that offers such a read builds
its `Query` once and uses it for its own method too, so the SQL lives in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from .db import Executor, Row

T = TypeVar("T")


class Query(NamedTuple, Generic[T]):
    sql: str
    args: tuple
    decode: Callable[[list[Row]], T]


async def run(db: Executor, query: Query[T]) -> T:
    return query.decode(await db.fetch(query.sql, *query.args))


async def run_all(db: Executor, queries: Sequence[Query[Any]]) -> list[Any]:
    """Each query's meaning, in order, from one Executor.fetch_many."""
    results = await db.fetch_many([(query.sql, query.args) for query in queries])
    return [query.decode(rows) for query, rows in zip(queries, results)]
