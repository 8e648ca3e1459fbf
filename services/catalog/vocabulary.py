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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.catalog import compounds
from zll.platform.db import Connection

TYPO_MIN = 5  # shorter words are taken as typed
SUGGESTIONS = 8


def edits_allowed(word: str) -> int:
    """How many typos a word of this length may have and still be found."""
    return 0 if len(word) < TYPO_MIN else 1 if len(word) <= 8 else 2


def learned(text: Any) -> tuple[frozenset[str], frozenset[str]]:
    """What one course adds to the vocabulary: its words (folded; with the parts of its
    compounds, "Gablstpler" is a typo of a part of a title word) and its suggestions
    (`kind:label`: its title, its module titles as skills, its place)."""
    modules = [m for m in text["modules"] if m]
    words: set[str] = set()
    for line in (text["title"], *modules):
        for word in compounds.tokens(line):
            spans = compounds.spans(word) if word[0].isupper() else []
            words.update(fold(w) for w in (word.lower(), *spans) if len(w) >= 3)
    offers = {f"title:{text['title']}", *(f"skill:{m}" for m in modules)}
    if text["place"]:
        offers.add(f"place:{text['place']}")
    return frozenset(words), frozenset(offers)


async def learn(
    conn: Connection,
    course_ids: Sequence[str],
    now: Mapping[str, tuple[frozenset[str], frozenset[str]]],
) -> None:
    """Bring the counts in line with these courses as they are now: each word and suggestion
    counts the live courses using it. A course indexed again changes them by the difference
    from what it added last time (`search_learned`); one no longer live (`now` holds what
    each live one adds, by `learned`) takes its share away, and what no course uses any more
    is forgotten."""
    ids = sorted(set(course_ids))
    # Lock what each course added before (a row for each, so that two indexers taking the
    # same course one after the other see each other's work), sorted against deadlocks.
    await conn.execute(
        "INSERT INTO search_learned (course_id) SELECT c FROM unnest($1::text[]) c ORDER BY 1"
        " ON CONFLICT DO NOTHING",
        ids,
    )
    before = await conn.fetch(
        "SELECT course_id, words, suggestions FROM search_learned"
        " WHERE course_id = ANY($1::text[]) ORDER BY course_id FOR UPDATE",
        ids,
    )
    words: Counter[str] = Counter()
    offers: Counter[str] = Counter()
    for row in before:
        new_words, new_offers = now.get(row["course_id"], (frozenset(), frozenset()))
        old_words, old_offers = frozenset(row["words"]), frozenset(row["suggestions"])
        words.update(new_words - old_words)
        words.subtract(old_words - new_words)
        offers.update(new_offers - old_offers)
        offers.subtract(old_offers - new_offers)
    await _count_words(conn, sorted((w, n) for w, n in words.items() if n))
    await _count_suggestions(conn, sorted((o, n) for o, n in offers.items() if n))
    await conn.executemany(
        "UPDATE search_learned SET words = $2, suggestions = $3 WHERE course_id = $1",
        [(c, sorted(now[c][0]), sorted(now[c][1])) for c in sorted(now)],
    )
    await conn.execute(
        "DELETE FROM search_learned WHERE course_id = ANY($1::text[])",
        [c for c in ids if c not in now],
    )


async def _count_words(conn: Connection, deltas: list[tuple[str, int]]) -> None:
    await conn.execute(
        """
        INSERT INTO search_words AS s (word, courses)
        SELECT catalog_unaccent(w), sum(n) FROM unnest($1::text[], $2::int[]) x(w, n)
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (word) DO UPDATE SET courses = s.courses + EXCLUDED.courses
        """,
        [w for w, _ in deltas],
        [n for _, n in deltas],
    )
    await conn.execute(
        "DELETE FROM search_words WHERE courses <= 0 AND word IN"
        " (SELECT catalog_unaccent(w) FROM unnest($1::text[]) w)",
        [w for w, n in deltas if n < 0],
    )


async def _count_suggestions(conn: Connection, deltas: list[tuple[str, int]]) -> None:
    kinds = [o.partition(":") for o, _ in deltas]
    await conn.execute(
        """
        INSERT INTO search_suggestions AS s (kind, label, norm, courses)
        SELECT k, l, lower(catalog_unaccent(l)), n
        FROM unnest($1::text[], $2::text[], $3::int[]) x(k, l, n)
        ON CONFLICT (kind, label) DO UPDATE SET courses = s.courses + EXCLUDED.courses
        """,
        [k for k, _, _ in kinds],
        [label for _, _, label in kinds],
        [n for _, n in deltas],
    )
    gone = [(k, label) for (k, _, label), (_, n) in zip(kinds, deltas, strict=True) if n < 0]
    await conn.execute(
        "DELETE FROM search_suggestions s USING unnest($1::text[], $2::text[]) x(k, l)"
        " WHERE s.kind = x.k AND s.label = x.l AND s.courses <= 0",
        [k for k, _ in gone],
        [label for _, label in gone],
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
    """Titles, skills and places starting with `prefix`, then (from 3 letters, when those
    are fewer than `limit`) those with a word starting with it; the most used first."""
    norm = fold(prefix)
    # The first letters: a range of the b-tree on `norm` (migration 010); a word's: pg_trgm's
    # index, asked only when the first tier leaves room (its matches are many more).
    rows = list(await conn.fetch(_STARTING, norm, limit))
    if len(rows) < limit and len(norm) >= 3:
        rows += await conn.fetch(_WORD_STARTING, re.escape(norm), norm, limit - len(rows))
    return [Suggestion(r["kind"], r["label"], r["courses"]) for r in rows]


# U+10FFFF sorts after every letter: [norm, norm || U+10FFFF) holds what starts with norm.
_STARTING = """
    SELECT kind, label, courses FROM search_suggestions
    WHERE norm ~>=~ $1 AND norm ~<~ ($1 || chr(1114111))
    ORDER BY courses DESC, label LIMIT $2
"""
_WORD_STARTING = """
    SELECT kind, label, courses FROM search_suggestions
    WHERE norm ~ ('[^[:alnum:]]' || $1) AND NOT (norm ~>=~ $2 AND norm ~<~ ($2 || chr(1114111)))
    ORDER BY courses DESC, label LIMIT $3
"""


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
