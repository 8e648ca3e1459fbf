"""Catalog and matching agree on what is near, for any German town, not only the region's:
the same courses, the catalog's radius search and matching's recommendations (its SQL
pre-filter and counselling's check) find the same ones near a learner's town."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CoursePublished, CourseUpserted

from services.catalog import domain, search, store
from services.catalog.indexer import SearchIndexer
from services.matching import store_counselling
from services.matching.domain.counselling import Profile, suitable
from tests.e2e.matching_helpers import course, module, skill
from tests.integration.databases import fresh_database
from tests.integration.test_matching_handlers import deliver
from zll.devstack.stack import DevStack
from zll.platform import geography

pytestmark = pytest.mark.integration
PROVIDER = "vhs-geo"
WELDING = skill("welding")
# Outside the two partner regions: Göttingen, its postcode, its neighbour Bovenden (6 km);
# Hann. Münden lies 24 km from Göttingen, Gudensberg 56 km.
COURSES = {
    "goettingen": {"municipality": "Göttingen"},
    "postcode": {"municipality": "Universitätsstadt", "postcode": "37073"},
    "bovenden": {"municipality": "Bovenden"},
    "muenden": {"municipality": "Hann. Münden"},
    "gudensberg": {"municipality": "Gudensberg"},
}


@pytest.fixture
async def catalog(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "catalog") as pool:
        async with pool.acquire() as conn:
            await store.upsert_provider(
                conn, store.Provider(PROVIDER, "VHS", "volkshochschule", "Göttingen")
            )
        yield pool


@pytest.fixture
async def matching(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "matching") as pool:
        yield pool


def published() -> list[dict[str, Any]]:
    found = []
    for code, location in COURSES.items():
        data = course(PROVIDER, code, "", [module("m", [WELDING])], location=location)
        data["published_at"] = "2029-11-23T10:00:00Z"
        found.append(data)
    return found


async def catalog_near(pool: asyncpg.Pool, town: str, km: float) -> list[str]:
    async with pool.acquire() as conn:
        where = search.CourseFilter(near=geography.locate(town), radius_km=km)
        hits = await search.search_courses(conn, where, after=None, limit=50)
    return sorted(document["course_id"] for document, _ in hits)


async def matching_near(pool: asyncpg.Pool, town: str, km: float) -> list[str]:
    profile = Profile(goal_skills=frozenset({WELDING}), municipality=town, travel_km=km)
    async with pool.acquire() as conn:
        narrowed = await store_counselling.live_courses_for(conn, profile, date(2030, 1, 1))
    return sorted(fit.course.course_id for fit in suitable(profile, narrowed, date(2030, 1, 1)))


async def test_a_town_outside_the_region_is_near_its_neighbours_in_both_services(
    catalog: asyncpg.Pool, matching: asyncpg.Pool
) -> None:
    courses = published()
    stored = [
        domain.publish(
            CourseUpserted.model_validate({k: v for k, v in c.items() if k != "published_at"}),
            datetime.now(UTC),
        )
        for c in courses
    ]
    async with catalog.acquire() as conn, conn.transaction():
        await store.save_courses(conn, [(c, c.model_dump_json().encode()) for c in stored])
    while await SearchIndexer(catalog).index_pending():
        pass
    for data in courses:
        await deliver(matching, CoursePublished.model_validate(data), sender="/services/catalog")

    def ids(*codes: str) -> list[str]:
        return sorted(f"{PROVIDER}:{code}" for code in codes)

    for town, km, expected in [
        ("Bovenden", 10, ids("goettingen", "postcode", "bovenden")),
        ("Rosdorf", 10, ids("goettingen", "postcode", "bovenden")),
        ("37073", 30, ids("goettingen", "postcode", "bovenden", "muenden")),
        ("Kassel", 25, ids("muenden", "gudensberg")),
        ("Kassel", 5, []),
    ]:
        assert await catalog_near(catalog, town, km) == expected, (town, km)
        assert await matching_near(matching, town, km) == expected, (town, km)
