"""Search over the indexer's columns: courses by relevance and filters, facet counts,
modules teaching a skill, and candidate pairs for the overlap report."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.catalog.domain import Offer
from services.catalog.filters import (
    IN_BOX,
    CourseFilter,
    Where,
    box_around,
    filtered,
    text_query,
)
from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the sort key of its last course."""

    rank: float
    start_date: date
    course_id: str


# The filter columns with the full text vector, for a search whose words must be checked in it.
_WITH_TEXT = "course_ranking JOIN course_text USING (course_id)"

# Up to how many matches a word is "rare" (found through the GIN index and sorted), and how
# many filtered courses a start-date walk looks through before giving up (see _unranked).
_WINDOW = 500


# Up to how many live courses (with the other filters) a radius holds for the search to start
# from them (through the point index); a larger one is walked in result order.
_FEW = 1000

# How many ranking vectors (and those of equal rank) the first walk takes; each further walk
# takes four times as many.
_PROBE = 1


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
        # Every plan here reads few rows and stops early: parallel workers only add their
        # start (several ms on two busy cores) to a walk of a few hundred index entries.
        await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        few = where.near is not None and await _few_near(conn, where)
        if where.q:
            # A frequent word wants the start-date index, a rare one the GIN index: plan for
            # the actual words each time, not a generic plan that guessed once for all.
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            # Courses with rank > 0 all come before those with rank 0: no interleaving.
            keys: list[Position] = []
            if after is None or after.rank > 0:
                keys = await _ranked(conn, where, after, limit, few=few)
            if len(keys) < limit:
                keys += await _unranked(conn, where, after, limit - len(keys), few=few)
        else:
            keys = await _by_start(conn, where, after, limit, few=few)
        documents = await _documents(conn, [k.course_id for k in keys])
    return [(documents[k.course_id], k) for k in keys]


async def _few_near(conn: Connection, where: CourseFilter) -> bool:
    """Whether the box around the radius holds at most _FEW live courses: counted in the
    point index alone (no row is read), stopping at _FEW + 1."""
    assert where.near is not None
    w = Where()
    w.add(IN_BOX.format(*(w.arg(b) for b in box_around(where.near, where.radius_km))))
    count = await conn.fetchval(
        f"SELECT count(*) FROM (SELECT 1 FROM course_ranking WHERE {w.sql}"
        f" LIMIT {w.arg(_FEW + 1)}) few",
        *w.args,
    )
    return int(count) <= _FEW


def _rank(w: Where, where: CourseFilter, query: str) -> str:
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
    conn: Connection, where: CourseFilter, after: Position | None, limit: int, *, few: bool
) -> list[Position]:
    """Without words: by start date, straight from a (start_date, course_id) index; a radius
    with few courses from its courses, sorted."""
    w = filtered(where, box=few)
    if after is not None:
        w.add(f"(start_date, course_id) > ({w.arg(after.start_date)}, {w.arg(after.course_id)})")
    source = "course_ranking"
    if few:
        source = f"(SELECT course_id, start_date FROM course_ranking WHERE {w.sql} OFFSET 0) f"
        w.clauses = ["true"]
    rows = await conn.fetch(
        f"SELECT course_id, start_date FROM {source} WHERE {w.sql}"
        f" ORDER BY start_date, course_id LIMIT {w.arg(limit)}",
        *w.args,
    )
    return [Position(0.0, r["start_date"], r["course_id"]) for r in rows]


async def _ranked(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int, *, few: bool
) -> list[Position]:
    """The best `limit` courses whose title or module titles match (rank > 0).

    A course's rank depends on its `rank_vector` alone, and courses share vectors (the same
    title at many places and dates): the distinct vectors that match are ranked (few, small),
    then the courses of the best ones are walked by (rank_key, start_date, course_id), a few
    vectors at a time, until the page is full. A group of vectors with equal rank is walked
    together, so the order is exactly (rank, start date, id). A radius with few courses is
    answered from its courses instead.

    A match in `rank_vector` is a match in `search` unless the query has `-word` or a
    phrase (`!`, `<->` in the tsquery); only then is `search` checked as well.
    """
    v = Where()
    query = text_query(v, where)
    below = f"AND rank <= {v.arg(after.rank)}::real" if after is not None else ""
    vectors = await conn.fetch(
        f"""
        SELECT rank_key, rank FROM (
            SELECT rank_key, {_rank(v, where, query)} AS rank
            FROM search_rank_vectors WHERE rank_vector @@ {query}
        ) v WHERE rank > 0 {below} ORDER BY rank DESC
        """,
        *v.args,
    )  # fmt: skip
    if few:
        return await _ranked_courses(conn, where, after, limit, vectors, few=True)
    found: list[Position] = []
    start, step = 0, _PROBE
    if where.near is not None:
        # The planner takes a radius for far more selective than it is and would read all
        # of a vector's courses to sort them, where walking them in order stops early.
        await conn.execute("SET LOCAL enable_bitmapscan = off")
    while start < len(vectors) and len(found) < limit:
        end = min(start + step, len(vectors))
        while end < len(vectors) and vectors[end]["rank"] == vectors[end - 1]["rank"]:
            end += 1
        found += await _ranked_courses(
            conn, where, after, limit - len(found), vectors[start:end], few=False
        )
        start, step = end, step * 4
    if where.near is not None:
        await conn.execute("SET LOCAL enable_bitmapscan = on")
    return found


