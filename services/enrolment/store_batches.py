"""The seat ledger's set-based SQL: whole runs of requests and courses in one statement each,
for the batch consumer and the HTTP door's group commit (services/enrolment/group_commit.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from services.enrolment.domain import Ledger
from services.enrolment.store import KnownCourse
from zll.platform.db import Connection


async def ledgers_for_requests(
    conn: Connection,
    courses: dict[str, KnownCourse],
    learners_by_course: dict[str, list[str]],
    today: date,
) -> dict[str, Ledger]:
    """The ledgers a run of new requests is decided on, in one query however many courses it
    spans (`load_ledger(..., whole_waitlist=False)` for each, without a round trip each);
    call with the courses' rows locked."""
    ledgers = {}
    for course_id in learners_by_course:
        course = courses.get(course_id)
        ledger = Ledger(course.facts() if course else None, course_id, today)
        if course is not None:
            ledger.confirmed = course.confirmed
            ledger.held = course.offered  # seats held by open offers are taken for newcomers
            ledger.unloaded_waiting = course.waitlisted
        ledgers[course_id] = ledger
    pairs = [(c, learner) for c, ls in learners_by_course.items() if c in courses for learner in ls]
    if pairs:
        enrolled = await conn.fetch(
            "SELECT e.course_id, e.learner_id FROM enrolments e"
            " JOIN unnest($1::text[], $2::text[]) AS w(course_id, learner_id)"
            "   ON e.course_id = w.course_id AND e.learner_id = w.learner_id"
            " WHERE e.status IN ('confirmed', 'waitlisted', 'offered')",
            [c for c, _ in pairs],
            [learner for _, learner in pairs],
        )
        for row in enrolled:
            ledgers[row["course_id"]].enrolled_learners.add(row["learner_id"])
    return ledgers


async def remember_courses(conn: Connection, courses: Sequence[KnownCourse]) -> list[str]:
    """Keep the newest revision of each course, as `store.remember_course` does one by one;
    returns the courses the ledger knew before and that changed now (their seats may move).

    Rows are written in course_id order, the order seat decisions lock them in."""
    newest: dict[str, KnownCourse] = {}
    for course in courses:
        if course.course_id not in newest or newest[course.course_id].revision < course.revision:
            newest[course.course_id] = course
    run = [newest[c] for c in sorted(newest)]
    if not run:
        return []
    rows = await conn.fetch(
        """
        INSERT INTO courses (course_id, provider_id, revision, status, capacity, start_date,
                             end_date, title, modules, offer_hours, price_eur)
        SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[],
                             $6::date[], $7::date[], $8::text[], $9::jsonb[], $10::int[],
                             $11::float8[])
        ON CONFLICT (course_id) DO UPDATE SET
            revision = EXCLUDED.revision, status = EXCLUDED.status, capacity = EXCLUDED.capacity,
            start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
            title = EXCLUDED.title, modules = EXCLUDED.modules,
            offer_hours = EXCLUDED.offer_hours, price_eur = EXCLUDED.price_eur,
            updated_at = now()
        WHERE courses.revision < EXCLUDED.revision
        RETURNING course_id, xmax <> 0 AS known_before
        """,
        [c.course_id for c in run],
        [c.provider_id for c in run],
        [c.revision for c in run],
        [c.status for c in run],
        [c.capacity for c in run],
        [c.start_date for c in run],
        [c.end_date for c in run],
        [c.title for c in run],
        [json.dumps(list(c.modules)) for c in run],
        [c.offer_hours for c in run],
        [c.price_eur for c in run],
    )
    return sorted(r["course_id"] for r in rows if r["known_before"])
