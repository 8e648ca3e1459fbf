"""Matching's SQL for regional demand: reports, waitlists, unplaced applicants, supply, gaps."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from zll.platform.db import Connection


def _in_town(column: str, param: str = "$2") -> str:
    # The municipality parameter; NULL means the whole region.
    return f"({param}::text IS NULL OR lower({column}) = lower({param}))"


async def insert_report(conn: Connection, r: dict[str, Any], reported_at: datetime) -> bool:
    status = await conn.execute(
        "INSERT INTO demand_reports (report_id, partner_id, skill, occupation, headcount, horizon,"
        " municipality, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (report_id) DO NOTHING",
        r["report_id"],
        r["partner_id"],
        r["skill"],
        r["occupation"],
        r["headcount"],
        r["horizon"],
        r["municipality"],
        reported_at,
    )
    return status.endswith(" 1")


async def reported(
    conn: Connection, horizons: list[str], municipality: str | None, keys: list[str] | None
) -> dict[tuple[str, str], int]:
    """(key, kind) -> headcount reported."""
    rows = await conn.fetch(
        "SELECT coalesce(skill, occupation) AS key,"
        " CASE WHEN skill IS NULL THEN 'occupation' ELSE 'skill' END AS kind,"
        " sum(headcount) AS n FROM demand_reports WHERE horizon = ANY($1) AND "
        + _in_town("municipality")
        + " AND ($3::text[] IS NULL OR coalesce(skill, occupation) = ANY($3)) GROUP BY 1, 2",
        horizons,
        municipality,
        keys,
    )
    return {(row["key"], row["kind"]): int(row["n"]) for row in rows}


async def waitlisted(
    conn: Connection, municipality: str | None, keys: list[str] | None
) -> dict[str, int]:
    """skill -> learners waiting for a seat in a live course teaching it."""
    rows = await conn.fetch(
        "SELECT s AS key, count(DISTINCT w.learner_id) AS n FROM waitlist_entries w"
        " JOIN course_supply c USING (course_id), unnest(c.skills) AS s WHERE c.live AND "
        + _in_town("c.municipality", "$1")
        + " AND ($2::text[] IS NULL OR s = ANY($2)) GROUP BY 1",
        municipality,
        keys,
    )
    return {row["key"]: int(row["n"]) for row in rows}


async def unplaced(
    conn: Connection, since: datetime, municipality: str | None, keys: list[str] | None
) -> dict[str, int]:
    """skill -> learners a recent round left without a place in a course teaching it."""
    rows = await conn.fetch(
        "SELECT s AS key, count(DISTINCT u.learner_id) AS n FROM round_unplaced u"
        " JOIN rounds r USING (round_id) JOIN course_supply c ON c.course_id = ANY(u.ranking),"
        " unnest(c.skills) AS s WHERE r.created_at >= $1 AND "
        + _in_town("c.municipality")
        + " AND ($3::text[] IS NULL OR s = ANY($3)) GROUP BY 1",
        since,
        municipality,
        keys,
    )
    return {row["key"]: int(row["n"]) for row in rows}


async def supply(
    conn: Connection, skills: list[str], municipality: str | None, today: date, until: date | None
) -> dict[str, int]:
    """skill -> seats in live courses teaching it that start in the window (online: anywhere)."""
    rows = await conn.fetch(
        "SELECT s AS key, sum(c.capacity) AS n FROM course_supply c, unnest(c.skills) AS s"
        " WHERE c.live AND s = ANY($1) AND c.start_date >= $3"
        " AND ($4::date IS NULL OR c.start_date <= $4)"
        " AND ($2::text IS NULL OR lower(c.municipality) = lower($2)"
        "      OR c.course->>'format' = 'online') GROUP BY 1",
        skills,
        municipality,
        today,
        until,
    )
    return {row["key"]: int(row["n"]) for row in rows}


async def seats_teaching_any(
    conn: Connection, skills: list[str], municipality: str | None, today: date, until: date | None
) -> int:
    total = await conn.fetchval(
        "SELECT coalesce(sum(c.capacity), 0) FROM course_supply c"
        " WHERE c.live AND c.skills && $1::text[] AND c.start_date >= $3"
        " AND ($4::date IS NULL OR c.start_date <= $4)"
        " AND ($2::text IS NULL OR lower(c.municipality) = lower($2)"
        "      OR c.course->>'format' = 'online')",
        skills,
        municipality,
        today,
        until,
    )
    return int(total)


async def monthly_reports(
    conn: Connection, horizons: list[str], municipality: str | None, keys: list[str], months: int
) -> dict[str, list[int]]:
    """key -> headcount reported per calendar month, oldest first, the current month last."""
    rows = await conn.fetch(
        "SELECT coalesce(skill, occupation) AS key,"
        " (extract(year FROM age(date_trunc('month', now()), date_trunc('month', reported_at)))"
        "  * 12 + extract(month FROM age(date_trunc('month', now()),"
        "  date_trunc('month', reported_at))))::int AS ago,"
        " sum(headcount) AS n FROM demand_reports WHERE horizon = ANY($1) AND "
        + _in_town("municipality")
        + " AND coalesce(skill, occupation) = ANY($3)"
        " AND reported_at >= date_trunc('month', now()) - make_interval(months => $4 - 1)"
        " GROUP BY 1, 2",
        horizons,
        municipality,
        keys,
        months,
    )
    series: dict[str, list[int]] = defaultdict(lambda: [0] * months)
    for row in rows:
        if 0 <= row["ago"] < months:
            series[row["key"]][months - 1 - row["ago"]] = int(row["n"])
    return dict(series)


async def gap_was_above(conn: Connection, municipality: str, horizon: str, key: str) -> bool:
    """Whether this gap was at or above the threshold; locks the row against a racing check."""
    await conn.execute(
        "INSERT INTO demand_gaps (municipality, horizon, key, above, gap)"
        " VALUES ($1, $2, $3, false, 0) ON CONFLICT DO NOTHING",
        municipality,
        horizon,
        key,
    )
    return bool(
        await conn.fetchval(
            "SELECT above FROM demand_gaps WHERE municipality = $1 AND horizon = $2 AND key = $3"
            " FOR UPDATE",
            municipality,
            horizon,
            key,
        )
    )


async def set_gap(
    conn: Connection, municipality: str, horizon: str, key: str, above: bool, gap: int
) -> None:
    await conn.execute(
        "UPDATE demand_gaps SET above = $4, gap = $5, changed_at = now()"
        " WHERE municipality = $1 AND horizon = $2 AND key = $3",
        municipality,
        horizon,
        key,
        above,
        gap,
    )


async def course_place(conn: Connection, course_id: str) -> tuple[str | None, list[str]]:
    row = await conn.fetchrow(
        "SELECT municipality, skills FROM course_supply WHERE course_id = $1", course_id
    )
    return (row["municipality"], list(row["skills"])) if row else (None, [])
