"""The seat ledger's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class KnownCourse:
    course_id: str
    provider_id: str
    revision: int
    status: str
    capacity: int
    start_date: date
    end_date: date


async def remember_course(conn: Connection, course: KnownCourse) -> None:
    """Keep the newest revision the catalog published; an older one changes nothing."""
    await conn.execute(
        """
        INSERT INTO courses
            (course_id, provider_id, revision, status, capacity, start_date, end_date)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (course_id) DO UPDATE SET
            revision = EXCLUDED.revision, status = EXCLUDED.status, capacity = EXCLUDED.capacity,
            start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, updated_at = now()
        WHERE courses.revision < EXCLUDED.revision
        """,
        course.course_id,
        course.provider_id,
        course.revision,
        course.status,
        course.capacity,
        course.start_date,
        course.end_date,
    )


async def get_course(conn: Connection, course_id: str) -> KnownCourse | None:
    row = await conn.fetchrow(
        "SELECT course_id, provider_id, revision, status, capacity, start_date, end_date"
        " FROM courses WHERE course_id = $1",
        course_id,
    )
    return KnownCourse(**dict(row)) if row else None
