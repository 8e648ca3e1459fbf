"""The report's SQL: one pass per grouping over the cooperative's own tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from zll.platform.db import Connection

# Courses running in the period, once per life phase (a course for two phases counts in both).
_COURSES = """
WITH c AS (
    SELECT course_id, municipality, field, capacity,
           unnest(CASE WHEN target_groups = '{}' THEN '{unspecified}'::text[]
                       ELSE target_groups END) AS life_phase
    FROM offered_courses WHERE start_date <= $2 AND end_date >= $1)
SELECT {keys}, count(DISTINCT course_id) AS courses, sum(capacity) AS seats
FROM c GROUP BY GROUPING SETS ({sets})
"""

_PEOPLE = """
WITH c AS (
    SELECT course_id, municipality, field,
           unnest(CASE WHEN target_groups = '{}' THEN '{unspecified}'::text[]
                       ELSE target_groups END) AS life_phase
    FROM offered_courses WHERE start_date <= $2 AND end_date >= $1)
SELECT {keys},
    count(DISTINCT p.learner_id) FILTER (WHERE p.status = 'confirmed' OR p.certificates > 0)
        AS participants,
    count(DISTINCT p.learner_id) FILTER (WHERE p.ever_waitlisted) AS waitlisted,
    count(DISTINCT p.learner_id) FILTER (WHERE p.certificates > 0) AS completions,
    count(DISTINCT p.enrolment_id) FILTER (WHERE p.certificates > 0) AS certificates
FROM c JOIN participations p USING (course_id) GROUP BY GROUPING SETS ({sets})
"""

_SETS = "(life_phase, municipality, field), (life_phase), (municipality), ()"
_KEYS = (
    "CASE WHEN grouping(life_phase) = 1 THEN NULL ELSE life_phase END AS life_phase,"
    " CASE WHEN grouping(municipality) = 1 THEN NULL ELSE municipality END AS municipality,"
    " CASE WHEN grouping(field) = 1 THEN NULL ELSE field END AS field,"
    " grouping(life_phase, municipality, field) AS level"
)


async def cells(conn: Connection, start: date, end: date) -> list[dict[str, Any]]:
    """Per (life phase, municipality, field) and the totals by life phase, by municipality
    and overall (`level` 0, 3, 5, 7): courses and seats merged with learner counts.

    Totals by municipality and overall count each course once, not once per life phase."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sql in (_COURSES, _PEOPLE):
        query = sql.replace("{keys}", _KEYS).replace("{sets}", _SETS)
        for row in await conn.fetch(query, start, end):
            key = (row["level"], row["life_phase"], row["municipality"], row["field"])
            found.setdefault(key, {"courses": 0, "seats": 0, "participants": 0, "waitlisted": 0,
                                   "completions": 0, "certificates": 0}).update(
                {k: int(v or 0) for k, v in dict(row).items()
                 if k not in ("life_phase", "municipality", "field", "level")})  # fmt: skip
    if found:
        await _course_once(conn, start, end, found)
    return [
        {"level": k[0], "life_phase": k[1], "municipality": k[2], "field": k[3], **v}
        for k, v in sorted(found.items(), key=lambda kv: tuple(str(x) for x in kv[0]))
    ]


async def _course_once(conn: Connection, start: date, end: date,
                       found: dict[tuple[Any, ...], dict[str, Any]]) -> None:  # fmt: skip
    rows = await conn.fetch(
        "SELECT CASE WHEN grouping(municipality) = 1 THEN NULL ELSE municipality END AS m,"
        " count(*) AS courses, sum(capacity) AS seats FROM offered_courses"
        " WHERE start_date <= $2 AND end_date >= $1 GROUP BY GROUPING SETS ((municipality), ())",
        start, end,
    )  # fmt: skip
    for row in rows:
        level = 7 if row["m"] is None else 5
        entry = found.get((level, None, row["m"], None))
        if entry is not None:
            entry.update(courses=int(row["courses"]), seats=int(row["seats"] or 0))


async def gaps(conn: Connection, end: date) -> list[dict[str, Any]]:
    """Gaps detected up to `end`; `closed_at` is when courses first published after the gap
    (same place or online, same skill) had added seats enough to cover it."""
    rows = await conn.fetch(
        """
        SELECT g.gap_id, g.municipality, g.skill, g.gap, g.detected_at, g.call_id,
          (SELECT min(t.first_seen_at) FROM (
              SELECT c.first_seen_at,
                     sum(c.capacity) OVER (ORDER BY c.first_seen_at, c.course_id) AS seats
              FROM offered_courses c
              WHERE g.skill IS NOT NULL AND c.skills @> ARRAY[g.skill]
                AND c.municipality IN (g.municipality, 'online')
                AND c.first_seen_at > g.detected_at) t
           WHERE t.seats >= g.gap) AS closed_at
        FROM gaps g WHERE g.detected_at::date <= $1 ORDER BY g.detected_at
        """,
        end,
    )
    return [dict(r) for r in rows]
