"""Search over the indexer's columns: courses by relevance and filters, facet counts,
modules teaching a skill, and candidate pairs for the overlap report."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from math import cos, radians
from typing import Any

from services.catalog.domain import Offer
from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class CourseFilter:
    q: str | None = None
    municipality: str | None = None
    format: str | None = None
    provider_id: str | None = None
    starts_after: date | None = None
    starts_before: date | None = None
    skill: str | None = None
    eqf_levels: tuple[int, ...] | None = None  # any module at one of these levels
    funding: str | None = None
    target_group: str | None = None
    max_price: float | None = None
    # The words of `q` with their compound parts and typo corrections (query.expand), for
    # to_tsquery; None: `q` as written.
    terms: str | None = None
    # Near me: courses at most `radius_km` from this (lat, lon).
    near: tuple[float, float] | None = None
    radius_km: float = 25.0


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the sort key of its last course."""

    rank: float
    start_date: date
    course_id: str


class _Where:
    """Collects WHERE clauses with numbered parameters."""

    def __init__(self) -> None:
        self.clauses = ["status = 'live'"]
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, clause: str) -> None:
        self.clauses.append(clause)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


def _filtered(where: CourseFilter) -> _Where:
    w = _Where()
    if where.q:
        w.add(f"search @@ {_query(w, where)}")
    for column, value in (
        ("municipality", where.municipality),
        ("format", where.format),
        ("provider_id", where.provider_id),
    ):
        if value is not None:
            w.add(f"{column} = {w.arg(value)}")
    for column, value in (
        ("skills", where.skill),
        ("funding", where.funding),
        ("target_groups", where.target_group),
    ):
        if value is not None:
            w.add(f"{column} @> ARRAY[{w.arg(value)}::text]")
    if where.eqf_levels is not None:
        w.add(f"eqf_levels && {w.arg(list(where.eqf_levels))}::int[]")
    if where.starts_after is not None:
        w.add(f"start_date > {w.arg(where.starts_after)}")
    if where.starts_before is not None:
        w.add(f"start_date < {w.arg(where.starts_before)}")
    if where.max_price is not None:
        w.add(f"price_eur <= {w.arg(where.max_price)}")
    if where.near is not None:
        _within(w, where.near, where.radius_km)
    return w


def _within(w: _Where, here: tuple[float, float], km: float) -> None:
    """Courses within `km` of `here`: a latitude band and longitude box first (the index),
    then the great-circle distance (haversine, as geography.haversine_km)."""
    lat, lon = here
    dlat = km / 111.0
    dlon = km / (111.0 * max(cos(radians(lat)), 0.01))
    la, lo = w.arg(lat), w.arg(lon)
    w.add(f"lat BETWEEN {w.arg(lat - dlat)} AND {w.arg(lat + dlat)}")
    w.add(f"lon BETWEEN {w.arg(lon - dlon)} AND {w.arg(lon + dlon)}")
    w.add(
        f"2 * 6371.0 * asin(sqrt(sin(radians(lat - {la}) / 2) ^ 2 + cos(radians({la}))"
        f" * cos(radians(lat)) * sin(radians(lon - {lo}) / 2) ^ 2)) <= {w.arg(km)}"
    )


# The filter columns with the full text vector, for a search whose words must be checked in it.
_WITH_TEXT = "course_ranking JOIN course_text USING (course_id)"

# Up to how many matches a word is "rare" (found through the GIN index and sorted), and how
# many filtered courses a start-date walk looks through before giving up (see _unranked).
_WINDOW = 500


async def search_courses(
    conn: Connection, where: CourseFilter, *, after: Position | None, limit: int
) -> list[tuple[dict[str, Any], Position]]:
    """Live courses matching the filter: by relevance (with `q`), then start date, then id.

    Keyset pagination: a page starts after the sort key of the previous page's last course,
    so courses added or changed meanwhile never shift the others. The sort keys come from
    the narrow `course_ranking`; only the page's documents are read from `courses`.
    """
    # One snapshot for all reads, so a course withdrawn meanwhile is not half in the page.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        if where.q:
            # A frequent word wants the start-date index, a rare one the GIN index: plan for
            # the actual words each time, not a generic plan that guessed once for all.
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            # Courses with rank > 0 all come before those with rank 0: no interleaving.
            keys: list[Position] = []
            if after is None or after.rank > 0:
                keys = await _ranked(conn, where, after, limit)
            if len(keys) < limit:
                keys += await _unranked(conn, where, after, limit - len(keys))
        else:
            keys = await _by_start(conn, where, after, limit)
        documents = await _documents(conn, [k.course_id for k in keys])
    return [(documents[k.course_id], k) for k in keys]


def _query(w: _Where, where: CourseFilter) -> str:
    """SQL: the user's words as a German full text query (the indexer folds the same way)."""
    if where.terms:
        return f"to_tsquery('german', catalog_unaccent({w.arg(where.terms)}))"
    return f"websearch_to_tsquery('german', catalog_unaccent({w.arg(where.q or '')}))"


