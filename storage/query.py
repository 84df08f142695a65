"""A read as data: its SQL, its arguments and what its rows mean, so that reads which do
not depend on each other can travel together (`run_all`: one PostgreSQL round trip, not
one each; Executor.fetch_many) or alone (`run`). A store that offers such a read builds
its `Query` once and uses it for its own method too, so the SQL lives in one place."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from .db import Executor, Row, chunks

T = TypeVar("T")


class Query(NamedTuple, Generic[T]):
    sql: str
    args: tuple
    decode: Callable[[list[Row]], T]


async def run(db: Executor, query: Query[T]) -> T:
    return query.decode(await db.fetch(query.sql, *query.args))


async def run_chunked(db: Executor, values: Iterable[Hashable], query_of: Callable[[Sequence], Query[dict]]) -> dict:
    """A store method's whole read of many keys: `query_of` each chunk of the distinct
    values (500 at most, the limit its Query is built for), the dicts merged."""
    found: dict = {}
    for part in chunks(list(dict.fromkeys(values))):
        found.update(await run(db, query_of(part)))
    return found


async def run_all(db: Executor, queries: Sequence[Query[Any]]) -> list[Any]:
    """Each query's meaning, in order, from one Executor.fetch_many."""
    results = await db.fetch_many([(query.sql, query.args) for query in queries])
    return [query.decode(rows) for query, rows in zip(queries, results)]
