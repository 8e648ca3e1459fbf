"""Matching's SQL for counselling: course details, opportunities, profiles, earned skills."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from services.matching import store_credits
from services.matching.domain.counselling import CourseOffer, ModuleOffer, Profile, time_of_day
from services.matching.domain.opportunities import Opportunity
from services.matching.store import Supply
from zll.platform.db import Connection
from zll.platform.geography import course_point, locate

_COURSE_COLUMNS = (
    "course_id, course, start_date, revision, provider_id, title, format, language, end_date,"
    " schedule, time_of_day, price_eur, funding, target_groups, lat, lon, town, place, modules,"
    " live, municipality, capacity, skills, postcode, placed, point_lat, point_lon"
)
# The supply row and the course's details in one statement (one row version, one pass over
# the skills index); an older revision changes nothing.
_REMEMBER_COURSE = f"""
    INSERT INTO course_supply ({_COURSE_COLUMNS})
    VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, true, $25, $26)
    ON CONFLICT (course_id) DO UPDATE SET
        ({_COURSE_COLUMNS.replace("course_id, ", "")}, updated_at)
        = ({", ".join(f"EXCLUDED.{c.strip()}" for c in _COURSE_COLUMNS.split(",")[1:])}, now())
    WHERE course_supply.revision < EXCLUDED.revision
"""


async def remember_courses(
    conn: Connection, courses: Sequence[tuple[Supply, dict[str, Any]]]
) -> None:
    """Keep each course's newest revision, as supply (where, how many seats, which skills) and
    with the details counselling filters on and reads (migration 005), derived here once
    instead of on every recommendation; a run in one pipelined round trip."""
    await conn.executemany(
        _REMEMBER_COURSE,
        [
            (*_course_args(course), s.live, s.municipality, s.capacity, s.skills, *_placed(course))
            for s, course in courses
        ],
    )


def _course_args(course: dict[str, Any]) -> tuple[Any, ...]:
    location = course.get("location") or {}
    municipality = location.get("municipality")
    return (
        course["course_id"],
        json.dumps(course),
        date.fromisoformat(course["start_date"]),
        course["revision"],
        course["provider_id"],
        course["title"],
        course["format"],
        course.get("language") or "de",
        date.fromisoformat(course["end_date"]),
        course.get("schedule"),
        time_of_day(course.get("schedule")),
        float(course["price_eur"]),
        list(course.get("funding") or ()),
        list(course.get("target_groups") or ()),
        location.get("lat"),
        location.get("lon"),
        municipality.strip().lower() if municipality else None,
        (municipality or "").lower(),
        json.dumps(
            [
                [m["module_id"], m["title"], m["workload_hours"], m["eqf_level"], m["skills"]]
                for m in course["modules"]
            ]
        ),
    )


def _placed(course: dict[str, Any]) -> tuple[str | None, float | None, float | None]:
    """The course's postcode and where it takes place, as the catalog places it (migration
    009): its own coordinates, else its postcode's centre, else its town's, in all Germany."""
    location = course.get("location") or {}
    postcode = location.get("postcode")
    point = course_point(
        location.get("lat"), location.get("lon"), postcode, location.get("municipality")
    )
    return (postcode, point[0], point[1]) if point else (postcode, None, None)


async def place_unplaced(conn: Connection, batch: int = 1000) -> int:
    """Place up to `batch` courses learned before migration 009 (until then the query lets
    them through for Python to decide); how many were placed."""
    rows = await conn.fetch(
        "SELECT course_id, course FROM course_supply WHERE placed IS NULL AND course IS NOT NULL"
        " ORDER BY course_id LIMIT $1",
        batch,
    )
    await conn.executemany(
        "UPDATE course_supply SET (postcode, placed, point_lat, point_lon) = ($2, true, $3, $4)"
        " WHERE course_id = $1 AND placed IS NULL",
        [(r["course_id"], *_placed(json.loads(r["course"]))) for r in rows],
    )
    return len(rows)


# Distance from the learner's town centre to where the course takes place, in km, as
# geography.haversine_km computes it. The query only narrows the candidates, so it lets
# through what is a metre beyond the radius: floating point in PostgreSQL need not round
# exactly as Python does.
_KM = (
    "2 * 6371.0 * asin(least(1.0, sqrt(sin(radians(point_lat - $10) / 2) ^ 2 + cos(radians($10))"
    " * cos(radians(point_lat)) * sin(radians(point_lon - $11) / 2) ^ 2)))"
)

# Each line is one constraint of counselling.why_not, let through when the profile does not
# set it or the column is not known; distance as in counselling._too_far.
_LIVE_COURSES_FOR = f"""
    SELECT course_id, provider_id, title, format, municipality, lat, lon, postcode, start_date,
           end_date, schedule, capacity, price_eur, funding, target_groups, language, modules
    FROM course_supply
    WHERE live AND skills && $1::text[] AND start_date >= $2 AND modules IS NOT NULL
      AND capacity > 0
      AND ($3::text[] IS NULL OR format = ANY($3))
      AND ($4::text[] IS NULL OR language = ANY($4))
      AND ($5::text IS NULL OR cardinality(target_groups) = 0 OR $5 = ANY(target_groups))
      AND ($6::text[] IS NULL OR time_of_day IS NULL OR time_of_day = ANY($6))
      AND ($7::float8 IS NULL OR price_eur <= $7 OR funding && $8::text[])
      AND ($9::float8 IS NULL OR format = 'online' OR place IS NULL OR place = $12
           OR placed IS NULL OR (point_lat IS NOT NULL AND {_KM} <= $9 + 0.001))
