"""Matching's SQL for counselling: course details, opportunities, profiles, earned skills."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from services.matching.counselling import CourseOffer, ModuleOffer
from services.matching.opportunities import Opportunity
from zll.platform.db import Connection


async def remember_course(conn: Connection, course_id: str, course: dict[str, Any]) -> None:
    """Keep the published course beside its supply row (the revision rule already ran)."""
    await conn.execute(
        "UPDATE course_supply SET course = $2::jsonb, start_date = $3 WHERE course_id = $1"
        " AND revision = $4",
        course_id,
        json.dumps(course),
        date.fromisoformat(course["start_date"]),
        course["revision"],
    )


async def live_courses_teaching(
    conn: Connection, skills: list[str], starting_from: date
) -> list[CourseOffer]:
    rows = await conn.fetch(
        "SELECT course::text AS course FROM course_supply WHERE live AND skills && $1::text[]"
        " AND course IS NOT NULL AND start_date >= $2",
        skills,
        starting_from,
    )
    return [course_offer(json.loads(row["course"])) for row in rows]


def course_offer(c: dict[str, Any]) -> CourseOffer:
    """A course as the catalog published it (JSON), as counselling sees it."""
    location = c.get("location") or {}
    return CourseOffer(
        course_id=c["course_id"],
        provider_id=c["provider_id"],
        title=c["title"],
        format=c["format"],
        municipality=location.get("municipality"),
        lat=location.get("lat"),
        lon=location.get("lon"),
        start_date=date.fromisoformat(c["start_date"]),
        end_date=date.fromisoformat(c["end_date"]),
        schedule=c.get("schedule"),
        capacity=int(c["capacity"]),
        price_eur=float(c["price_eur"]),
        funding=frozenset(c.get("funding") or ()),
        target_groups=frozenset(c.get("target_groups") or ()),
        language=c.get("language") or "de",
        modules=tuple(
            ModuleOffer(
                m["module_id"],
                m["title"],
                float(m["workload_hours"]),
                int(m["eqf_level"]),
                frozenset(m["skills"]),
            )
            for m in c["modules"]
        ),
    )


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
        "SELECT DISTINCT skill FROM earned_skills WHERE learner_id = $1 ORDER BY skill",
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
