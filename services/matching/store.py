"""Matching's SQL."""

from __future__ import annotations

from zll.platform.db import Connection


async def remember_supply(
    conn: Connection,
    *,
    course_id: str,
    revision: int,
    live: bool,
    municipality: str | None,
    capacity: int,
    skills: list[str],
) -> None:
    await conn.execute(
        """
        INSERT INTO course_supply (course_id, revision, live, municipality, capacity, skills)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (course_id) DO UPDATE SET revision = EXCLUDED.revision, live = EXCLUDED.live,
            municipality = EXCLUDED.municipality, capacity = EXCLUDED.capacity,
            skills = EXCLUDED.skills, updated_at = now()
        WHERE course_supply.revision < EXCLUDED.revision
        """,
        course_id,
        revision,
        live,
        municipality,
        capacity,
        skills,
    )


async def live_seats_teaching(conn: Connection, skill: str) -> int:
    total = await conn.fetchval(
        "SELECT coalesce(sum(capacity), 0) FROM course_supply WHERE live AND $1 = ANY(skills)",
        skill,
    )
    return int(total)
