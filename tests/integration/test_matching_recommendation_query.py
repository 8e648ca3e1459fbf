"""The recommendation query narrows courses in PostgreSQL, but never past what counselling allows.

Its filters must let through every course counselling.why_not accepts (Python decides), and its
typed columns must give back the course exactly as published, whether derived at ingest or
backfilled by migration 005 from courses learned before it.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CoursePublished

from services.matching import store_counselling
from services.matching.domain.counselling import (
    CourseOffer,
    ModuleOffer,
    Profile,
    Suitable,
    suitable,
)
from tests.e2e.matching_helpers import course, module, skill
from tests.integration.databases import fresh_database
from tests.integration.test_matching_handlers import deliver
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
MIGRATIONS = Path(__file__).parents[2] / "services" / "matching" / "migrations"
TODAY = date(2030, 1, 1)
SKILLS = [skill(w) for w in ("welding", "bookkeeping", "payroll", "operate forklift", "tax")]
# Known towns spelt as partners do, places we cannot locate, names outside ASCII, and towns
# outside the two partner regions (Göttingen, Bovenden, Hann. Münden, Gudensberg).
PLACES = ["Kassel", " kassel ", "KASSEL", "Baunatal", "Hofgeismar", "Detmold", "Söhrewald",
          "SÖHREWALD", "Atlantis", "Überall", "Lemgo", "Göttingen", "Bovenden", "Hann. Münden",
          "Gudensberg"]  # fmt: skip
# Postcodes: Göttingen, Kassel, Detmold, and one no town has.
POSTCODES = ["37073", "34117", "32756", "99999"]
# The columns migration 005 added to course_supply.
DERIVED = [
    "provider_id", "title", "format", "language", "end_date", "schedule", "time_of_day",
    "price_eur", "funding", "target_groups", "lat", "lon", "town", "place", "modules",
]  # fmt: skip


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "matching") as pool:
        yield pool


def random_course(i: int, rng: random.Random) -> dict[str, Any]:
    start = TODAY + timedelta(days=rng.randint(-20, 200))
    fmt = rng.choice(["onsite", "online", "blended"])
    location: dict[str, Any] | None = {"municipality": rng.choice(PLACES)}
    if rng.random() < 0.25:  # own coordinates, somewhere between Kassel and Lippe
        location = {"municipality": rng.choice(PLACES), "lat": rng.uniform(51.2, 52.1),
                    "lon": rng.uniform(8.7, 9.7)}  # fmt: skip
    elif rng.random() < 0.3:  # a postcode, which wins over the town
        location = {"municipality": rng.choice(PLACES), "postcode": rng.choice(POSTCODES)}
    if fmt == "online" and rng.random() < 0.5:
        location = None
    data = course(
        "vhs-query",
        f"c{i}",
        "Kassel",
        [
            module(f"m{k}", rng.sample(SKILLS, rng.randint(1, 3)), eqf=rng.randint(2, 5))
            for k in range(rng.randint(1, 3))
        ],
        format=fmt,
        location=location,
        language=rng.choice(["de", "de", "en"]),
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=rng.randint(1, 90))).isoformat(),
        schedule=rng.choice(["Mo 08:30", "Sa 13.00", "Do 19:15–21:00", "nach Absprache", None]),
        capacity=rng.choice([0, 5, 12]),
        price_eur=rng.choice([0, 90, 480, 99.5, 1200]),
        funding=rng.choice([[], ["bildungsgutschein"], ["bildungsurlaub", "aufstiegs-bafoeg"]]),
        target_groups=rng.choice([[], ["working-age"], ["senior", "transition"]]),
    )
    data["published_at"] = "2029-11-23T10:00:00Z"
    if data["location"] is None:
        del data["location"]
    return data


def random_profile(rng: random.Random) -> Profile:
    def some(values: list[str]) -> frozenset[str]:
        return frozenset(rng.sample(values, rng.randint(0, 2)) if rng.random() < 0.5 else ())

    return Profile(
        goal_skills=frozenset(rng.sample(SKILLS, rng.randint(1, 4))),
        held_skills=frozenset(rng.sample(SKILLS, rng.randint(0, 1))),
        municipality=rng.choice([*PLACES, None]),
        travel_km=rng.choice([None, 0.0, 5, 25, 120]),
        formats=some(["onsite", "online", "blended"]),
        budget_eur=rng.choice([None, 0.0, 90, 100, 500]),
        languages=some(["de", "en"]),
        times_of_day=some(["morning", "afternoon", "evening"]),
        life_phase=rng.choice([None, "working-age", "senior"]),
        funding=some(["bildungsgutschein", "bildungsurlaub"]),
    )


def as_published(data: dict[str, Any]) -> CourseOffer:
    """The course as counselling sees it, straight from the published payload."""
    c = CoursePublished.model_validate(data).model_dump(mode="json")
    location = c.get("location") or {}
    return CourseOffer(
        course_id=c["course_id"],
        provider_id=c["provider_id"],
        title=c["title"],
        format=c["format"],
        municipality=location.get("municipality"),
        lat=location.get("lat"),
        lon=location.get("lon"),
        postcode=location.get("postcode"),
        start_date=date.fromisoformat(c["start_date"]),
        end_date=date.fromisoformat(c["end_date"]),
        schedule=c.get("schedule"),
        capacity=c["capacity"],
        price_eur=float(c["price_eur"]),
        funding=frozenset(c["funding"]),
        target_groups=frozenset(c["target_groups"]),
        language=c.get("language") or "de",
        modules=tuple(
            ModuleOffer(
                m["module_id"],
                m["title"],
                m["workload_hours"],
                m["eqf_level"],
                frozenset(m["skills"]),
            )
            for m in c["modules"]
        ),
    )


async def derived(conn: Any) -> dict[str, dict[str, Any]]:
    rows = await conn.fetch(f"SELECT course_id, {', '.join(DERIVED)} FROM course_supply")
    return {r["course_id"]: dict(r) | {"modules": json.loads(r["modules"])} for r in rows}


def by_id(fit: Suitable) -> str:
    return fit.course.course_id


# The columns migration 009 added: where the course takes place.
PLACED = ["postcode", "placed", "point_lat", "point_lon"]


async def placed(conn: Any) -> dict[str, dict[str, Any]]:
    rows = await conn.fetch(f"SELECT course_id, {', '.join(PLACED)} FROM course_supply")
    return {r["course_id"]: dict(r) for r in rows}


@pytest.mark.parametrize("learned", ["at ingest", "before migration 005", "before migration 009"])
async def test_the_query_lets_through_every_course_counselling_accepts(
    pool: asyncpg.Pool, learned: str
) -> None:
    rng = random.Random(5)
    published = [random_course(i, rng) for i in range(240)]
    for data in published:
        await deliver(pool, CoursePublished.model_validate(data), sender="/services/catalog")
    everything = [as_published(data) for data in published]
    async with pool.acquire() as conn:
        if learned == "before migration 005":
            ingested = await derived(conn)
            await conn.execute(
                "UPDATE course_supply SET " + ", ".join(f"{c} = NULL" for c in DERIVED)
            )
            backfill = (MIGRATIONS / "005_course_offers.sql").read_text()
            await conn.execute(backfill[backfill.index("UPDATE course_supply") :])
            for course_id, columns in (await derived(conn)).items():
                expected = ingested[course_id] | {"time_of_day": None}
                if not expected["place"].isascii():  # left to Python, as documented
                    expected |= {"town": None, "place": None}
                assert columns == expected, course_id
        if learned == "before migration 009":
            ingested = await placed(conn)
            await conn.execute(
                "UPDATE course_supply SET " + ", ".join(f"{c} = NULL" for c in PLACED)
            )
            backfill = (MIGRATIONS / "009_course_points.sql").read_text()
            await conn.execute(backfill[backfill.index("UPDATE course_supply") :])
            # Unplaced courses are let through for Python to decide, before they are placed.
            await check(conn, rng, everything)
            while await store_counselling.place_unplaced(conn, batch=50):
                pass
            assert await placed(conn) == ingested
        await check(conn, rng, everything)


async def check(conn: Any, rng: random.Random, everything: list[CourseOffer]) -> None:
    """The query gives counselling every course it would accept among all of them."""
    checked = 0
    for _ in range(300):
        profile = random_profile(rng)
        narrowed = await store_counselling.live_courses_for(conn, profile, TODAY)
        want = sorted(suitable(profile, everything, TODAY), key=by_id)
        assert sorted(suitable(profile, narrowed, TODAY), key=by_id) == want
        assert len(narrowed) <= len(everything)
        checked += len(want)
    assert checked > 1000  # the profiles did accept courses, not only refuse them
