"""Matching's handlers against real PostgreSQL: certificates, waitlists, opportunity revisions."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from pydantic import BaseModel
from zll_contracts.payloads import (
    CoursePublished,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentWaitlisted,
    OpportunityUpserted,
    OpportunityWithdrawn,
)

from services.matching import demand_service, store_counselling
from services.matching.app import DEFINITION
from services.matching.domain.demand import Horizon
from tests.e2e.matching_helpers import course, module, skill
from tests.integration.databases import fresh_database
from zll.devstack.stack import DevStack
from zll.platform.kafka import InboundRecord
from zll.platform.testing import Feed

pytestmark = pytest.mark.integration
WELDING, FORKLIFT = skill("welding"), skill("operate forklift")
NOW = datetime.now(UTC)


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "matching") as pool:
        yield pool


async def deliver(
    pool: asyncpg.Pool, *payloads: BaseModel, sender: str, key: str = "k"
) -> list[InboundRecord]:
    """Apply events as one poll batch, through matching's real wiring."""
    feed = Feed(DEFINITION, pool)
    records = [feed.event(payload, source=sender, key=key) for payload in payloads]
    await feed.apply(*records)
    return records


async def refusals(pool: asyncpg.Pool, record: InboundRecord) -> list[str]:
    """The fields named in the feedback matching staged for `record`."""
    return [error["field"] for error in await Feed(DEFINITION, pool).refusals(record)]


async def publish_course(pool: asyncpg.Pool, town: str, **changes: Any) -> str:
    data = course(
        "vhs-x",
        f"c-{uuid.uuid4().hex[:6]}",
        town,
        [module("m1", [WELDING]), module("m2", [FORKLIFT])],
        **changes,
    )
    payload = CoursePublished.model_validate(data | {"published_at": NOW.isoformat()})
    await deliver(pool, payload, sender="/services/catalog")
    return str(data["course_id"])


def outcome(
    model: type[BaseModel], course_id: str, learner: str, enrolment: uuid.UUID, **more: Any
) -> Any:
    return model.model_validate(
        {"enrolment_id": str(enrolment), "course_id": course_id, "learner_id": learner,
         "occurred_at": NOW.isoformat(), **more}
    )  # fmt: skip


async def test_a_module_certificate_adds_the_skills_it_certifies(pool: asyncpg.Pool) -> None:
    course_id = await publish_course(pool, "Kassel")
    certified = outcome(
        EnrolmentCertified, course_id, "lea", uuid.uuid4(), certificate_id="cert-1", modules=["m1"]
    )
    await deliver(pool, certified, sender="/services/enrolment")
    async with pool.acquire() as conn:
        assert await store_counselling.earned_skills(conn, "lea") == [WELDING]


async def test_waitlisted_learners_are_demand_until_they_get_a_seat(pool: asyncpg.Pool) -> None:
    course_id = await publish_course(pool, "Lemgo")
    enrolments = [uuid.uuid4(), uuid.uuid4()]
    for i, enrolment in enumerate(enrolments):
        waiting = outcome(
            EnrolmentWaitlisted, course_id, f"l{i}", enrolment, waitlist_position=i + 1
        )
        await deliver(pool, waiting, sender="/services/enrolment")

    async def waitlisted() -> dict[str, int]:
        async with pool.acquire() as conn:
            lines = await demand_service.lines(conn, Horizon.LONG, "Lemgo", date.today())
        return {line.key: line.waitlisted for line in lines}

    assert await waitlisted() == {WELDING: 2, FORKLIFT: 2}
    seated = outcome(
        EnrolmentConfirmed,
        course_id,
        "l0",
        enrolments[0],
        source="http",
        promoted_from_waitlist=True,
    )
    await deliver(pool, seated, sender="/services/enrolment")
    assert await waitlisted() == {WELDING: 1, FORKLIFT: 1}


def opportunity(revision: int, partner: str = "betrieb-a", **changes: Any) -> OpportunityUpserted:
    return OpportunityUpserted.model_validate(
        {"opportunity_id": "job-1", "partner_id": partner, "kind": "job",
         "title": f"Rev {revision}",
         "required_skills": [WELDING], "municipality": "Kassel", "seats": 1,
         "start_date": "2030-01-01", "revision": revision} | changes
    )  # fmt: skip


async def titles(pool: asyncpg.Pool) -> list[str]:
    async with pool.acquire() as conn:
        return [o.title for o in await store_counselling.live_opportunities(conn, [WELDING])]


async def test_opportunities_follow_the_revision_rule_and_stay_their_partners(
    pool: asyncpg.Pool,
) -> None:
    await deliver(pool, opportunity(2), sender="/providers/betrieb-a")
    await deliver(pool, opportunity(1), sender="/providers/betrieb-a")
    assert await titles(pool) == ["Rev 2"]
    [taken] = await deliver(pool, opportunity(3, "betrieb-b"), sender="/providers/betrieb-b")
    assert await refusals(pool, taken) == ["opportunity_id"]
    [foreign] = await deliver(pool, opportunity(3), sender="/providers/betrieb-b")
    assert await refusals(pool, foreign) != []
    withdrawn = OpportunityWithdrawn(opportunity_id="job-1", partner_id="betrieb-a", revision=3)
    await deliver(pool, withdrawn, sender="/providers/betrieb-a")
    assert await titles(pool) == []


async def test_a_waitlist_reaching_the_threshold_reports_a_gap_once(pool: asyncpg.Pool) -> None:
    """Ten waiting for a course starting in 2095: short and medium have no seats for them."""
    course_id = await publish_course(pool, "Lage", start_date="2095-01-01", end_date="2095-02-01")
    waiting = [
        outcome(EnrolmentWaitlisted, course_id, f"l{i}", uuid.uuid4(), waitlist_position=i + 1)
        for i in range(11)
    ]
    await deliver(pool, *waiting[:10], sender="/services/enrolment")
    await deliver(pool, *waiting[10:], sender="/services/enrolment")  # still above: quiet
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT key, value FROM outbox WHERE topic = 'zll.demand.v1'")
    gaps = sorted(
        (json.loads(r["value"])["skill"], json.loads(r["value"])["horizon"]) for r in rows
    )
    assert gaps == sorted(
        [(WELDING, "short"), (WELDING, "medium"), (FORKLIFT, "short"), (FORKLIFT, "medium")]
    )
    assert {r["key"] for r in rows} == {b"Lage"}
