"""Finding every occurrence of a search phrase in a canonical text, case-smart."""

from __future__ import annotations

import re


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """The [start, end) ranges where query occurs in text, in order.

    Smart case, as in less and vim: a query with no capital letter matches any
    case; one with a capital matches exactly. Runs of whitespace in the query
    match any run of whitespace, so a phrase is found across a line break.
    """
    words = query.split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(word) for word in words)
    flags = 0 if any(char.isupper() for char in query) else re.IGNORECASE
    return [match.span() for match in re.finditer(pattern, text, flags)]