def _rank(w: _Where, where: CourseFilter, query: str) -> str:
    """SQL: how well a course's title and module titles match. With compound parts or typo
    corrections in the query, a course with the words as typed, in its title or module
    titles, comes first (+1): the parts (weight D) and corrections only after."""
    if not where.terms:
        return f"ts_rank(rank_vector, {query})"
    exact = f"websearch_to_tsquery('german', catalog_unaccent({w.arg(where.q)}))"
    typed = f"ts_filter(rank_vector, '{{a,b}}') @@ {exact}"
    near = f"least(ts_rank(rank_vector, {query}), 0.999)"
    return f"({near} + CASE WHEN {typed} THEN 1 ELSE 0 END)::real"


def _matches(query: str, alias: str) -> str:
    """SQL: the course `alias`.course_id matches `query` in its full text vector."""
    return f"(SELECT t.search @@ {query} FROM course_text t WHERE t.course_id = {alias}.course_id)"


async def _by_start(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int
) -> list[Position]:
    """Without words: by start date, straight from a (start_date, course_id) index."""
    w = _filtered(where)
    if after is not None:
        w.add(f"(start_date, course_id) > ({w.arg(after.start_date)}, {w.arg(after.course_id)})")
    rows = await conn.fetch(
        f"SELECT course_id, start_date FROM course_ranking WHERE {w.sql}"
        f" ORDER BY start_date, course_id LIMIT {w.arg(limit)}",
        *w.args,
    )
    return [Position(0.0, r["start_date"], r["course_id"]) for r in rows]


async def _ranked(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int
) -> list[Position]:
    """The best `limit` courses whose title or module titles match (rank > 0), by `ts_rank`
    on the small `rank_vector` (few rows, few lexemes each: cheap even for a frequent word).

    A match in `rank_vector` is a match in `search` unless the query has `-word` or a
    phrase (`!`, `<->` in the tsquery); only then is `search` checked as well.
    """
    w = _filtered(replace(where, q=None))
    query = _query(w, where)
    rank = _rank(w, where, query)
    keyset = ""
    if after is not None:
        r, d, c = w.arg(after.rank), w.arg(after.start_date), w.arg(after.course_id)
        keyset = (
            f"AND (rank < {r}::real OR (rank = {r}::real AND (start_date, course_id) > ({d}, {c})))"
        )
    rows = await conn.fetch(
        f"""
        SELECT * FROM (
            SELECT course_id, start_date, {rank} AS rank
            FROM course_ranking r WHERE {w.sql} AND rank_vector @@ {query}
                AND ({query}::text !~ '[!<]' OR {_matches(query, "r")})
        ) hits WHERE rank > 0 {keyset}
        ORDER BY rank DESC, start_date, course_id LIMIT {w.arg(limit)}
        """,
        *w.args,
    )  # fmt: skip
    return [Position(float(r["rank"]), r["start_date"], r["course_id"]) for r in rows]


async def _unranked(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int
) -> list[Position]:
    """The first `limit` courses, by start date, with rank 0: matching only in the description
    (or, for a query like `-word`, matching without any word to rank by).

    A rare word is found through the GIN index on `course_text.search`, and its few matches
    sorted. A frequent word matches most courses: walking the start-date index until `limit`
    matches are found is then fast, and as exact. Which one the word is, the planner's
    statistics say (an EXPLAIN, no rows read); a walk that finds too few matches in its first
    `_WINDOW` filtered courses still ends in the index search.
    """
    f = _filtered(where)
    if after is not None and after.rank <= 0:  # past every ranked course
        f.add(f"(start_date, course_id) > ({f.arg(after.start_date)}, {f.arg(after.course_id)})")
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_WITH_TEXT} WHERE {f.sql}", *f.args
    )
    if json.loads(plan)[0]["Plan"]["Plan Rows"] > _WINDOW:
        found = await _walk(conn, where, after, limit)
        if len(found) == limit:
            return found
    # All matches through the GIN index (and the filters' indexes), then sort the few.
    query = _query(f, where)
    rows = await conn.fetch(
        f"""
        WITH hits AS MATERIALIZED (
            SELECT course_id, start_date, rank_vector FROM {_WITH_TEXT} WHERE {f.sql}
        )
        SELECT course_id, start_date FROM hits
        WHERE NOT (rank_vector @@ {query} AND ts_rank(rank_vector, {query}) > 0)
        ORDER BY start_date, course_id LIMIT {f.arg(limit)}
        """,
        *f.args,
    )  # fmt: skip
    return [Position(0.0, r["start_date"], r["course_id"]) for r in rows]


