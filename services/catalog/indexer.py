"""The search indexer: makes stored courses findable, a batch at a time, behind ingestion.

Ingestion stores each course and its canonical event in one transaction and queues the
course in `search_backlog`; this worker derives the search columns from the stored
document (the filter columns and ranking vector, the German full text vector) on its own
connection. Both then run at once, and a burst of upserts is stored at the rate the
consumer can take it while search follows within moments (`zll_catalog_search_backlog`
on /metrics says by how much). A withdrawal hides the course from search at once itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from prometheus_client import Gauge

from services.catalog import compounds, vocabulary
from zll.platform import geography
from zll.platform.db import Connection
from zll.platform.notified import NotifiedLoop

CHANNEL = "zll_catalog_search"

SEARCH_BACKLOG = Gauge(
    "zll_catalog_search_backlog", "Stored courses not yet findable by search (queued for it)."
)

# A batch is claimed in two statements: lock up to $1 queued courses, then delete them by
# primary key. As one (`DELETE … WHERE course_id IN (SELECT … LIMIT $1 FOR UPDATE SKIP
# LOCKED)`) the join was the planner's to choose, and a claim of 1 000 from a backlog of
# 50 000 queued at once ran over three minutes of PostgreSQL CPU (2026-12-04, probe of the
# search bench; a retry after cancelling it, planned afresh, took milliseconds).
_CLAIM = "SELECT course_id FROM search_backlog LIMIT $1 FOR UPDATE SKIP LOCKED"
_CLAIMED = "DELETE FROM search_backlog WHERE course_id = ANY($1::text[])"

# Title weighs most (A), description and module titles next (B), each made once: `search`
# (in `course_text`) decides whether a course matches, `rank_vector` (title and module
# titles only) how well. unaccent folds ß and umlauts so that `schweissen` finds
# `Schweißen`; the German stemmer joins Pflegekraft and Pflegekräfte. The parts of compound
# words weigh least (D): "Pflege" finds "Altenpflegehilfe", below a course with "Pflege"
# itself ($2: the courses, $3/$4: parts of their titles and module titles / of their
# descriptions, made by compounds.index_text; $5/$6: where each takes place, from
# geography.course_point). Each distinct ranking vector is kept once, in
# `search_rank_vectors` under the md5 of its text (`rank_key`, a column of `course_ranking`):
# search ranks those, not every course (migration 009).
_INDEX_LIVE = """
WITH parts AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::real[], $6::real[])
        p(course_id, ranked, described, lat, lon)
), source AS (
    SELECT c.course_id, c.provider_id, c.revision, c.document AS d, p.lat, p.lon,
        setweight(to_tsvector('german', catalog_unaccent(coalesce(p.ranked, ''))), 'D')
            AS parts_vector,
        setweight(to_tsvector('german', catalog_unaccent(coalesce(p.described, ''))), 'D')
            AS described_parts,
        setweight(to_tsvector('german', catalog_unaccent(c.document ->> 'title')), 'A')
            AS title_vector,
        setweight(to_tsvector('german', catalog_unaccent(
            coalesce(c.document ->> 'description', ''))), 'B') AS description_vector,
        setweight(to_tsvector('german', catalog_unaccent(coalesce(
            (SELECT string_agg(m ->> 'title', ' ')
             FROM jsonb_array_elements(c.document -> 'modules') m), ''))), 'B') AS modules_vector
    FROM courses c LEFT JOIN parts p USING (course_id)
    WHERE c.course_id = ANY($1::text[]) AND c.status = 'live'
), keyed AS (
    SELECT *, title_vector || modules_vector || parts_vector AS rank_vector
    FROM source
), vectors AS (
    INSERT INTO search_rank_vectors (rank_key, rank_vector)
    SELECT DISTINCT ON (1) md5(rank_vector::text)::uuid, rank_vector FROM keyed
    ON CONFLICT DO NOTHING
), ranked AS (
    INSERT INTO course_ranking AS r (course_id, provider_id, revision, status, title, format,
        municipality, start_date, end_date, price_eur, funding, target_groups, skills,
        eqf_levels, rank_key, lat, lon)
    SELECT course_id, provider_id, revision, 'live', d ->> 'title', d ->> 'format',
        d #>> '{location,municipality}', (d ->> 'start_date')::date, (d ->> 'end_date')::date,
        (d ->> 'price_eur')::numeric,
        ARRAY(SELECT jsonb_array_elements_text(d -> 'funding')),
        ARRAY(SELECT jsonb_array_elements_text(d -> 'target_groups')),
        ARRAY(SELECT DISTINCT jsonb_array_elements_text(m -> 'skills')
              FROM jsonb_array_elements(d -> 'modules') m ORDER BY 1),
        ARRAY(SELECT DISTINCT (m ->> 'eqf_level')::int
              FROM jsonb_array_elements(d -> 'modules') m ORDER BY 1),
        md5(rank_vector::text)::uuid, lat, lon
    FROM keyed
    ON CONFLICT (course_id) DO UPDATE SET provider_id = EXCLUDED.provider_id,
        revision = EXCLUDED.revision, status = 'live', title = EXCLUDED.title,
        format = EXCLUDED.format, municipality = EXCLUDED.municipality,
        start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
        price_eur = EXCLUDED.price_eur, funding = EXCLUDED.funding,
        target_groups = EXCLUDED.target_groups, skills = EXCLUDED.skills,
        eqf_levels = EXCLUDED.eqf_levels, rank_key = EXCLUDED.rank_key,
        lat = EXCLUDED.lat, lon = EXCLUDED.lon
)
INSERT INTO course_text AS t (course_id, search)
SELECT course_id,
    title_vector || description_vector || modules_vector || parts_vector || described_parts
