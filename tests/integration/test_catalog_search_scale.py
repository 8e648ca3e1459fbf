"""Search's plans for a national catalogue give the same answers as ranking every course:
ranking the distinct ranking vectors and walking their courses (equal ranks merged, paged),
and a radius answered from its few courses or walked in result order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CourseUpserted

from services.catalog import domain, query, search, store
from services.catalog.indexer import SearchIndexer
from tests.integration.databases import catalog_with_provider
from tests.support.partner import course
from zll.devstack.stack import DevStack
from zll.platform import geography

PROVIDER = "vhs-scale"
# Titles sharing words: "Excel" in the title of four (three with equal rank), in a module
# title of one; each title runs at several places and dates, so courses share vectors.
TITLES = ["Excel Grundlagen", "Excel Aufbau", "Excel kompakt", "Excel Excel Profi",
          "Tabellen", "Word Grundlagen"]  # fmt: skip
TOWNS = ["Kassel", "Baunatal", "Leipzig", "Detmold"]


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with catalog_with_provider(infra, PROVIDER) as pool:
        published = []
        for n in range(60):
            data = course(f"c{n}", provider=PROVIDER, title=TITLES[n % len(TITLES)],
                          description="Excel im Büro" if n % 5 == 0 else "",
                          location={"municipality": TOWNS[n % len(TOWNS)]},
                          start_date=f"2027-{1 + n % 11:02d}-{1 + n % 7:02d}",
                          end_date="2027-12-31")  # fmt: skip
            data["modules"][0]["title"] = "Excel" if n % len(TITLES) == 4 else "Praxis"
            published.append(domain.publish(CourseUpserted.model_validate(data), datetime.now(UTC)))
        async with pool.acquire() as conn, conn.transaction():
            await store.save_courses(conn, [(c, c.model_dump_json().encode()) for c in published])
        while await SearchIndexer(pool).index_pending():
            pass
        yield pool


async def every_page(pool: asyncpg.Pool, limit: int, **filters: Any) -> list[tuple[Any, ...]]:
    """(rank, start date, id) of every course the search finds, page by page."""
    found: list[tuple[Any, ...]] = []
    after = None
    async with pool.acquire() as conn:
        where = await query.expand(conn, search.CourseFilter(**filters))
        while True:
            hits = await search.search_courses(conn, where, after=after, limit=limit)
            found += [(round(k.rank, 6), k.start_date, k.course_id) for _, k in hits]
            if len(hits) < limit:
                return found
            after = hits[-1][1]


async def every_course_ranked(pool: asyncpg.Pool, q: str) -> list[tuple[Any, ...]]:
    """What ranking each course's own vector gives (title/module matches only)."""
    rows = await pool.fetch(
        """
        SELECT rank, start_date, course_id FROM (
            SELECT course_id, start_date,
                ts_rank(rank_vector, websearch_to_tsquery('german', $1)) AS rank
            FROM course_ranking JOIN search_rank_vectors USING (rank_key)
            WHERE status = 'live'
        ) r WHERE rank > 0 ORDER BY rank DESC, start_date, course_id
        """,
        q,
    )
    return [(round(r["rank"], 6), r["start_date"], r["course_id"]) for r in rows]


async def test_ranking_vectors_once_gives_the_order_of_ranking_every_course(
    pool: asyncpg.Pool,
) -> None:
    expected = await every_course_ranked(pool, "Excel")
    assert len(expected) == 50  # five of six titles, ten courses each
    assert len({rank for rank, _, _ in expected}) < len(TITLES) - 1  # equal ranks to merge
    ranked = await every_page(pool, 3, q="Excel")
    # Ranked first in the same order, then the description-only matches by start date.
    assert ranked[:50] == expected
    described = ranked[50:]  # "Word Grundlagen" with Excel in its description: c5, c35
    assert [c for _, _, c in described] == [f"{PROVIDER}:c35", f"{PROVIDER}:c5"]
    assert [rank for rank, _, _ in described] == [0.0, 0.0]
    assert [(d, c) for _, d, c in described] == sorted((d, c) for _, d, c in described)
    assert await every_page(pool, 50, q="Excel") == ranked


async def test_a_radius_with_few_courses_and_a_walk_through_it_find_the_same(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    kassel = geography.locate("34117")
    assert kassel is not None
    for filters in ({"q": "Excel"}, {"q": "Grundlagen"}, {}, {"q": "Büro"}):
        answered_from_the_radius = await every_page(pool, 4, near=kassel, radius_km=25, **filters)
        monkeypatch.setattr(search, "_FEW", 0)  # as if the radius held many courses
        walked = await every_page(pool, 4, near=kassel, radius_km=25, **filters)
        monkeypatch.undo()
        assert walked == answered_from_the_radius
        ids = {c for _, _, c in walked}
        # Kassel and Baunatal (10 km) are within 25 km; Leipzig and Detmold are not.
        towns = {TOWNS[int(c.rsplit(":c", 1)[1]) % len(TOWNS)] for c in ids}
        assert towns == {"Kassel", "Baunatal"}, filters
        starts = [d for r, d, _ in walked if r == 0]
        assert starts == sorted(starts)
    assert date(2027, 1, 1) <= min(d for _, d, _ in walked)