async def _walk(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int
) -> list[Position]:
    """Rank-0 matches in start-date order among the first `_WINDOW` filtered courses."""
    w = _filtered(replace(where, q=None))
    if after is not None and after.rank <= 0:
        w.add(f"(start_date, course_id) > ({w.arg(after.start_date)}, {w.arg(after.course_id)})")
    query = _query(w, where)
    unranked = f"NOT (rank_vector @@ {query} AND ts_rank(rank_vector, {query}) > 0)"
    # The sub-select (not EXISTS, which may become a join) keeps the walk in index order,
    # so the outer ORDER BY needs no sort and the walk stops at the `limit`-th match.
    rows = await conn.fetch(
        f"""
        SELECT course_id, start_date FROM (
            SELECT course_id, start_date, rank_vector FROM course_ranking WHERE {w.sql}
            ORDER BY start_date, course_id LIMIT {w.arg(_WINDOW)}
        ) win WHERE {unranked} AND {_matches(query, "win")}
        ORDER BY start_date, course_id LIMIT {w.arg(limit)}
        """,
        *w.args,
    )  # fmt: skip
    return [Position(0.0, r["start_date"], r["course_id"]) for r in rows]


async def _documents(conn: Connection, course_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored documents of one page's courses (only these rows are read in full)."""
    rows = await conn.fetch(
        "SELECT course_id, document FROM courses WHERE course_id = ANY($1::text[])", course_ids
    )
    return {r["course_id"]: {**json.loads(r["document"]), "status": "live"} for r in rows}


async def facet_counts(conn: Connection, where: CourseFilter) -> dict[str, dict[str, int]]:
    """Counts per municipality, format, EQF level and funding scheme within the filter."""
    w = _filtered(where)
    sql = f"""
        WITH hits AS (
            SELECT municipality, format, eqf_levels, funding
            FROM {_WITH_TEXT if where.q else "course_ranking"} WHERE {w.sql}
        )
        SELECT 'municipality' AS facet, coalesce(municipality, 'online') AS value, count(*) AS n
            FROM hits GROUP BY 2
        UNION ALL SELECT 'format', format, count(*) FROM hits GROUP BY 2
        UNION ALL SELECT 'eqf_level', level::text, count(*) FROM hits, unnest(eqf_levels) level
            GROUP BY 2
        UNION ALL SELECT 'funding', scheme, count(*) FROM hits, unnest(funding) scheme GROUP BY 2
    """
    facets: dict[str, dict[str, int]] = {
        "municipality": {},
        "format": {},
        "eqf_level": {},
        "funding": {},
    }
    for row in await conn.fetch(sql, *w.args):
        facets[row["facet"]][row["value"]] = int(row["n"])
    return {name: dict(sorted(counts.items())) for name, counts in facets.items()}


async def modules_teaching(
    conn: Connection, skill: str, *, after: tuple[date, str, str] | None, limit: int
) -> list[dict[str, Any]]:
    """Modules of live courses that teach a skill, across providers, by course start date;
    keyset pagination on (start date, course id, module id)."""
    keyset = "AND (s.start_date, s.course_id, m.value ->> 'module_id') > ($3, $4, $5)"
    rows = await conn.fetch(
        f"""
        SELECT s.course_id, s.provider_id, s.title AS course_title, s.start_date,
               s.municipality, m.value AS module
        FROM course_ranking s JOIN courses c USING (course_id),
             jsonb_array_elements(c.document -> 'modules') m
        WHERE s.status = 'live' AND s.skills @> ARRAY[$1::text] AND m.value -> 'skills' ? $1
            {keyset if after else ""}
        ORDER BY s.start_date, s.course_id, m.value ->> 'module_id' LIMIT $2
        """,
        skill,
        limit,
        *(after or ()),
    )
    return [
        {
            **{k: r[k] for k in ("course_id", "provider_id", "course_title", "municipality")},
            "start_date": r["start_date"].isoformat(),
            **json.loads(r["module"]),
        }
        for r in rows
    ]


# --- coordination ------------------------------------------------------------------------


async def overlap_candidates(
    conn: Connection, *, provider_id: str | None, municipality: str | None, limit: int
) -> list[tuple[Offer, Offer]]:
    """Pairs of live courses of different providers that share a skill and run at once.

    With a provider, that provider's course comes first in each pair.
    """
    w = _Where()
    w.clauses = [
        "a.status = 'live'",
        "b.status = 'live'",
        "a.provider_id <> b.provider_id",
        "a.skills && b.skills",
        "a.start_date <= b.end_date AND b.start_date <= a.end_date",
    ]
    if provider_id is not None:
        w.add(f"a.provider_id = {w.arg(provider_id)}")
    else:
        w.add("a.course_id < b.course_id")
    if municipality is not None:
        m = w.arg(municipality)
        w.add(f"(a.municipality = {m} OR b.municipality = {m})")
    rows = await conn.fetch(
        f"SELECT (SELECT document FROM courses WHERE course_id = a.course_id) AS a,"
        f" (SELECT document FROM courses WHERE course_id = b.course_id) AS b"
        f" FROM course_ranking a JOIN course_ranking b ON {w.sql}"
        f" ORDER BY a.course_id, b.course_id LIMIT {w.arg(limit)}",
        *w.args,
    )
    return [(Offer.of(json.loads(r["a"])), Offer.of(json.loads(r["b"]))) for r in rows]
