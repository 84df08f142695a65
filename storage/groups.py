"""Exceptions out of nurseries, as callers expect to catch them.

With strict exception groups (trio's default since 0.25) an error raised inside a
nursery, or inside `trio_asyncio.open_loop()` (which runs one), comes out wrapped in an
ExceptionGroup. Where a block can only fail one way at a time, `single_errors()` lets
the one exception through as itself, so `except StorageError` keeps working with any
trio version.
"""

from __future__ import annotations

from contextlib import contextmanager


def _single(group: BaseExceptionGroup) -> BaseException | None:
    while isinstance(group, BaseExceptionGroup):
        if len(group.exceptions) != 1:
            return None
        group = group.exceptions[0]
    return group


@contextmanager
def single_errors():
    try:
        yield
    except BaseExceptionGroup as group:
        leaf = _single(group)
        if leaf is None:
            raise
        raise leaf from leaf.__cause__
