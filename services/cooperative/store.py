"""The cooperative's SQL for what it learns from events: offers, participations, gaps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zll_contracts.payloads.courses import CourseFormat, CourseState

from services.cooperative.domain.fields import course_field
from zll.platform.db import Connection
from zll.platform.esco.vocabulary import vocabulary

ONLINE = "online"

_UPSERT_COURSE = """
INSERT INTO offered_courses (course_id, provider_id, revision, live, title, municipality, skills,
    field, target_groups, capacity, start_date, end_date, project_id)
SELECT c, p, r, l, t, m, s::text[], f, g::text[], n, a, b, j
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::text[],
    $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::date[], $12::date[],
    $13::text[]) AS x(c, p, r, l, t, m, s, f, g, n, a, b, j)
ON CONFLICT (course_id) DO UPDATE SET revision = EXCLUDED.revision, live = EXCLUDED.live,
    title = EXCLUDED.title, municipality = EXCLUDED.municipality, skills = EXCLUDED.skills,
    field = EXCLUDED.field, target_groups = EXCLUDED.target_groups,
    capacity = EXCLUDED.capacity, start_date = EXCLUDED.start_date,
    end_date = EXCLUDED.end_date, project_id = EXCLUDED.project_id
WHERE offered_courses.revision <= EXCLUDED.revision
"""


def _place(course: CourseState) -> str:
    if course.format == CourseFormat.ONLINE or course.location is None:
        return ONLINE
    return course.location.municipality


def _skills(course: CourseState) -> list[str]:
    return list(dict.fromkeys(s for module in course.modules for s in module.skills))


async def save_courses(conn: Connection, courses: Sequence[tuple[CourseState, bool]]) -> None:
    """The latest state of each course (live or withdrawn); older revisions change nothing."""
    latest: dict[str, tuple[CourseState, bool]] = {}
    for course, live in courses:
        seen = latest.get(course.course_id)
        if seen is None or seen[0].revision <= course.revision:  # a stale one in a run too
            latest[course.course_id] = (course, live)
    rows = list(latest.values())
    # Arrays of arrays cannot go through unnest, so skills and groups travel as '{…}' text.
    await conn.execute(
        _UPSERT_COURSE,
        [c.course_id for c, _ in rows],
        [c.provider_id for c, _ in rows],
        [c.revision for c, _ in rows],
        [live for _, live in rows],
        [c.title for c, _ in rows],
        [_place(c) for c, _ in rows],
        [_array(_skills(c)) for c, _ in rows],
        [field(_skills(c)) for c, _ in rows],
        [_array([str(g) for g in c.target_groups]) for c, _ in rows],
        [c.capacity for c, _ in rows],
        [c.start_date for c, _ in rows],
        [c.end_date for c, _ in rows],
        [c.project_id for c, _ in rows],
    )


def _label(uri: str) -> str | None:
    term = vocabulary().terms.get(uri)
    return term.label if term else None


def field(skills: Sequence[str]) -> str:
    """The course's field for the report: its ESCO skill group (see `domain.fields`)."""
    return course_field(skills, _label)


# Courses stored before fields were skill groups kept their first skill (a URI) or '-'.
_OLD_FIELD = "(field LIKE 'http%' OR field = '-')"


async def regroup_old_fields(conn: Connection) -> int:
    """Gives courses stored with their first skill as field their skill group; the report
    calls it first, and after the first time it finds nothing (a partial index answers)."""
    rows = await conn.fetch(f"SELECT course_id, skills FROM offered_courses WHERE {_OLD_FIELD}")
    if rows:
        await conn.execute(
            "UPDATE offered_courses o SET field = x.f FROM unnest($1::text[], $2::text[])"
            " AS x(c, f) WHERE o.course_id = x.c",
            [r["course_id"] for r in rows], [field(r["skills"]) for r in rows],
        )  # fmt: skip
    return len(rows)


def _array(values: Sequence[str]) -> str:
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


_PARTICIPATION = """
INSERT INTO participations (enrolment_id, course_id, learner_id, status, ever_waitlisted,
    certificates, certified_at, occurred_at)
SELECT e, c, l, s, w, n, t, o
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::int[],
    $7::timestamptz[], $8::timestamptz[]) AS x(e, c, l, s, w, n, t, o)
ON CONFLICT (enrolment_id) DO UPDATE SET
    status = CASE WHEN EXCLUDED.status = 'certified' THEN participations.status
                  ELSE EXCLUDED.status END,
    ever_waitlisted = participations.ever_waitlisted OR EXCLUDED.ever_waitlisted,
    certificates = participations.certificates + EXCLUDED.certificates,
    certified_at = coalesce(EXCLUDED.certified_at, participations.certified_at),
    occurred_at = EXCLUDED.occurred_at
"""


async def record_participations(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """(enrolment_id, course_id, learner_id, status, waitlisted, certificates, certified_at,
    occurred_at) in event order; a certificate keeps the enrolment's status."""
    for row in rows:  # one statement per event keeps the order of events on one enrolment
        await conn.execute(_PARTICIPATION, *[[value] for value in row])


async def erase_learner(conn: Connection, learner_id: str) -> None:
    """Counts stay (the report is of aggregates), the person is gone: each enrolment gets a
    pseudonym of its own."""
    await conn.execute(
        "UPDATE participations SET learner_id = 'erased:' || enrolment_id::text"
        " WHERE learner_id = $1",
        learner_id,
    )


async def save_gap(conn: Connection, gap: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO gaps (municipality, skill, occupation, horizon, demand, supply, gap,"
        " detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        gap["municipality"], gap["skill"], gap["occupation"], gap["horizon"], gap["demand"],
        gap["supply"], gap["gap"], gap["detected_at"],
    )  # fmt: skip


async def course_count(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM offered_courses"))
