"""Demand as matching computes it: store reads combined into DemandLines, and gap events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from zll_contracts.payloads import DemandGapDetected, DemandReported

from services.matching import store_demand
from services.matching.config import matching_settings
from services.matching.domain.demand import (
    ORDER,
    DemandLine,
    Horizon,
    covered,
    crossing,
    horizons_seeing,
    supply_until,
)
from zll.platform.db import Connection
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.unit_of_work import UnitOfWork


async def lines(
    conn: Connection,
    horizon: Horizon,
    municipality: str | None,
    today: date,
    keys: list[str] | None = None,
) -> list[DemandLine]:
    """Every skill or occupation with demand (or just `keys`), largest gap first."""
    since = datetime.now(UTC) - timedelta(days=matching_settings().unplaced_window_days)
    reported = await store_demand.reported(conn, covered(horizon), municipality, keys)
    waiting = await store_demand.waitlisted(conn, municipality, keys)
    unplaced = await store_demand.unplaced(conn, since, municipality, keys)
    kinds = {key: kind for key, kind in reported} | {
        key: "skill" for key in (waiting.keys() | unplaced.keys())
    }
    until = supply_until(horizon, today)
    skills = [key for key, kind in kinds.items() if kind == "skill"]
    supply = await store_demand.supply(conn, skills, municipality, today, until)
    for key, kind in kinds.items():
        if kind == "occupation":
            supply[key] = await _occupation_supply(conn, key, municipality, today, until)
    found = [
        DemandLine(
            key=key,
            kind=kind,
            municipality=municipality,
            horizon=horizon,
            reported=reported.get((key, kind), 0),
            waitlisted=waiting.get(key, 0),
            unplaced=unplaced.get(key, 0),
            supply=supply.get(key, 0),
        )
        for key, kind in kinds.items()
    ]
    return sorted(found, key=lambda line: (-line.gap, line.key))


async def _occupation_supply(
    conn: Connection, occupation: str, municipality: str | None, today: date, until: date | None
) -> int:
    # ESCO's occupation–skill relations are not in the shipped data: the occupation's label,
    # resolved to skills, stands in for them.
    words = vocabulary().label(occupation)
    skills = [m.uri for m in vocabulary().resolve(words, kind="skill", limit=5)]
    if not skills:
        return 0
    return await store_demand.seats_teaching_any(conn, skills, municipality, today, until)


async def report(uow: UnitOfWork, reported: DemandReported, at: datetime) -> None:
    """Store a partner's report; check the gaps it changes."""
    if not await store_demand.insert_report(uow.conn, reported.model_dump(), at):
        return  # the same report_id again: no second effect
    key = reported.skill or reported.occupation
    assert key is not None
    today = datetime.now(UTC).date()
    for horizon in horizons_seeing(Horizon(reported.horizon)):
        for line in await lines(uow.conn, horizon, reported.municipality, today, [key]):
            await _check_gap(uow, line)


async def recheck_course(uow: UnitOfWork, course_id: str) -> None:
    """A waitlist grew: check the gaps of the skills the course teaches, where it runs."""
    municipality, skills = await store_demand.course_place(uow.conn, course_id)
    if municipality is None or not skills:
        return
    today = datetime.now(UTC).date()
    for horizon in ORDER:
        for line in await lines(uow.conn, horizon, municipality, today, skills):
            await _check_gap(uow, line)


async def _check_gap(uow: UnitOfWork, line: DemandLine) -> None:
    assert line.municipality is not None
    where = (line.municipality, line.horizon.value, line.key)
    was_above = await store_demand.gap_was_above(uow.conn, *where)
    outcome = crossing(was_above, line.gap, matching_settings().gap_threshold)
    await store_demand.set_gap(uow.conn, *where, outcome.above, line.gap)
    if outcome.publish:
        uow.publish(_event(line), key=line.municipality)


def _event(line: DemandLine) -> DemandGapDetected:
    demand, supply = min(line.demand, 1_000_000), min(line.supply, 1_000_000)
    return DemandGapDetected(
        municipality=line.municipality,
        skill=line.key if line.kind == "skill" else None,
        occupation=line.key if line.kind == "occupation" else None,
        horizon=line.horizon.value,
        demand=demand,
        supply=supply,
        gap=demand - supply,
        detected_at=datetime.now(UTC),
    )
