"""The catalogue's own words: what typos are corrected to, and what the search box completes.

The indexer `learn`s each indexed course's words (titles and module titles) and its
suggestions (title, skills = module titles, place). Search asks for `corrections` of words
no course uses (one edit in words of 5–8 letters, two from 9: "Schweisen" → "schweissen"),
for `did_you_mean` when nothing is found, and `suggest`s completions from first letters.
Words are compared folded like the text vectors (lower case, ß → ss, umlauts → vowels).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from services.catalog import compounds
from zll.platform.db import Connection

TYPO_MIN = 5  # shorter words are taken as typed
SUGGESTIONS = 8


def edits_allowed(word: str) -> int:
    """How many typos a word of this length may have and still be found."""
    return 0 if len(word) < TYPO_MIN else 1 if len(word) <= 8 else 2


async def learn(conn: Connection, texts: Sequence[Any]) -> None:
    """Count the words and suggestions of these courses (title, module titles, place)."""
    words: Counter[str] = Counter()
    offers: Counter[tuple[str, str]] = Counter()
    for t in texts:
        modules = [m for m in t["modules"] if m]
        for text in (t["title"], *modules):
            for word in compounds.tokens(text):
                # A compound's parts too: "Gablstpler" is a typo of a part of a title word.
                spans = compounds.spans(word) if word[0].isupper() else []
                words.update(w for w in (word.lower(), *spans) if len(w) >= 3)
        offers[("title", t["title"])] += 1
        offers.update(("skill", m) for m in set(modules))
        if t["place"]:
            offers[("place", t["place"])] += 1
    # Sorted, so that two indexers lock the same rows in the same order.
    ordered = sorted(words.items())
    await conn.execute(
        """
        INSERT INTO search_words AS s (word, courses)
        SELECT catalog_unaccent(w), sum(n) FROM unnest($1::text[], $2::int[]) x(w, n)
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (word) DO UPDATE SET courses = s.courses + EXCLUDED.courses
        """,
        [w for w, _ in ordered],
        [n for _, n in ordered],
    )
    kinds = sorted(offers.items())
    await conn.execute(
        """
        INSERT INTO search_suggestions AS s (kind, label, norm, courses)
        SELECT k, l, lower(catalog_unaccent(l)), n
        FROM unnest($1::text[], $2::text[], $3::int[]) x(k, l, n)
        ON CONFLICT (kind, label) DO UPDATE SET courses = s.courses + EXCLUDED.courses
        """,
        [k for (k, _), _ in kinds],
        [label for (_, label), _ in kinds],
        [n for _, n in kinds],
    )


# The nearest known words to each unknown one, within its edits, the more frequent first.
# Words in use are looked up first (a primary-key probe each); only the others ask the
# trigram index (catalog_near_words, migration 007).
_NEAREST = """
    WITH unknown AS MATERIALIZED (
        SELECT q.word, q.edits FROM unnest($1::text[], $2::int[]) q(word, edits)
        WHERE NOT EXISTS (SELECT 1 FROM search_words k WHERE k.word = q.word)
    )
    SELECT q.word AS asked, near.word
    FROM unknown q, catalog_near_words(q.word, q.edits, $3) near(word)
"""


async def corrections(
    conn: Connection, words: Iterable[str], *, edits: int | None = None, limit: int = 2
) -> dict[str, list[str]]:
    """Known words near each word no course uses (folded; {} when all are known)."""
    asked = {fold(w): (edits if edits is not None else edits_allowed(w)) for w in words}
    asked = {w: e for w, e in asked.items() if e > 0}
    if not asked:
        return {}
    rows = await conn.fetch(_NEAREST, list(asked), list(asked.values()), limit)
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r["asked"], []).append(r["word"])
    return found


async def did_you_mean(conn: Connection, q: str) -> str | None:
    """The query with each unknown word replaced by the nearest known one (up to 3 edits),
    or None when there is nothing better to offer."""
    words = compounds.tokens(q)
    near = await corrections(conn, [w for w in words if len(w) >= 3], edits=3, limit=1)
    if not near:
        return None
    return " ".join(near.get(fold(w), [w])[0] for w in words)


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # title, skill or place
    label: str
    courses: int


async def suggest(conn: Connection, prefix: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Titles, skills and places starting with `prefix`, then those with a word starting
    with it; the most used first."""
    norm = fold(prefix)
    # The first letters: the b-tree on `norm`; a word's (from 3 letters): pg_trgm's index.
    rows = await conn.fetch(
        """
        (SELECT kind, label, courses, 0 AS tier FROM search_suggestions
         WHERE norm LIKE $1 || '%' ORDER BY courses DESC, label LIMIT $3)
        UNION ALL
        (SELECT kind, label, courses, 1 FROM search_suggestions
         WHERE length($1) >= 3 AND norm ~ ('[^[:alnum:]]' || $2) AND norm NOT LIKE $1 || '%'
         ORDER BY courses DESC, label LIMIT $3)
        ORDER BY tier, courses DESC, label LIMIT $3
        """,
        _like(norm),
        re.escape(norm),
        limit,
    )
    return [Suggestion(r["kind"], r["label"], r["courses"]) for r in rows]


def fold(word: str) -> str:
    """Folded like catalog_unaccent(lower(...)) for the letters German uses."""
    return (
        word.lower()
        .replace("ß", "ss")
        .replace("ä", "a")
        .replace("ö", "o")
        .replace("ü", "u")
        .strip()
    )


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
