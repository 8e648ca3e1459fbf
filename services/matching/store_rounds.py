"""Matching's SQL for rounds run in waves: the instance, each wave's result and outcomes."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from zll.platform.db import Connection


async def save_round(
    conn: Connection,
    *,
    round_id: UUID,
    created_by: str,
    published: bool,
    seed: str,
    waves: int,
    replaces: UUID | None,
    applicants: int,
    instance: str,
) -> None:
    """The round as asked for (`instance`: its offers and applications as JSON); its first
    wave is stored by `save_wave`."""
    await conn.execute(
        "INSERT INTO rounds (round_id, created_by, published, applicants, offers, assignments,"
        " seed, waves, wave, replaces, instance)"
        " VALUES ($1, $2, $3, $4, '[]'::jsonb, '{}'::jsonb, $5, $6, 1, $7, $8::jsonb)",
        round_id,
        created_by,
        published,
        applicants,
        seed,
        waves,
        replaces,
        instance,
    )


async def save_wave(
    conn: Connection,
    *,
    round_id: UUID,
    wave: int,
    offers: list[dict[str, Any]],
    assignments: dict[str, str | None],
    cutoffs: dict[str, list[dict[str, Any]]],
    unplaced: list[tuple[str, list[str]]],
    outcomes: list[tuple[str, dict[str, Any]]],
) -> None:
    await conn.execute(
        "UPDATE rounds SET wave = $2, offers = $3::jsonb, assignments = $4::jsonb,"
        " cutoffs = $5::jsonb WHERE round_id = $1",
        round_id,
        wave,
        json.dumps(offers),
        json.dumps(assignments),
        json.dumps(cutoffs),
    )
    # Unplaced applicants count as demand: those of the round's latest wave.
    await conn.execute("DELETE FROM round_unplaced WHERE round_id = $1", round_id)
    await conn.execute(
        "INSERT INTO round_unplaced (round_id, learner_id, ranking)"
        " SELECT $1, l, array(SELECT jsonb_array_elements_text(r))"
        " FROM unnest($2::text[], $3::jsonb[]) AS u(l, r)",
        round_id,
        [learner for learner, _ in unplaced],
        [json.dumps(ranking) for _, ranking in unplaced],
    )
    await conn.execute(
        "INSERT INTO round_outcomes (round_id, wave, learner_id, outcome)"
        " SELECT $1, $2, l, o FROM unnest($3::text[], $4::jsonb[]) AS u(l, o)",
        round_id,
        wave,
        [learner for learner, _ in outcomes],
        [json.dumps(outcome) for _, outcome in outcomes],
    )


async def lock_round(conn: Connection, round_id: UUID) -> dict[str, Any] | None:
    """The round's instance (as JSON text) and progress, locked until the transaction ends
    (one wave at a time, even with two instances of matching)."""
    row = await conn.fetchrow(
        "SELECT published, seed, waves, wave, instance::text AS instance FROM rounds"
        " WHERE round_id = $1 FOR UPDATE",
        round_id,
    )
    if row is None:
        return None
    return dict(row)


async def answers(conn: Connection, round_id: UUID) -> list[tuple[str, str, str]]:
    """(learner, offer, status) of the round's placements: what learners answered."""
    rows = await conn.fetch(
        "SELECT learner_id, offer_id, status FROM placements WHERE round_id = $1",
        round_id,
    )
    return [(r["learner_id"], r["offer_id"], r["status"]) for r in rows]


async def supersede(
    conn: Connection, round_id: UUID, learners: list[str], reason: str
) -> list[dict[str, Any]]:
    """Still-proposed placements of these learners, declined because a better wish came
    through; returns the rows for their events."""
    rows = await conn.fetch(
        "UPDATE placements SET status = 'declined', decided_at = now(), reason = $3"
        " WHERE round_id = $1 AND learner_id = ANY($2::text[]) AND status = 'proposed'"
        " RETURNING placement_id, learner_id, offer_id, offer_kind, round_id, decided_at, wave",
        round_id,
        learners,
        reason,
    )
    return [dict(r) for r in rows]


async def outcome(
    conn: Connection, round_id: UUID, learner_id: str
) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
    """The learner's outcome in the round's latest wave, with the offers' cut-offs."""
    row = await conn.fetchrow(
        "SELECT o.wave, o.outcome::text AS outcome, r.cutoffs::text AS cutoffs"
        " FROM round_outcomes o JOIN rounds r USING (round_id)"
        " WHERE o.round_id = $1 AND o.learner_id = $2 ORDER BY o.wave DESC LIMIT 1",
        round_id,
        learner_id,
    )
    if row is None:
        return None
    return row["wave"], json.loads(row["outcome"]), json.loads(row["cutoffs"])


async def get_round(conn: Connection, round_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT r.round_id, r.created_by, r.created_at, r.published, r.applicants,"
        " r.offers::text AS offers, r.assignments::text AS assignments, r.seed, r.waves, r.wave,"
        " r.replaces, r.cutoffs::text AS cutoffs,"
        " (SELECT array_agg(n.round_id) FROM rounds n WHERE n.replaces = r.round_id) AS rerun_as"
        " FROM rounds r WHERE r.round_id = $1",
        round_id,
    )
    if row is None:
        return None
    return {
        "round_id": str(row["round_id"]),
        "created_by": row["created_by"],
        "created_at": row["created_at"].isoformat(),
        "published": row["published"],
        "applicants": row["applicants"],
        "offers": json.loads(row["offers"]),
        "assignments": json.loads(row["assignments"]),
        "seed": row["seed"],
        "waves": row["waves"],
        "wave": row["wave"],
        "replaces": str(row["replaces"]) if row["replaces"] else None,
        "rerun_as": [str(r) for r in row["rerun_as"] or []],
        "cutoffs": json.loads(row["cutoffs"]) if row["cutoffs"] else {},
    }


async def round_exists(conn: Connection, round_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM rounds WHERE round_id = $1", round_id))
