"""The SQL of timed offers: holding seats with deadlines, ending offers, finding those due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from services.enrolment.domain import Ledger
from services.enrolment.store import KnownCourse
from zll.platform.db import Connection


async def make_offers(conn: Connection, enrolment_ids: Sequence[str], deadline: datetime) -> None:
    """Waitlisted enrolments get a seat held for them until `deadline`."""
    await conn.execute(
        "UPDATE enrolments SET status = 'offered', offer_expires_at = $2, updated_at = now()"
        " WHERE enrolment_id = ANY($1::uuid[]) AND status = 'waitlisted'",
        [UUID(i) for i in enrolment_ids],
        deadline,
    )


async def end_offers(
    conn: Connection, enrolment_ids: Sequence[UUID], status: str, at: datetime
) -> None:
    """Open offers end as `declined` or `expired` at `at`; the time stays on record."""
    await conn.execute(
        "UPDATE enrolments SET status = $2, offer_ended_at = $3, updated_at = now()"
        " WHERE enrolment_id = ANY($1::uuid[]) AND status = 'offered'",
        list(enrolment_ids),
        status,
        at,
    )


async def lock_courses_with_offers_due(conn: Connection, now: datetime, limit: int) -> list[str]:
    """Lock up to `limit` courses with an offer past its deadline that nobody else holds now.

    Another instance sweeping the same deadlines, or a request deciding a seat there, has
    the row: SKIP LOCKED takes the next course instead of waiting, so two sweeps share the
    work and each expiry is done by one of them.
    """
    rows = await conn.fetch(
        "SELECT course_id FROM courses WHERE course_id IN ("
        "   SELECT course_id FROM enrolments"
        "    WHERE status = 'offered' AND offer_expires_at <= $1)"
        " ORDER BY course_id LIMIT $2 FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [r["course_id"] for r in rows]


async def offers_due(
    conn: Connection, course_ids: Sequence[str], now: datetime
) -> list[tuple[UUID, str, str, datetime]]:
    """Offers past their deadline in locked courses: (enrolment, course, learner, deadline),
    read under the lock, so one another sweep already ended is not ended twice."""
    rows = await conn.fetch(
        "SELECT enrolment_id, course_id, learner_id, offer_expires_at FROM enrolments"
        " WHERE course_id = ANY($1::text[]) AND status = 'offered' AND offer_expires_at <= $2"
        " ORDER BY offer_expires_at, seq",
        list(course_ids),
        now,
    )
    return [
        (r["enrolment_id"], r["course_id"], r["learner_id"], r["offer_expires_at"]) for r in rows
    ]


async def load_ledgers(
    conn: Connection, courses: dict[str, KnownCourse], today: date
) -> dict[str, Ledger]:
    """The ledgers of several locked courses with their whole waitlists, in one query."""
    ledgers = {
        course_id: Ledger(
            course.facts(), course_id, today, confirmed=course.confirmed, held=course.offered
        )
        for course_id, course in courses.items()
    }
    waiting = await conn.fetch(
        "SELECT course_id, enrolment_id FROM enrolments"
        " WHERE course_id = ANY($1::text[]) AND status = 'waitlisted' ORDER BY course_id, seq",
        list(courses),
    )
    for row in waiting:
        ledgers[row["course_id"]].waitlist.append(str(row["enrolment_id"]))
    return ledgers