"""


async def live_courses_for(conn: Connection, profile: Profile, today: date) -> list[CourseOffer]:
    """Live courses teaching part of the profile's gap, narrowed by its constraints in SQL.

    A superset of what counselling.why_not lets pass (it decides); in storage order, as before.
    """
    here = locate(profile.municipality)
    rows = await conn.fetch(
        _LIVE_COURSES_FOR,
        sorted(profile.gap),
        today,
        sorted(profile.formats) or None,
        sorted(profile.languages) or None,
        profile.life_phase or None,
        sorted(profile.times_of_day) or None,
        profile.budget_eur,
        sorted(profile.funding),
        profile.travel_km,
        here[0] if here else None,
        here[1] if here else None,
        (profile.municipality or "").lower(),
    )
    return [
        CourseOffer(
            course_id=row["course_id"],
            provider_id=row["provider_id"],
            title=row["title"],
            format=row["format"],
            municipality=row["municipality"],
            lat=row["lat"],
            lon=row["lon"],
            postcode=row["postcode"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            schedule=row["schedule"],
            capacity=row["capacity"],
            price_eur=row["price_eur"],
            funding=frozenset(row["funding"]),
            target_groups=frozenset(row["target_groups"]),
            language=row["language"],
            modules=tuple(
                ModuleOffer(module_id, title, float(hours), int(eqf), frozenset(skills))
                for module_id, title, hours, eqf, skills in json.loads(row["modules"])
            ),
        )
        for row in rows
    ]


async def upsert_opportunity(conn: Connection, o: dict[str, Any]) -> bool:
    """Store the opportunity unless a newer or equal revision is stored; True if stored."""
    status = await conn.execute(
        """
        INSERT INTO opportunities (opportunity_id, partner_id, revision, live, kind, title,
            required_skills, municipality, seats, start_date)
        VALUES ($1, $2, $3, true, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (opportunity_id) DO UPDATE SET partner_id = EXCLUDED.partner_id,
            revision = EXCLUDED.revision, live = true, kind = EXCLUDED.kind,
            title = EXCLUDED.title, required_skills = EXCLUDED.required_skills,
            municipality = EXCLUDED.municipality, seats = EXCLUDED.seats,
            start_date = EXCLUDED.start_date, updated_at = now()
        WHERE opportunities.revision < EXCLUDED.revision
        """,
        o["opportunity_id"],
        o["partner_id"],
        o["revision"],
        o["kind"],
        o["title"],
        o["required_skills"],
        o["municipality"],
        o["seats"],
        o["start_date"],
    )
    return status.endswith(" 1")


async def opportunity_owner(conn: Connection, opportunity_id: str) -> str | None:
    owner = await conn.fetchval(
        "SELECT partner_id FROM opportunities WHERE opportunity_id = $1", opportunity_id
    )
    return str(owner) if owner is not None else None


async def withdraw_opportunity(
    conn: Connection, opportunity_id: str, partner_id: str, revision: int
) -> None:
    await conn.execute(
        """
        INSERT INTO opportunities (opportunity_id, partner_id, revision, live)
        VALUES ($1, $2, $3, false)
        ON CONFLICT (opportunity_id) DO UPDATE SET revision = EXCLUDED.revision, live = false,
            updated_at = now()
        WHERE opportunities.revision < EXCLUDED.revision
        """,
        opportunity_id,
        partner_id,
        revision,
    )


async def live_opportunities(conn: Connection, skills: list[str]) -> list[Opportunity]:
    rows = await conn.fetch(
        "SELECT opportunity_id, partner_id, kind, title, required_skills, municipality, seats,"
        " start_date FROM opportunities WHERE live AND seats > 0 AND required_skills && $1::text[]",
        skills,
    )
    return [
        Opportunity(**{**dict(row), "required_skills": frozenset(row["required_skills"])})
        for row in rows
    ]


async def save_profile(conn: Connection, learner_id: str, profile: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO learner_profiles (learner_id, profile) VALUES ($1, $2::jsonb)"
        " ON CONFLICT (learner_id) DO UPDATE SET profile = EXCLUDED.profile, updated_at = now()",
        learner_id,
        json.dumps(profile),
    )


async def get_profile(conn: Connection, learner_id: str) -> dict[str, Any] | None:
    found = await conn.fetchval(
        "SELECT profile::text FROM learner_profiles WHERE learner_id = $1", learner_id
    )
    return json.loads(found) if found is not None else None


async def earned_skills(conn: Connection, learner_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT skill FROM earned_skills e WHERE learner_id = $1"
        + store_credits.COUNTS
        + " ORDER BY skill",
        learner_id,
    )
    return [row["skill"] for row in rows]


async def course_module_skills(
    conn: Connection, course_id: str, module_ids: list[str]
) -> list[str]:
    """Skills the named modules of a course teach, from the stored course."""
    found = await conn.fetchval(
        "SELECT course::text FROM course_supply WHERE course_id = $1", course_id
    )
    if found is None:
        return []
    wanted = set(module_ids)
    modules = json.loads(found)["modules"]
    return sorted({s for m in modules if m["module_id"] in wanted for s in m["skills"]})


async def remember_earned(
    conn: Connection, learner_id: str, skills: list[str], certificate_id: str
) -> None:
    await conn.executemany(
        "INSERT INTO earned_skills (learner_id, skill, certificate_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        [(learner_id, skill, certificate_id) for skill in skills],
    )


async def waitlisted_many(conn: Connection, entries: list[tuple[Any, str, str, Any]]) -> None:
    """(enrolment_id, course_id, learner_id, since) rows; a repeat is ignored."""
    await conn.executemany(
        "INSERT INTO waitlist_entries (enrolment_id, course_id, learner_id, since)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        entries,
    )


async def left_waitlist(conn: Connection, enrolment_id: Any) -> None:
    await conn.execute("DELETE FROM waitlist_entries WHERE enrolment_id = $1", enrolment_id)


async def offer_open(conn: Connection, offer_id: str, kind: str) -> bool:
    """Whether a course (kind `course`) or an opportunity of that kind is live with seats."""
    if kind == "course":
        found = await conn.fetchval(
            "SELECT live AND capacity > 0 FROM course_supply WHERE course_id = $1", offer_id
        )
    else:
        found = await conn.fetchval(
            "SELECT live AND seats > 0 FROM opportunities WHERE opportunity_id = $1 AND kind = $2",
            offer_id,
            kind,
        )
    return bool(found)