FROM source
ON CONFLICT (course_id) DO UPDATE SET search = EXCLUDED.search
"""


_TEXTS = """
    SELECT course_id, document ->> 'title' AS title, document ->> 'description' AS description,
        document #>> '{location,municipality}' AS place,
        document #>> '{location,postcode}' AS postcode,
        (document #>> '{location,lat}')::float8 AS lat,
        (document #>> '{location,lon}')::float8 AS lon,
        ARRAY(SELECT m ->> 'title' FROM jsonb_array_elements(document -> 'modules') m) AS modules
    FROM courses WHERE course_id = ANY($1::text[]) AND status = 'live'
"""


@dataclass(frozen=True, slots=True)
class Derived:
    """What Python makes of a batch of stored courses for search, in `_TEXTS`' order."""

    course_ids: list[str]
    ranked: list[str]  # compound parts of titles and module titles (compounds.index_text)
    described: list[str]  # ... of descriptions
    lats: list[float | None]
    lons: list[float | None]
    learned: dict[str, tuple[frozenset[str], frozenset[str]]]  # vocabulary.learned


def derive(texts: Sequence[Any]) -> Derived:
    """Compound parts, places and vocabulary of these courses: pure, CPU-bound Python."""
    points = [geography.course_point(t["lat"], t["lon"], t["postcode"], t["place"]) for t in texts]
    return Derived(
        course_ids=[t["course_id"] for t in texts],
        ranked=[compounds.index_text(t["title"], *t["modules"]) for t in texts],
        described=[compounds.index_text(t["description"]) for t in texts],
        lats=[p[0] if p else None for p in points],
        lons=[p[1] if p else None for p in points],
        learned={t["course_id"]: vocabulary.learned(t) for t in texts},
    )


async def index_courses(conn: Connection, course_ids: list[str]) -> None:
    """Bring these courses' search rows in line with their stored state."""
    texts = await conn.fetch(_TEXTS, course_ids)
    # Splitting a batch's compounds takes 30-70 ms of CPU (1 000 courses; more when few of
    # their words were split before). In a worker thread the event loop gets the GIL back
    # every few milliseconds (sys.getswitchinterval) and keeps answering searches meanwhile;
    # run here, it answered none until the batch was split.
    d = await asyncio.to_thread(derive, texts)
    await conn.execute(_INDEX_LIVE, course_ids, d.course_ids, d.ranked, d.described, d.lats, d.lons)
    await vocabulary.learn(conn, course_ids, d.learned)
    await hide_withdrawn(conn, course_ids)


async def hide_withdrawn(conn: Connection, course_ids: list[str]) -> None:
    """Search rows of those of these courses that are withdrawn stop matching."""
    await conn.execute(
        """
        UPDATE course_ranking r SET status = 'withdrawn', revision = c.revision
        FROM courses c WHERE c.course_id = r.course_id
            AND c.course_id = ANY($1::text[]) AND c.status = 'withdrawn'
        """,
        course_ids,
    )


async def queue(conn: Connection, course_ids: list[str]) -> None:
    """Due for the indexer once the caller's transaction commits (NOTIFY is sent then too)."""
    await conn.execute(
        "INSERT INTO search_backlog SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", course_ids
    )
    await conn.execute(f"NOTIFY {CHANNEL}")


async def load_reference_data() -> None:
    """The word list and Germany's places, read once (~3 s) off the event loop: the service
    is ready only after, so that the first indexed courses are split and placed in time."""

    def load() -> None:
        compounds.words()
        geography.national()

    await asyncio.to_thread(load)


class SearchIndexer:
    """Takes queued courses in batches; `run` until cancelled."""

    def __init__(self, pool: asyncpg.Pool, *, batch_size: int = 1000) -> None:
        self._pool = pool
        self._batch_size = batch_size

    async def index_pending(self) -> int:
        """Index one batch; a failure rolls it back and leaves it queued."""
        async with self._pool.acquire() as conn, conn.transaction():
            course_ids = [r["course_id"] for r in await conn.fetch(_CLAIM, self._batch_size)]
            if course_ids:
                await conn.execute(_CLAIMED, course_ids)
                await index_courses(conn, course_ids)
        return len(course_ids)

    async def observe_backlog(self) -> None:
        async with self._pool.acquire() as conn:
            SEARCH_BACKLOG.set(await conn.fetchval("SELECT count(*) FROM search_backlog"))

    async def run(self) -> None:
        await NotifiedLoop(
            self._pool,
            CHANNEL,
            self.index_pending,
            batch_size=self._batch_size,
            observe=self.observe_backlog,
            name="search indexer",
        ).run()
