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
SELECT {keys}, count(*) AS courses, sum(capacity) AS seats
FROM c GROUP BY GROUPING SETS ({sets})
"""

# Each learner once per cell: first one row per (cell, learner) for every grouping, then counts.
# Life phases come from the unnested courses; municipality and region totals from the courses
# as they are (an enrolment in a course for two life phases is one enrolment there).
_PEOPLE = """
WITH c AS (
    SELECT course_id, municipality, field, start_date, end_date,
           unnest(CASE WHEN target_groups = '{}' THEN '{unspecified}'::text[]
                       ELSE target_groups END) AS life_phase
    FROM offered_courses WHERE start_date <= $2 AND end_date >= $1),
person AS (
    SELECT CASE WHEN grouping(field) = 1 THEN 3 ELSE 0 END AS level, life_phase,
           municipality, field, learner_id,
           bool_or(status = 'confirmed' OR certificates > 0) AS took_part,
           bool_or(ever_waitlisted) AS waited, bool_or(certificates > 0) AS done,
           count(*) FILTER (WHERE certificates > 0) AS certified
    FROM c JOIN participations p USING (course_id)
    GROUP BY GROUPING SETS ((life_phase, municipality, field, learner_id),
                            (life_phase, learner_id))
    UNION ALL
    SELECT CASE WHEN grouping(municipality) = 1 THEN 7 ELSE 5 END, NULL, municipality, NULL,
           learner_id, bool_or(status = 'confirmed' OR certificates > 0),
           bool_or(ever_waitlisted), bool_or(certificates > 0),
           count(*) FILTER (WHERE certificates > 0)
    FROM offered_courses o JOIN participations p USING (course_id)
    WHERE o.start_date <= $2 AND o.end_date >= $1
    GROUP BY GROUPING SETS ((municipality, learner_id), (learner_id)))
SELECT level, life_phase, CASE WHEN level IN (3, 7) THEN NULL ELSE municipality END
           AS municipality, field,
       count(*) FILTER (WHERE took_part) AS participants,
       count(*) FILTER (WHERE waited) AS waitlisted,
       count(*) FILTER (WHERE done) AS completions, sum(certified) AS certificates
FROM person GROUP BY 1, 2, 3, 4
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
    courses = _COURSES.replace("{keys}", _KEYS).replace("{sets}", _SETS)
    for query in (courses, _PEOPLE):
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


async def region(conn: Connection, start: date, end: date) -> dict[str, Any]:
    """The region's totals alone (for the trend against earlier periods): one pass each."""
    offer = await conn.fetchrow(
        "SELECT count(*) AS courses, coalesce(sum(capacity), 0) AS seats FROM offered_courses"
        " WHERE start_date <= $2 AND end_date >= $1",
        start, end,
    )  # fmt: skip
    people = await conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE took_part) AS participants,
               count(*) FILTER (WHERE waited) AS waitlisted,
               count(*) FILTER (WHERE done) AS completions, sum(certified) AS certificates
        FROM (SELECT learner_id, bool_or(status = 'confirmed' OR certificates > 0) AS took_part,
                     bool_or(ever_waitlisted) AS waited, bool_or(certificates > 0) AS done,
                     count(*) FILTER (WHERE certificates > 0) AS certified
              FROM offered_courses c JOIN participations p USING (course_id)
              WHERE c.start_date <= $2 AND c.end_date >= $1 GROUP BY learner_id) AS person
        """,
        start, end,
    )  # fmt: skip
    assert offer is not None
    assert people is not None
    return {"level": 7, "life_phase": None, "municipality": None, "field": None,
            **{k: int(v or 0) for k, v in {**dict(offer), **dict(people)}.items()}}  # fmt: skip