async def _ranked_courses(
    conn: Connection,
    where: CourseFilter,
    after: Position | None,
    limit: int,
    vectors: list[Any],
    *,
    few: bool,
) -> list[Position]:
    """The first `limit` courses using these ranked vectors, by (rank, start date, id)."""
    if not vectors:
        return []
    w = filtered(replace(where, q=None), box=few)
    query = text_query(w, where)
    w.add(f"({query}::text !~ '[!<]' OR {_matches(query, 'r')})")
    keys = w.arg([v["rank_key"] for v in vectors])
    ranks = w.arg([v["rank"] for v in vectors])
    keyset = ""
    if after is not None:
        r, d, c = w.arg(after.rank), w.arg(after.start_date), w.arg(after.course_id)
        keyset = f"AND (k.rank < {r}::real OR (r.start_date, r.course_id) > ({d}, {c}))"
    n = w.arg(limit)
    if few:  # the radius's courses first, then their vectors' ranks
        sql = f"""
            SELECT r.course_id, r.start_date, k.rank
            FROM (SELECT * FROM course_ranking r WHERE {w.sql} OFFSET 0) r
                JOIN unnest({keys}::uuid[], {ranks}::real[]) k(rank_key, rank) USING (rank_key)
            WHERE true {keyset}
            ORDER BY k.rank DESC, r.start_date, r.course_id LIMIT {n}
        """
    else:  # each vector's courses in start-date order, as far as the page needs
        sql = f"""
            SELECT c.course_id, c.start_date, k.rank
            FROM unnest({keys}::uuid[], {ranks}::real[]) k(rank_key, rank)
            CROSS JOIN LATERAL (
                SELECT r.course_id, r.start_date FROM course_ranking r
                WHERE r.rank_key = k.rank_key AND {w.sql} {keyset}
                ORDER BY r.start_date, r.course_id LIMIT {n}
            ) c
            ORDER BY k.rank DESC, c.start_date, c.course_id LIMIT {n}
        """
    rows = await conn.fetch(sql, *w.args)
    return [Position(float(r["rank"]), r["start_date"], r["course_id"]) for r in rows]


async def _unranked(
    conn: Connection, where: CourseFilter, after: Position | None, limit: int, *, few: bool
) -> list[Position]:
    """The first `limit` courses, by start date, with rank 0: matching only in the description
    (or, for a query like `-word`, matching without any word to rank by).

    A rare word is found through the GIN index on `course_text.search`, and its few matches
    sorted. A frequent word matches most courses: walking the start-date index until `limit`
    matches are found is then fast, and as exact. Which one the word is, the planner's
    statistics say (an EXPLAIN, no rows read); a walk that finds too few matches in its first
    `_WINDOW` filtered courses still ends in the index search. A radius with few courses is
    searched among its courses; one with many is left out of the estimate (the planner
    cannot tell how many courses it holds) and checked during the walk.
    """
    if few:
        return await _walk(conn, where, after, limit, window=None)
    f = filtered(replace(where, near=None))
    if after is not None and after.rank <= 0:  # past every ranked course
        f.add(f"(start_date, course_id) > ({f.arg(after.start_date)}, {f.arg(after.course_id)})")
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_WITH_TEXT} WHERE {f.sql}", *f.args
    )
    if json.loads(plan)[0]["Plan"]["Plan Rows"] > _WINDOW:
        found = await _walk(conn, where, after, limit, window=_WINDOW)
        if len(found) == limit:
            return found
    # All matches through the GIN index (and the filters' indexes), then sort the few.
    f = filtered(where, box=False)
    if after is not None and after.rank <= 0:
        f.add(f"(start_date, course_id) > ({f.arg(after.start_date)}, {f.arg(after.course_id)})")
    query = text_query(f, where)
    rows = await conn.fetch(
        f"""
        WITH hits AS MATERIALIZED (
            SELECT course_id, start_date, rank_key FROM {_WITH_TEXT} WHERE {f.sql}
        )
        SELECT course_id, start_date FROM hits
        WHERE NOT EXISTS (SELECT FROM search_rank_vectors v WHERE v.rank_key = hits.rank_key
            AND v.rank_vector @@ {query} AND ts_rank(v.rank_vector, {query}) > 0)
        ORDER BY start_date, course_id LIMIT {f.arg(limit)}
        """,
        *f.args,
    )  # fmt: skip
    return [Position(0.0, r["start_date"], r["course_id"]) for r in rows]


async def _walk(
    conn: Connection,
    where: CourseFilter,
    after: Position | None,
    limit: int,
    *,
    window: int | None,
) -> list[Position]:
    """Rank-0 matches in start-date order among the first `window` filtered courses (all of
    them with None: a radius with few courses, taken through the point index)."""
    w = filtered(replace(where, q=None), box=window is None)
    if after is not None and after.rank <= 0:
        w.add(f"(start_date, course_id) > ({w.arg(after.start_date)}, {w.arg(after.course_id)})")
    query = text_query(w, where)
    unranked = (
        f"(SELECT NOT (v.rank_vector @@ {query} AND ts_rank(v.rank_vector, {query}) > 0)"
        " FROM course_ranking r JOIN search_rank_vectors v USING (rank_key)"
        " WHERE r.course_id = win.course_id)"
    )
    # The sub-selects (not EXISTS, which may become a join) keep the walk in index order,
    # so the outer ORDER BY needs no sort and the walk stops at the `limit`-th match. The
    # walk itself reads the index alone (its INCLUDE columns hold the usual filters); a
    # course's vectors are read only for those it passes.
    cut = f"ORDER BY start_date, course_id LIMIT {w.arg(window)}" if window else "OFFSET 0"
    rows = await conn.fetch(
        f"""
        SELECT course_id, start_date FROM (
            SELECT course_id, start_date FROM course_ranking WHERE {w.sql}
            {cut}
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
    w = filtered(where)
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
    w = Where()
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
