"""What the repositories need from a database driver: five calls and a transaction.

The repositories (storage/auth_keys.py, users.py, ...) hold the SQL, written once for
both backends; a driver (storage/sqlite.py, storage/postgres.py) runs it. This module
is the contract between them; it does no I/O.

SQL conventions the drivers rely on:
- Placeholders are PostgreSQL's ``$1, $2, ...`` (SQLite reads them as ``?1, ?2, ...``).
- Rows are read by position (``row[0]``), never by name.
- Booleans come back as bool (PostgreSQL) or 0/1 (SQLite): wrap them in ``bool()``.
- JSON goes in and out as text (``msgspec.json``), in a JSONB or TEXT column.
- ``INSERT ... ON CONFLICT``, ``RETURNING`` and ``LIKE ... ESCAPE`` are common to both;
  where the dialects differ the repository picks by :attr:`Database.dialect`.
- A unique-constraint violation raises :class:`storage.interface.AlreadyExists`.

Transactions take a function, not a block: ``await db.transaction(body, *args)`` runs
``await body(tx, *args)`` between BEGIN and COMMIT (ROLLBACK if it raises), in trio,
holding a pool connection (PostgreSQL) or the database's lock (SQLite) throughout. So a
body should only await ``tx`` methods: whatever else it waits for, it waits for holding
them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")
Row = Sequence[Any]


class Executor(Protocol):
    dialect: Literal["sqlite", "postgres"]  # where the SQL of the dialects differs

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...
    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...
    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, None without rows."""

    async def execute(self, sql: str, *args: Any) -> int:
        """Runs one statement; returns the number of rows it changed."""

    async def fetch_and_commit(self, sql: str, *args: Any) -> list[Row]:
        """A transaction body's last statement, and the commit: its rows once both are
        done (PostgreSQL sends the COMMIT in the statement's write, a round trip saved).
        The transaction has ended when it returns or raises: no statement may follow
        (the executor refuses one), and whatever the body raises afterwards, the writes
        stay. Outside a transaction, ``fetch``."""

    async def fetch_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """Each (sql, args)'s rows, for reads that do not depend on each other: PostgreSQL
        sends them in one write and answers them in one reply (one round trip, not one
        each); SQLite runs them one after the other."""

    async def script(self, sql: str) -> None:
        """Runs several ';'-separated statements without parameters (migrations)."""


class Database(Executor, Protocol):
    async def transaction(self, body: Callable[..., Awaitable[T]], *args: Any) -> T: ...
    async def close(self) -> None: ...


def like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_list(count: int, start: int = 1) -> str:
    """``$start, $start+1, ...``: placeholders for an IN (...) list of ``count`` values."""
    return ", ".join(f"${i}" for i in range(start, start + count))


# Values per IN list: a read of more goes in pieces (chunks), and a Query is built for one.
CHUNK_SIZE = 500


def chunks(values: Sequence[T], size: int = CHUNK_SIZE) -> list[Sequence[T]]:
    """``values`` in pieces for IN lists, well under SQLite's limit of 32766 parameters."""
    return [values[i:i + size] for i in range(0, len(values), size)]
