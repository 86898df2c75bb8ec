"""The one diacritics-insensitive search rule: every word of the query, folded, is in
the row's `search_key` (which models store folded). Used by the search page, the plan
list and the API."""
from __future__ import annotations

from .text import fold

MAX_WORDS = 8  # a search box, not a document


def query_words(query: str) -> list[str]:
    return fold(query).split()[:MAX_WORDS]


def search_filter(qs, query: str, field: str = "search_key"):
    """`qs` narrowed to rows whose `field` contains every folded word of `query`."""
    for word in query_words(query):
        qs = qs.filter(**{f"{field}__contains": word})
    return qs
