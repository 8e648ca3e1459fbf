"""A learner's words as a search: each word, or its parts when it is a compound, or the
known words it is a typo of.

"Altenpflegehilfe" becomes (altenpflegehilfe | alten & pflege & hilfe): a course using the
parts is found too. "Schweisen", which no course uses, becomes (schweisen | schweissen).
A query in the web search syntax (quotes, -word, or) is taken as written.
"""

from __future__ import annotations

import re
from dataclasses import replace

from services.catalog import compounds, vocabulary
from services.catalog.search import CourseFilter
from zll.platform.db import Connection

_WORDS = re.compile(r"\w+")
_SYNTAX = re.compile(r"[\"']|(^|\s)-|\bor\b", re.IGNORECASE)


async def expand(conn: Connection, where: CourseFilter) -> CourseFilter:
    """The filter with `terms`: the expanded query for to_tsquery, when there is one."""
    if not where.q or _SYNTAX.search(where.q):
        return where
    words = _WORDS.findall(where.q)
    if not words:
        return where
    typos = await vocabulary.corrections(conn, [w for w in words if w.isalpha()])
    groups = []
    for word in words:
        alternatives = [word]
        parts = compounds.split(word) if word.isalpha() else (word,)
        if len(parts) > 1:
            alternatives.append("(" + " & ".join(parts) + ")")
        alternatives += typos.get(vocabulary.fold(word), [])
        groups.append("(" + " | ".join(alternatives) + ")")
    if all(" | " not in g for g in groups):
        return where  # nothing to add: the query as written
    return replace(where, terms=" & ".join(groups))
