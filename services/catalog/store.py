"""The catalogue's records: providers, and each course as stored (the search side is search.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zll_contracts.payloads import CoursePublished, CourseWithdrawnFromCatalog

from services.catalog import indexer
from services.catalog.domain import StoredCourse
from zll.platform.db import Connection

# The course as stored; search columns are derived from `document` by the indexer.
_UPSERT_COURSE = """
INSERT INTO courses (course_id, provider_id, revision, status, document, updated_at)
VALUES ($1, $2, $3, 'live', $4::jsonb, now())
ON CONFLICT (course_id) DO UPDATE SET revision = EXCLUDED.revision, status = 'live',
    document = EXCLUDED.document, updated_at = now()
"""


@dataclass(frozen=True, slots=True)
class Provider:
    provider_id: str
    name: str
    kind: str
    municipality: str
    live_courses: int = 0


# --- providers ---------------------------------------------------------------------------


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


async def registered(conn: Connection, provider_ids: Sequence[str]) -> set[str]:
    """Which of these providers are registered (one query for a whole batch)."""
    rows = await conn.fetch(
        "SELECT provider_id FROM providers WHERE provider_id = ANY($1::text[])",
        list(set(provider_ids)),
    )
    return {r["provider_id"] for r in rows}


# --- courses: writes ---------------------------------------------------------------------


async def stored_revisions(conn: Connection, course_ids: Sequence[str]) -> dict[str, int]:
    """Stored revisions of these courses, rows locked until the transaction ends."""
    rows = await conn.fetch(
        "SELECT course_id, revision FROM courses WHERE course_id = ANY($1::text[])"
        " ORDER BY course_id FOR UPDATE",
        list(set(course_ids)),
    )
    return {r["course_id"]: int(r["revision"]) for r in rows}


async def save_courses(conn: Connection, courses: Sequence[tuple[CoursePublished, bytes]]) -> None:
    """Store the final state of each course (the caller passes one per course_id), as the JSON
    it was announced with, and queue it for the search indexer."""
    await conn.executemany(
        _UPSERT_COURSE,
        [(c.course_id, c.provider_id, c.revision, document.decode()) for c, document in courses],
    )
    await indexer.queue(conn, [c.course_id for c, _ in courses])


async def stored_course(conn: Connection, course_id: str) -> StoredCourse | None:
    row = await conn.fetchrow(
        "SELECT revision, status, document FROM courses WHERE course_id = $1 FOR UPDATE",
        course_id,
    )
    if row is None:
        return None
    return StoredCourse(int(row["revision"]), row["status"] == "live", json.loads(row["document"]))


async def record_revision(conn: Connection, course_id: str, revision: int) -> None:
    """A withdrawal of an already withdrawn course: keep its revision, change nothing else."""
    await conn.execute(
        "UPDATE courses SET revision = $2, updated_at = now()"
        " WHERE course_id = $1 AND revision < $2",
        course_id,
        revision,
    )


async def save_withdrawal(conn: Connection, withdrawn: CourseWithdrawnFromCatalog) -> None:
    await conn.execute(
        "UPDATE courses SET status = 'withdrawn', revision = $2, document = $3::jsonb,"
        " updated_at = now() WHERE course_id = $1",
        withdrawn.course_id,
        withdrawn.revision,
        withdrawn.model_dump_json(),
    )
    # Out of search at once; queued as well, in case the indexer is storing it right now.
    await indexer.hide_withdrawn(conn, [withdrawn.course_id])
    await indexer.queue(conn, [withdrawn.course_id])


# --- courses: reads ----------------------------------------------------------------------


async def get_course(conn: Connection, course_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT document, status FROM courses WHERE course_id = $1", course_id
    )
    if row is None:
        return None
    return {**json.loads(row["document"]), "status": row["status"]}
