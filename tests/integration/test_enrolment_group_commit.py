"""The HTTP door's group commit against the real PostgreSQL: requests that arrive together are
decided together through the ledger, each still answered exactly, none overbooking."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import Depends, FastAPI
from zll_contracts.payloads import EnrolmentSource

from services.enrolment import api, group_commit, ledger
from services.enrolment.domain import Status
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.database import Database
from zll.platform.i18n import request_language
from zll.platform.problems import install_problem_handlers
from zll.platform.settings import Settings

pytestmark = pytest.mark.integration
SOURCE = "/services/enrolment"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment", max_size=20) as pool:
        yield pool


def wanted(course_id: str, learner: str, enrolment_id: uuid.UUID | None = None) -> ledger.Request:
    return ledger.Request(
        enrolment_id or uuid.uuid4(), course_id, learner, EnrolmentSource.HTTP, datetime.now(UTC)
    )


async def queued_then_decided(
    door: group_commit.GroupCommit, requests: list[ledger.Request], *, failures: bool = False
) -> list[Any]:
    """Every request queues (in this order) before the door starts: one batch decides them.
    The outcomes in the requests' order; with `failures`, a request's error in its place."""
    answers = [asyncio.create_task(door.decide(r)) for r in requests]
    await asyncio.sleep(0)  # each task has queued its request
    lanes = asyncio.create_task(door.run())
    try:
        return await asyncio.gather(*answers, return_exceptions=failures)
    finally:
        lanes.cancel()


async def arrival_order(pool: asyncpg.Pool, course_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT learner_id, status FROM enrolments WHERE course_id = $1 ORDER BY seq", course_id
    )
    return [(r["learner_id"], r["status"]) for r in rows]


async def test_a_burst_on_one_hot_course_is_one_transaction_first_come_first_served(
    pool: asyncpg.Pool,
) -> None:
    course_id = await Feed(pool).course("hot", capacity=3)
    door = group_commit.GroupCommit(Database(pool, SOURCE), lanes=2)
    requests = [wanted(course_id, f"l{n}") for n in range(8)]

    outcomes = await queued_then_decided(door, requests)

    assert door.batches == 1
    answers = [(o.status, o.waitlist_position) for o in outcomes if o is not None]
    assert answers == [(Status.CONFIRMED, None)] * 3 + [
        (Status.WAITLISTED, place) for place in range(1, 6)
    ]
    assert [o.enrolment_id for o in outcomes if o] == [r.enrolment_id for r in requests]
    assert await arrival_order(pool, course_id) == [
        (f"l{n}", "confirmed" if n < 3 else "waitlisted") for n in range(8)
    ]
    waitlisted = await events(pool, "zll.enrolment.waitlisted.v1")
    assert [(e["learner_id"], e["waitlist_position"]) for e in waitlisted] == [
        (f"l{n}", n - 2) for n in range(3, 8)
    ]


async def test_a_twin_in_the_same_batch_has_no_second_effect(pool: asyncpg.Pool) -> None:
    course_id = await Feed(pool).course("twin", capacity=3)
    door = group_commit.GroupCommit(Database(pool, SOURCE))
    same = uuid.uuid4()

    first, twin = await queued_then_decided(
        door, [wanted(course_id, "ada", same), wanted(course_id, "ada", same)]
    )

    assert first is not None
    assert first.status is Status.CONFIRMED
    assert twin is None  # answered from the stored enrolment, like any retry
    assert await arrival_order(pool, course_id) == [("ada", "confirmed")]


async def test_a_request_the_database_refuses_fails_alone(pool: asyncpg.Pool) -> None:
    course_id = await Feed(pool).course("mixed", capacity=5)
    door = group_commit.GroupCommit(Database(pool, SOURCE))
    broken = wanted(course_id, "nul\x00byte")  # PostgreSQL text cannot hold it

    results = await queued_then_decided(
        door, [wanted(course_id, "ada"), broken, wanted(course_id, "bob")], failures=True
    )

    assert isinstance(results[1], asyncpg.PostgresError)
    assert [getattr(r, "status", None) for r in (results[0], results[2])] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
    ]
    assert await arrival_order(pool, course_id) == [("ada", "confirmed"), ("bob", "confirmed")]


@pytest.fixture
async def http(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    """The enrolment routes with their group commit, on the test's database."""
    app = FastAPI(dependencies=[Depends(request_language)])
    install_problem_handlers(app)
    app.include_router(api.router)
    app.state.settings = Settings()
    app.state.database = Database(pool, SOURCE)
    token = mint_token(Settings(), role="counsellor", sub="rush")
    async with (
        group_commit.running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://enrolment",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        yield client


async def test_concurrent_http_requests_on_one_hot_course_never_overbook_and_keep_fifo(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    course_id = await Feed(pool).course("rush", capacity=10)

    async def enrol(n: int) -> dict[str, object]:
        response = await http.post(
            "/enrolments", json={"course_id": course_id, "learner_id": f"r{n}"}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    answers = await asyncio.gather(*(enrol(n) for n in range(60)))

    stored = await pool.fetch(
        "SELECT learner_id, status FROM enrolments WHERE course_id = $1 ORDER BY seq", course_id
    )
    statuses = [r["status"] for r in stored]
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 50  # first come, first served
    # Each answer is exact: the place it names is the place the ledger keeps.
    place_of = {r["learner_id"]: n - 9 for n, r in enumerate(stored) if n >= 10}
    for answer in answers:
        assert answer["status"] == (
            "waitlisted" if answer["learner_id"] in place_of else "confirmed"
        )
        assert answer.get("waitlist_position") == place_of.get(str(answer["learner_id"]))
    seats = (await http.get(f"/courses/{course_id}/seats")).json()
    assert seats == {"capacity": 10, "confirmed": 10, "waitlisted": 50, "offered": 0}


async def test_learners_enrolled_before_are_refused_in_every_course_of_a_batch(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    excel, welding = await feed.course("excel", capacity=1), await feed.course("weld", capacity=1)
    door = group_commit.GroupCommit(Database(pool, SOURCE))
    await queued_then_decided(door, [wanted(excel, "ada"), wanted(welding, "bob")])

    again = await queued_then_decided(
        door,
        [
            wanted(excel, "ada"),
            wanted(welding, "bob"),
            wanted(excel, "bob"),
            wanted(welding, "ada"),
        ],
    )

    assert [(o.status, o.reason_code and o.reason_code.value) for o in again] == [
        (Status.REJECTED, "already-enrolled"),
        (Status.REJECTED, "already-enrolled"),
        (Status.WAITLISTED, None),
        (Status.WAITLISTED, None),
    ]
