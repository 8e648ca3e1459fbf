"""The cooperative's SQL for members, calls, projects and what members offered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.cooperative.domain.consortium import Offer
from zll.platform.db import Connection


async def upsert_member(conn: Connection, provider_id: str, name: str, kind: str,
                        municipality: str | None) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO members (provider_id, name, kind, municipality) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (provider_id) DO UPDATE SET name = $2, kind = $3, municipality = $4,"
        " updated_at = now()",
        provider_id, name, kind, municipality,
    )  # fmt: skip


async def members(conn: Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM members ORDER BY provider_id"))


async def kinds(conn: Connection) -> dict[str, str]:
    return {r["provider_id"]: r["kind"] for r in await members(conn)}


async def offers(conn: Connection, skills: Sequence[str], towns: Sequence[str]) -> list[Offer]:
    """What each provider offered of the skills in the towns (or online), per skill and place."""
    rows = await conn.fetch(
        "SELECT provider_id, s AS skill, municipality, target_groups, capacity"
        " FROM offered_courses, unnest(skills) AS s"
        " WHERE skills && $1::text[] AND s = ANY($1::text[])"
        " AND (municipality = ANY($2::text[]) OR municipality = 'online')",
        list(skills), list(towns),
    )  # fmt: skip
    grouped: dict[tuple[str, str, str], list[Any]] = {}
    for r in rows:
        key = (r["provider_id"], r["skill"], r["municipality"])
        entry = grouped.setdefault(key, [set(), 0, 0])
        entry[0].update(r["target_groups"])
        entry[1] += 1
        entry[2] += r["capacity"]
    return [Offer(p, s, m, frozenset(g), n, seats) for (p, s, m), (g, n, seats) in grouped.items()]


async def gaps(conn: Connection, limit: int = 500) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM gaps ORDER BY detected_at DESC LIMIT $1", limit))


async def gap(conn: Connection, gap_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM gaps WHERE gap_id = $1 FOR UPDATE", gap_id)


async def save_call(conn: Connection, call: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO calls (call_id, title, skills, municipalities, target_groups, starts_on,"
        " ends_on, budget_eur, min_members, chamber_required, gap_id, opened_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        call["call_id"], call["title"], call["skills"], call["municipalities"],
        call["target_groups"], call["starts_on"], call["ends_on"], call["budget_eur"],
        call["min_members"], call["chamber_required"], call["gap_id"], call["opened_by"],
    )  # fmt: skip
    if call["gap_id"] is not None:
        await conn.execute(
            "UPDATE gaps SET call_id = $1 WHERE gap_id = $2", call["call_id"], call["gap_id"]
        )


async def call(conn: Connection, call_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM calls WHERE call_id = $1", call_id)


async def create_project(conn: Connection, project_id: str, call_id: str, title: str) -> None:
    await conn.execute(
        "INSERT INTO projects (project_id, call_id, title, state) VALUES ($1, $2, $3, 'idea')",
        project_id, call_id, title,
    )  # fmt: skip


async def project(
    conn: Connection, project_id: str, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow("SELECT * FROM projects WHERE project_id = $1" + suffix, project_id)


async def invite(conn: Connection, project_id: str, provider_id: str,
                 parts: list[dict[str, Any]], reasons: list[str]) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO project_members (project_id, provider_id, status, parts, reasons)"
        " VALUES ($1, $2, 'invited', $3::jsonb, $4::jsonb) ON CONFLICT DO NOTHING",
        project_id, provider_id, json.dumps(parts), json.dumps(reasons),
    )  # fmt: skip


async def project_members(conn: Connection, project_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM project_members WHERE project_id = $1 ORDER BY provider_id", project_id
    ))  # fmt: skip


async def answer(conn: Connection, project_id: str, provider_id: str, status: str,
                 parts: list[dict[str, Any]] | None, at: datetime) -> None:  # fmt: skip
    await conn.execute(
        "UPDATE project_members SET status = $3, answered_at = $5,"
        " parts = coalesce($4::jsonb, parts) WHERE project_id = $1 AND provider_id = $2",
        project_id, provider_id, status, None if parts is None else json.dumps(parts), at,
    )  # fmt: skip


async def change_state(conn: Connection, project_id: str, from_state: str | None, to: str,
                       by: str, at: datetime) -> None:  # fmt: skip
    await conn.execute("UPDATE projects SET state = $2 WHERE project_id = $1", project_id, to)
    await conn.execute(
        "INSERT INTO project_history (project_id, from_state, to_state, changed_by, changed_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        project_id, from_state, to, by, at,
    )  # fmt: skip


async def history(conn: Connection, project_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM project_history WHERE project_id = $1 ORDER BY changed_at", project_id
    ))  # fmt: skip


async def outcome(conn: Connection, project_ids: Sequence[str]) -> list[asyncpg.Record]:
    """Per project, member and municipality: courses, seats, participants, completions,
    certificates, counted from the courses linked to the project and their enrolments."""
    return list(await conn.fetch(
        """
        WITH c AS (SELECT course_id, project_id, provider_id, municipality, capacity
                   FROM offered_courses WHERE project_id = ANY($1::text[])),
        p AS (SELECT c.course_id,
                     count(DISTINCT x.learner_id)
                        FILTER (WHERE x.status = 'confirmed' OR x.certificates > 0) AS participants,
                     count(DISTINCT x.learner_id) FILTER (WHERE x.certificates > 0) AS completions,
                     coalesce(sum(x.certificates), 0) AS certificates
              FROM c JOIN participations x USING (course_id) GROUP BY c.course_id)
        SELECT c.project_id, c.provider_id, c.municipality, count(*) AS courses,
               sum(c.capacity) AS seats, coalesce(sum(p.participants), 0) AS participants,
               coalesce(sum(p.completions), 0) AS completions,
               coalesce(sum(p.certificates), 0) AS certificates
        FROM c LEFT JOIN p USING (course_id)
        GROUP BY c.project_id, c.provider_id, c.municipality
        ORDER BY c.project_id, c.provider_id, c.municipality
        """,
        list(project_ids),
    ))  # fmt: skip


async def projects(conn: Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM projects ORDER BY created_at"))
