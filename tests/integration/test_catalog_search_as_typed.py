"""Search as a German learner types it, against a real PostgreSQL: compound words, typos,
"did you mean" and completions from the first letters."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CourseUpserted, CourseWithdrawn

from services.catalog import domain, query, search, store, vocabulary
from services.catalog.indexer import SearchIndexer
from tests.integration.databases import catalog_with_provider
from tests.support.partner import course
from zll.devstack.stack import DevStack
from zll.platform import geography

PROVIDER = "vhs-typed"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with catalog_with_provider(infra, PROVIDER) as pool:
        yield pool


async def offer(pool: asyncpg.Pool, *titles: str, module: str = "Praxis", **changes: Any) -> None:
    """Courses with these titles (the code made from the title), stored and indexed."""
    published = []
    for title in titles:
        data = course(
            re.sub(r"[^A-Za-z0-9]", "-", title),
            provider=PROVIDER,
            title=title,
            description="",
            **changes,
        )
        data["modules"][0]["title"] = module
        published.append(domain.publish(CourseUpserted.model_validate(data), datetime.now(UTC)))
    async with pool.acquire() as conn, conn.transaction():
        await store.save_courses(conn, [(c, c.model_dump_json().encode()) for c in published])
    while await SearchIndexer(pool).index_pending():
        pass


async def titles(pool: asyncpg.Pool, q: str, **filters: Any) -> list[str]:
    async with pool.acquire() as conn:
        where = await query.expand(conn, search.CourseFilter(q=q, **filters))
        hits = await search.search_courses(conn, where, after=None, limit=20)
    return [document["title"] for document, _ in hits]


async def test_a_word_finds_the_compounds_containing_it_below_exact_hits(
    pool: asyncpg.Pool,
) -> None:
    await offer(pool, "Altenpflegehilfe in Teilzeit", "Pflege zu Hause", "Krankenpflege kompakt",
                "Finanzbuchhaltung mit DATEV", "Buchhaltung für Einsteiger",
                "Lagerlogistik")  # fmt: skip
    found = await titles(pool, "Pflege")
    assert found[0] == "Pflege zu Hause"
    assert set(found[1:]) == {"Altenpflegehilfe in Teilzeit", "Krankenpflege kompakt"}
    assert await titles(pool, "Buchhaltung") == [
        "Buchhaltung für Einsteiger", "Finanzbuchhaltung mit DATEV",
    ]  # fmt: skip
    assert await titles(pool, "Logistik") == ["Lagerlogistik"]


async def test_a_compound_query_finds_courses_using_its_parts(pool: asyncpg.Pool) -> None:
    await offer(pool, "Hilfe in der Altenpflege", "Lohnbuchhaltung")
    assert await titles(pool, "Altenpflegehilfe") == ["Hilfe in der Altenpflege"]
    # The word as typed (in a module title) comes first, though the other course has its
    # parts in its title.
    await offer(pool, "Qualifizierung in Teilzeit", module="Altenpflegehilfe")
    assert await titles(pool, "Altenpflegehilfe") == [
        "Qualifizierung in Teilzeit", "Hilfe in der Altenpflege",
    ]  # fmt: skip


async def test_a_typo_is_found_below_exact_hits(pool: asyncpg.Pool) -> None:
    await offer(pool, "Schweißen Grundkurs MAG/WIG", "Gabelstaplerschein")
    assert await titles(pool, "Schweisen") == ["Schweißen Grundkurs MAG/WIG"]  # one edit
    assert await titles(pool, "Gabelstablerschin") == ["Gabelstaplerschein"]  # two from 9
    assert await titles(pool, "Gablstpler") == ["Gabelstaplerschein"]  # a part, two edits
    assert await titles(pool, "Schwisn") == []  # two edits in 7 letters: too many


async def test_short_words_and_words_in_use_are_taken_as_typed(pool: asyncpg.Pool) -> None:
    await offer(pool, "Excel für Einsteiger", "Excell-Schulung", "Einsteigerkurs Word")
    assert await titles(pool, "Excell") == ["Excell-Schulung"]  # a word a course uses
    assert await titles(pool, "Exel") == []  # four letters: no typo allowed
    assert await titles(pool, "Exxcel Einsteiger") == ["Excel für Einsteiger"]


async def test_filters_and_facets_still_apply_to_expanded_queries(pool: asyncpg.Pool) -> None:
    await offer(pool, "Altenpflegehilfe")
    await offer(pool, "Krankenpflege am Abend", location={"municipality": "Detmold"})
    assert await titles(pool, "Pflege", municipality="Detmold") == ["Krankenpflege am Abend"]
    async with pool.acquire() as conn:
        where = await query.expand(conn, search.CourseFilter(q="Pflege"))
        facets = await search.facet_counts(conn, where)
    assert facets["municipality"] == {"Detmold": 1, "Kassel": 1}


async def test_did_you_mean_offers_the_nearest_known_words(pool: asyncpg.Pool) -> None:
    await offer(pool, "Schweißen Grundkurs")
    async with pool.acquire() as conn:
        assert await vocabulary.did_you_mean(conn, "Schwiesn Grundkurs") == "schweissen Grundkurs"
        assert await vocabulary.did_you_mean(conn, "Grundkurs") is None


async def test_suggestions_complete_titles_skills_and_places(pool: asyncpg.Pool) -> None:
    await offer(pool, "Schweißen Grundkurs", "Schweißtechnik am Abend", "MAG-Schweißen")
    await offer(pool, "Deutsch B1", location={"municipality": "Schwalmstadt"})
    async with pool.acquire() as conn:
        first = await vocabulary.suggest(conn, "schwei")
        words = await vocabulary.suggest(conn, "Schweiß")
        place = await vocabulary.suggest(conn, "Schwa")
        skill = await vocabulary.suggest(conn, "pra")
    # Titles starting so first, then those with a word starting so.
    assert [s.label for s in first] == [
        "Schweißen Grundkurs", "Schweißtechnik am Abend", "MAG-Schweißen",
    ]  # fmt: skip
    assert [s.label for s in words] == [s.label for s in first]  # ß typed or not
    assert [(s.kind, s.label) for s in place] == [("place", "Schwalmstadt")]
    assert [(s.kind, s.label) for s in skill] == [("skill", "Praxis")]


async def withdraw(pool: asyncpg.Pool, title: str) -> None:
    """Withdraw the course `offer` made with this title, and let the indexer follow."""
    course_id = f"{PROVIDER}:" + re.sub(r"[^A-Za-z0-9]", "-", title)
    async with pool.acquire() as conn, conn.transaction():
        stored = await store.stored_course(conn, course_id)
        assert stored is not None
        withdrawal = CourseWithdrawn(
            course_id=course_id, provider_id=PROVIDER, revision=stored.revision + 1,
            reason="cancelled",
        )  # fmt: skip
        withdrawn = domain.withdraw(withdrawal, stored, datetime.now(UTC))
        assert withdrawn is not None
        await store.save_withdrawal(conn, withdrawn)
    while await SearchIndexer(pool).index_pending():
        pass


async def suggested(pool: asyncpg.Pool, prefix: str) -> list[tuple[str, str, int]]:
    async with pool.acquire() as conn:
        return [(s.kind, s.label, s.courses) for s in await vocabulary.suggest(conn, prefix)]


async def test_counts_are_live_courses_and_withdrawn_ones_are_no_longer_suggested(
    pool: asyncpg.Pool,
) -> None:
    await offer(pool, "Gabelstapler Grundkurs", module="Staplerschein",
                location={"municipality": "Gudensberg"})  # fmt: skip
    await offer(pool, "Gabelstapler für Fortgeschrittene", module="Staplerschein")
    for _ in range(3):  # indexed again and again: counted once
        await offer(pool, "Gabelstapler Grundkurs", module="Staplerschein",
                    location={"municipality": "Gudensberg"})  # fmt: skip
    assert await suggested(pool, "stapler") == [("skill", "Staplerschein", 2)]
    assert await suggested(pool, "gudens") == [("place", "Gudensberg", 1)]
    assert await titles(pool, "Gabelstabler") == [
        "Gabelstapler Grundkurs", "Gabelstapler für Fortgeschrittene",
    ]  # fmt: skip
    await withdraw(pool, "Gabelstapler Grundkurs")
    assert await suggested(pool, "gabel") == [("title", "Gabelstapler für Fortgeschrittene", 1)]
    assert await suggested(pool, "stapler") == [("skill", "Staplerschein", 1)]
    assert await suggested(pool, "gudens") == []
    await withdraw(pool, "Gabelstapler für Fortgeschrittene")
    assert await suggested(pool, "gabel") == []
    assert await suggested(pool, "stapler") == []
    async with pool.acquire() as conn:  # no live course uses the word: no typo leads there
        assert await vocabulary.corrections(conn, ["Gabelstabler"]) == {}
        assert await conn.fetchval("SELECT count(*) FROM search_words") == 0


async def near(pool: asyncpg.Pool, where: str, km: float, q: str | None = None) -> list[str]:
    here = geography.locate(where)
    assert here is not None
    async with pool.acquire() as conn:
        filtered = await query.expand(conn, search.CourseFilter(q=q, near=here, radius_km=km))
        hits = await search.search_courses(conn, filtered, after=None, limit=20)
    return sorted(document["title"] for document, _ in hits)


async def test_courses_within_a_radius_of_a_postcode_anywhere_in_germany(
    pool: asyncpg.Pool,
) -> None:
    await offer(pool, "Excel in Kassel", location={"municipality": "Kassel"})
    await offer(pool, "Excel in Baunatal", location={"municipality": "Baunatal"})
    await offer(pool, "Excel in Leipzig", location={"municipality": "Leipzig", "postcode": "04109"})
    # Its own coordinates win: registered in Kassel, held in Munich.
    await offer(pool, "Excel in München",
                location={"municipality": "Kassel", "lat": 48.137, "lon": 11.575})  # fmt: skip
    await offer(pool, "Excel online", format="online", location=None)
    assert await near(pool, "34117", 25) == ["Excel in Baunatal", "Excel in Kassel"]
    assert await near(pool, "34117", 5) == ["Excel in Kassel"]
    assert await near(pool, "04103", 25, q="Excel") == ["Excel in Leipzig"]
    assert await near(pool, "München", 25) == ["Excel in München"]
    assert await near(pool, "Hamburg", 100) == []
