"""The catalogue's SQL: providers and courses, in the open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from zll_contracts.payloads import CoursePublished

from zll.platform.db import Connection

# Title weighs most; description and module titles next. unaccent folds ß and umlauts so
# that `schweissen` finds `Schweißen`; the German stemmer joins Pflegekraft and Pflegekräfte.
_UPSERT_COURSE = """
INSERT INTO courses (course_id, provider_id, revision, status, title, format, municipality,
                     start_date, end_date, price_eur, funding, target_groups, skills, eqf_levels,
                     search, document, updated_at)
VALUES ($1, $2, $3, 'live', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
        setweight(to_tsvector('german', unaccent($4)), 'A')
        || setweight(to_tsvector('german', unaccent(coalesce($14, ''))), 'B')
        || setweight(to_tsvector('german', unaccent($15)), 'B'),
        $16::jsonb, now())
ON CONFLICT (course_id) DO UPDATE SET
    revision = EXCLUDED.revision, status = 'live', title = EXCLUDED.title,
    format = EXCLUDED.format, municipality = EXCLUDED.municipality,
    start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
    price_eur = EXCLUDED.price_eur, funding = EXCLUDED.funding,
    target_groups = EXCLUDED.target_groups, skills = EXCLUDED.skills,
    eqf_levels = EXCLUDED.eqf_levels, search = EXCLUDED.search,
    document = EXCLUDED.document, updated_at = now()
"""


@dataclass(frozen=True, slots=True)
class Provider:
    provider_id: str
    name: str
    kind: str
    municipality: str
    live_courses: int = 0


@dataclass(frozen=True, slots=True)
class CourseFilter:
    q: str | None = None
    municipality: str | None = None
    format: str | None = None
    provider_id: str | None = None
    starts_after: date | None = None


async def upsert_provider(conn: Connection, provider: Provider) -> bool:
    """Register or update a provider; True when it is new."""
    inserted = await conn.fetchval(
        """
        INSERT INTO providers (provider_id, name, kind, municipality) VALUES ($1, $2, $3, $4)
        ON CONFLICT (provider_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
            municipality = EXCLUDED.municipality, updated_at = now()
        RETURNING (xmax = 0)
        """,
        provider.provider_id,
        provider.name,
        provider.kind,
        provider.municipality,
    )
    return bool(inserted)


_PROVIDER_COLUMNS = """
    p.provider_id, p.name, p.kind, p.municipality,
    (SELECT count(*) FROM courses c WHERE c.provider_id = p.provider_id AND c.status = 'live')
        AS live_courses
"""


async def get_provider(conn: Connection, provider_id: str) -> Provider | None:
    row = await conn.fetchrow(
        f"SELECT {_PROVIDER_COLUMNS} FROM providers p WHERE p.provider_id = $1", provider_id
    )
    return Provider(**dict(row)) if row else None


async def list_providers(conn: Connection) -> list[Provider]:
    rows = await conn.fetch(f"SELECT {_PROVIDER_COLUMNS} FROM providers p ORDER BY p.provider_id")
    return [Provider(**dict(r)) for r in rows]


async def provider_exists(conn: Connection, provider_id: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM providers WHERE provider_id = $1", provider_id))


async def stored_revision(conn: Connection, course_id: str) -> int | None:
    revision = await conn.fetchval("SELECT revision FROM courses WHERE course_id = $1", course_id)
    return int(revision) if revision is not None else None


async def save_course(conn: Connection, course: CoursePublished) -> None:
    modules = course.modules
    await conn.execute(
        _UPSERT_COURSE,
        course.course_id,
        course.provider_id,
        course.revision,
        course.title,
        course.format,
        course.location.municipality if course.location else None,
        course.start_date,
        course.end_date,
        course.price_eur,
        list(course.funding),
        list(course.target_groups),
        sorted({skill for m in modules for skill in m.skills}),
        sorted({m.eqf_level for m in modules}),
        course.description,
        " ".join(m.title for m in modules),
        course.model_dump_json(),
    )


async def get_course(conn: Connection, course_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT document, status FROM courses WHERE course_id = $1", course_id
    )
    if row is None:
        return None
    return {**json.loads(row["document"]), "status": row["status"]}


async def search_courses(
    conn: Connection, where: CourseFilter, *, after: tuple[str, str] | None, limit: int
) -> list[dict[str, Any]]:
    """Live courses matching the filter, ordered by start date then id (keyset pagination)."""
    clauses = ["status = 'live'"]
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if where.q:
        clauses.append(f"search @@ websearch_to_tsquery('german', unaccent({arg(where.q)}))")
    if where.municipality:
        clauses.append(f"municipality = {arg(where.municipality)}")
    if where.format:
        clauses.append(f"format = {arg(where.format)}")
    if where.provider_id:
        clauses.append(f"provider_id = {arg(where.provider_id)}")
    if where.starts_after:
        clauses.append(f"start_date > {arg(where.starts_after)}")
    if after:
        clauses.append(
            f"(start_date, course_id) > ({arg(date.fromisoformat(after[0]))}, {arg(after[1])})"
        )
    sql = (
        f"SELECT document FROM courses WHERE {' AND '.join(clauses)}"
        f" ORDER BY start_date, course_id LIMIT {arg(limit)}"
    )
    return [json.loads(r["document"]) for r in await conn.fetch(sql, *args)]
