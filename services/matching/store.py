"""Matching's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class Supply:
    """A course as supply: where, how many seats, which skills (from the catalog)."""

    course_id: str
    revision: int
    live: bool
    municipality: str | None
    capacity: int
    skills: list[str]


async def live_seats_teaching(conn: Connection, skill: str) -> int:
    total = await conn.fetchval(
        "SELECT coalesce(sum(capacity), 0) FROM course_supply WHERE live AND $1 = ANY(skills)",
        skill,
    )
    return int(total)


# --- rounds and placements -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementRow:
    placement_id: UUID
    learner_id: str
    offer_id: str
    offer_kind: str
    round_id: UUID | None
    status: str
    proposed_at: datetime
    decided_at: datetime | None
    reason: str | None


async def propose_placements(
    conn: Connection,
    placements: list[tuple[UUID, str, str, str]],
    round_id: UUID | None,
    wave: int | None = None,
) -> None:
    """Insert (placement_id, learner_id, offer_id, offer_kind) rows as proposed."""
    await conn.execute(
        "INSERT INTO placements"
        " (placement_id, learner_id, offer_id, offer_kind, round_id, status, wave)"
        " SELECT p, l, o, k, $5, 'proposed', $6"
        " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(p, l, o, k)",
        [p[0] for p in placements],
        [p[1] for p in placements],
        [p[2] for p in placements],
        [p[3] for p in placements],
        round_id,
        wave,
    )


async def get_placement(
    conn: Connection, placement_id: UUID, *, for_update: bool = False
) -> PlacementRow | None:
    row = await conn.fetchrow(
        "SELECT placement_id, learner_id, offer_id, offer_kind, round_id, status, proposed_at,"
        " decided_at, reason FROM placements WHERE placement_id = $1"
        + (" FOR UPDATE" if for_update else ""),
        placement_id,
    )
    return PlacementRow(**dict(row)) if row else None


async def placements_of(
    conn: Connection,
    learner_id: str,
    *,
    after: tuple[datetime, UUID] | None = None,
    limit: int | None = None,
) -> list[PlacementRow]:
    """A learner's placements by (proposed_at, placement_id); after `after`, up to `limit`."""
    proposed_at, placement_id = after or (None, None)
    rows = await conn.fetch(
        "SELECT placement_id, learner_id, offer_id, offer_kind, round_id, status, proposed_at,"
        " decided_at, reason FROM placements WHERE learner_id = $1"
        " AND ($2::timestamptz IS NULL OR (proposed_at, placement_id) > ($2, $3::uuid))"
        " ORDER BY proposed_at, placement_id LIMIT $4",
        learner_id,
        proposed_at,
        placement_id,
        limit,
    )
    return [PlacementRow(**dict(row)) for row in rows]


async def decide_placement(
    conn: Connection, placement_id: UUID, status: str, reason: str | None
) -> PlacementRow:
    row = await conn.fetchrow(
        "UPDATE placements SET status = $2, decided_at = now(), reason = $3"
        " WHERE placement_id = $1 RETURNING placement_id, learner_id, offer_id, offer_kind,"
        " round_id, status, proposed_at, decided_at, reason",
        placement_id,
        status,
        reason,
    )
    assert row is not None
    return PlacementRow(**dict(row))
