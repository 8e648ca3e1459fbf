"""Intake's feeds: what each provider registered, when it is due, and how its last pull went.

Claiming moves a feed's next pull on by its interval and leases it in one statement
(` `), so with two instances each due pull runs once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zll.platform.db import Connection

_COLUMNS = (
    "provider_id, url, format, interval_seconds, next_pull_at, leased_until, etag,"
    " last_modified, last_pulled_at, last_outcome, last_import_id, last_error"
)


@dataclass(frozen=True, slots=True)
class Feed:
    provider_id: str
    url: str
    format: str | None
    interval_seconds: int
    next_pull_at: datetime
    leased_until: datetime | None
    etag: str | None
    last_modified: str | None
    last_pulled_at: datetime | None
    last_outcome: str | None
    last_import_id: str | None
    last_error: dict[str, str] | None


def _feed(row: Any) -> Feed:
    values = dict(row)
    values["last_error"] = json.loads(values["last_error"]) if values["last_error"] else None
    return Feed(**values)


async def register(
    conn: Connection, provider_id: str, url: str, format: str | None, interval_seconds: int
) -> Feed:
    """Register or change the feed; a new URL or format forgets the validators and is due now."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO feeds (provider_id, url, format, interval_seconds)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (provider_id) DO UPDATE SET
            interval_seconds = EXCLUDED.interval_seconds,
            url = EXCLUDED.url,
            format = EXCLUDED.format,
            etag = CASE WHEN (feeds.url, feeds.format) IS NOT DISTINCT FROM
                (EXCLUDED.url, EXCLUDED.format) THEN feeds.etag END,
            last_modified = CASE WHEN (feeds.url, feeds.format) IS NOT DISTINCT FROM
                (EXCLUDED.url, EXCLUDED.format) THEN feeds.last_modified END,
            next_pull_at = CASE WHEN (feeds.url, feeds.format) IS NOT DISTINCT FROM
                (EXCLUDED.url, EXCLUDED.format)
                THEN LEAST(feeds.next_pull_at,
                           now() + make_interval(secs => EXCLUDED.interval_seconds))
                ELSE now() END,
            updated_at = now()
        RETURNING {_COLUMNS}
        """,
        provider_id,
        url,
        format,
        interval_seconds,
    )
    return _feed(row)


async def get(conn: Connection, provider_id: str) -> Feed | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM feeds WHERE provider_id = $1", provider_id)
    return _feed(row) if row else None


async def remove(conn: Connection, provider_id: str) -> bool:
    done: str = await conn.execute("DELETE FROM feeds WHERE provider_id = $1", provider_id)
    return done.endswith(" 1")


async def claim_due(conn: Connection, *, limit: int, lease_seconds: float) -> list[Feed]:
    """The feeds due now that nobody holds, each moved on by its interval and leased to us."""
    rows = await conn.fetch(
        f"""
        UPDATE feeds SET
            next_pull_at = now() + make_interval(secs => interval_seconds),
            leased_until = now() + make_interval(secs => $2)
        WHERE provider_id IN (
            SELECT provider_id FROM feeds
            WHERE next_pull_at <= now() AND (leased_until IS NULL OR leased_until < now())
            ORDER BY next_pull_at
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING {_COLUMNS}
        """,
        limit,
        lease_seconds,
    )
    return [_feed(r) for r in rows]


async def claim_now(conn: Connection, provider_id: str, *, lease_seconds: float) -> Feed | None:
    """The feed leased to us for a pull now, whatever its schedule; None while another holds it."""
    row = await conn.fetchrow(
        f"""
        UPDATE feeds SET
            next_pull_at = now() + make_interval(secs => interval_seconds),
            leased_until = now() + make_interval(secs => $2)
        WHERE provider_id = $1 AND (leased_until IS NULL OR leased_until < now())
        RETURNING {_COLUMNS}
        """,
        provider_id,
        lease_seconds,
    )
    return _feed(row) if row else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one pull went: `taken`, `not_modified`, `refused` or `failed`."""

    kind: str
    import_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: dict[str, str] | None = None
    # The validators are kept (taken, refused: the same document needs no second reading)
    # or left as they were (not modified, failed).
    keep_validators: bool = False


async def finish(conn: Connection, provider_id: str, outcome: Outcome) -> None:
    """Record the pull and give the lease back."""
    await conn.execute(
        """
        UPDATE feeds SET
            leased_until = NULL,
            last_pulled_at = now(),
            last_outcome = $2,
            last_import_id = COALESCE($3, last_import_id),
            last_error = $4::jsonb,
            etag = CASE WHEN $7 THEN $5 ELSE etag END,
            last_modified = CASE WHEN $7 THEN $6 ELSE last_modified END
        WHERE provider_id = $1
        """,
        provider_id,
        outcome.kind,
        outcome.import_id,
        json.dumps(outcome.error, ensure_ascii=False) if outcome.error else None,
        outcome.etag,
        outcome.last_modified,
        outcome.keep_validators,
    )
