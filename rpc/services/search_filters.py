"""What messages.search, searchGlobal and getSearchCounters share about a request."""

from __future__ import annotations

SEARCH_MAX = 100  # results per page


def filter_name(tl_filter) -> str:
    """The inputMessagesFilter* constructor's name, as storage/search.py takes it."""
    return tl_filter.QUALNAME if tl_filter is not None else "inputMessagesFilterEmpty"


def search_limit(limit) -> int:
    return max(1, min(limit or SEARCH_MAX, SEARCH_MAX))
