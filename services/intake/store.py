"""Intake's records: what each feed published of each course, and the import reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.domain import Published
from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class ImportReport:
    """One import as stored; `refused` and `warnings` carry both languages."""

    import_id: str
    provider_id: str
    feed_id: str
    format: str
    full_export: bool
    dry_run: bool
    created_at: datetime
    new: int
    changed: int
    unchanged: int
    withdrawn: int
    refused: list[dict[str, Any]]
    warnings: list[dict[str, str]]


async def published(conn: Connection, provider_id: str, feed_id: str) -> dict[str, Published]:
    """Every course the feed has published so far, live or withdrawn, by course id."""
    rows = await conn.fetch(
        "SELECT course_id, revision, fingerprint, live FROM feed_courses"
        " WHERE provider_id = $1 AND feed_id = $2",
        provider_id,
        feed_id,
    )
    return {r["course_id"]: Published(**dict(r)) for r in rows}


async def save_published(
    conn: Connection, provider_id: str, feed_id: str, import_id: str, state: Sequence[Published]
) -> None:
    await conn.executemany(
        """
        INSERT INTO feed_courses
            (provider_id, feed_id, course_id, revision, fingerprint, live, import_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (provider_id, feed_id, course_id) DO UPDATE SET
            revision = EXCLUDED.revision, fingerprint = EXCLUDED.fingerprint,
            live = EXCLUDED.live, import_id = EXCLUDED.import_id, updated_at = now()
        """,
        [
            (provider_id, feed_id, p.course_id, p.revision, p.fingerprint, p.live, import_id)
            for p in state
        ],
    )


_COLUMNS = (
    "import_id, provider_id, feed_id, format, full_export, dry_run, created_at,"
    " new, changed, unchanged, withdrawn, refused, warnings"
)


async def save_report(conn: Connection, report: ImportReport) -> None:
    await conn.execute(
        f"INSERT INTO imports ({_COLUMNS})"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb)",
        report.import_id,
        report.provider_id,
        report.feed_id,
        report.format,
        report.full_export,
        report.dry_run,
        report.created_at,
        report.new,
        report.changed,
        report.unchanged,
        report.withdrawn,
        json.dumps(report.refused, ensure_ascii=False),
        json.dumps(report.warnings, ensure_ascii=False),
    )


def _report(row: Any) -> ImportReport:
    values = dict(row)
    values["refused"] = json.loads(values["refused"])
    values["warnings"] = json.loads(values["warnings"])
    return ImportReport(**values)


async def get_report(conn: Connection, import_id: str) -> ImportReport | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM imports WHERE import_id = $1", import_id)
    return _report(row) if row else None


async def reports_of(
    conn: Connection, provider_id: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[ImportReport]:
    """The provider's imports, newest first, after a keyset position."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM imports WHERE provider_id = $1"
        " AND ($2::timestamptz IS NULL OR (created_at, import_id) < ($2, $3))"
        " ORDER BY created_at DESC, import_id DESC LIMIT $4",
        provider_id,
        after[0] if after else None,
        after[1] if after else "",
        limit,
    )
    return [_report(r) for r in rows]


async def lock_feed(conn: Connection, provider_id: str, feed_id: str) -> None:
    """Two imports of one feed take turns: each continues from the other's revisions."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"intake:{provider_id}:{feed_id}"
    )


async def creator_of(conn: Connection, provider_id: str) -> str | None:
    """The exporting institution this provider's documents named first, if any did."""
    found: str | None = await conn.fetchval(
        "SELECT creator_id FROM provider_creators WHERE provider_id = $1", provider_id
    )
    return found


async def remember_creator(
    conn: Connection, provider_id: str, creator_id: str, import_id: str
) -> None:
    await conn.execute(
        "INSERT INTO provider_creators (provider_id, creator_id, import_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (provider_id) DO NOTHING",
        provider_id,
        creator_id,
        import_id,
    )
