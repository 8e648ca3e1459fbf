"""Timed offers against the real PostgreSQL: a freed seat walks down the waitlist with
deadlines, each expiry once, whatever else happens to the course meanwhile."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CancelledBy

from services.enrolment import api_offers, ledger, offers, store_offers
from services.enrolment.offers import OfferSweep
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events, routes, signed_in
from zll.devstack.stack import DevStack
from zll.platform import db
from zll.platform.database import Database

pytestmark = pytest.mark.integration
SOURCE = "/services/enrolment"
TODAY = date(2026, 12, 4)  # the courses start on 2027-03-01


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment", max_size=20) as pool:
        yield pool


async def offering_course(feed: Feed, code: str, capacity: int, *learners: str) -> str:
    """A course with timed offers, filled by `learners` in order (the first `capacity` sit)."""
    course_id = await feed.course(
        code, capacity=capacity, waitlist_promotion="offer", offer_hours=48
    )
    await feed.apply(*(feed.request(course_id, learner) for learner in learners))
    return course_id


async def statuses(pool: asyncpg.Pool, course_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT learner_id, status FROM enrolments WHERE course_id = $1 ORDER BY seq", course_id
    )
    return [(r["learner_id"], r["status"]) for r in rows]


async def seats(pool: asyncpg.Pool, course_id: str) -> tuple[int, int, int, int]:
    row = await pool.fetchrow(
        "SELECT capacity, confirmed, offered, waitlisted FROM courses WHERE course_id = $1",
        course_id,
    )
    return (row["capacity"], row["confirmed"], row["offered"], row["waitlisted"])


async def enrolment_of(pool: asyncpg.Pool, course_id: str, learner: str) -> uuid.UUID:
    found: uuid.UUID = await pool.fetchval(
        "SELECT enrolment_id FROM enrolments WHERE course_id = $1 AND learner_id = $2"
        " ORDER BY seq DESC LIMIT 1",
        course_id,
        learner,
    )
    return found


async def cancel(pool: asyncpg.Pool, course_id: str, learner: str) -> None:
    enrolment_id = await enrolment_of(pool, course_id, learner)
    async with Database(pool, SOURCE).unit_of_work() as uow:
        await ledger.cancel(uow, enrolment_id, CancelledBy.LEARNER, None, TODAY)


async def answer(pool: asyncpg.Pool, course_id: str, learner: str, *, accept: bool) -> Any:
    enrolment_id = await enrolment_of(pool, course_id, learner)
    async with Database(pool, SOURCE).unit_of_work() as uow:
        if accept:
            return await offers.accept(uow, enrolment_id, TODAY)
        return await offers.decline(uow, enrolment_id, "passt nicht", TODAY)


async def deadline_passes(pool: asyncpg.Pool, course_id: str) -> None:
    await pool.execute(
        "UPDATE enrolments SET offer_expires_at = now() - interval '1 minute'"
        " WHERE course_id = $1 AND status = 'offered'",
        course_id,
    )


async def test_a_freed_seat_is_held_for_the_next_one_and_walks_down_on_a_decline(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "walk", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    assert await statuses(pool, course_id) == [
        ("ada", "cancelled"), ("ben", "offered"), ("cem", "waitlisted")
    ]  # fmt: skip
    assert await seats(pool, course_id) == (1, 0, 1, 1)
    [offered] = await events(pool, "zll.enrolment.offered.v1")
    assert offered["learner_id"] == "ben"
    hours = datetime.fromisoformat(offered["offer_expires_at"]) - datetime.now(UTC)
    assert 47 < hours.total_seconds() / 3600 <= 48
    # The held seat is taken for everybody else: a newcomer queues.
    await feed.apply(feed.request(course_id, "dan"))
    assert (await statuses(pool, course_id))[-1] == ("dan", "waitlisted")

    declined = await answer(pool, course_id, "ben", accept=False)
    assert declined.status == "declined"
    assert declined.offer_ended_at is not None  # FIFO moved past ben, on record with the time
    assert [e["learner_id"] for e in await events(pool, "zll.enrolment.offered.v1")] == [
        "ben",
        "cem",
    ]
    accepted = await answer(pool, course_id, "cem", accept=True)
    assert accepted.status == "confirmed"
    assert await seats(pool, course_id) == (1, 1, 0, 1)
    confirmed = await events(pool, "zll.enrolment.confirmed.v1")
    assert confirmed[-1]["learner_id"] == "cem"
    assert confirmed[-1]["promoted_from_waitlist"] is True


async def test_an_expiry_is_processed_once_by_two_sweeps_and_passes_the_seat_on(
    infra: DevStack, pool: asyncpg.Pool
) -> None:
    feed = Feed(pool)
    course_ids = [
        await offering_course(feed, f"exp{n}", 1, f"a{n}", f"b{n}", f"c{n}") for n in range(6)
    ]
    for n, course_id in enumerate(course_ids):
        await cancel(pool, course_id, f"a{n}")
        await deadline_passes(pool, course_id)
    # Two instances at once, each with its own pool, as after a restart: the deadlines are
    # in the database, not in either process.
    other = await db.open_pool(infra.database_url(await pool.fetchval("SELECT current_database()")))
    try:
        done = await asyncio.gather(
            OfferSweep(pool, SOURCE, courses=2).sweep(),
            OfferSweep(other, SOURCE, courses=2).sweep(),
            OfferSweep(pool, SOURCE, courses=50).sweep(),
        )
    finally:
        await other.close()
    later = 0
    while swept := await OfferSweep(pool, SOURCE).sweep():
        later += swept
    assert sum(done) + later == 6  # each of the six expiries counted by exactly one sweep
    # What a sweep that locked a course just after another committed would read: nothing due.
    async with pool.acquire() as conn:
        assert await store_offers.offers_due(conn, course_ids, datetime.now(UTC)) == []
    expired = await events(pool, "zll.enrolment.offer-expired.v1")
    assert sorted(e["learner_id"] for e in expired) == sorted(f"b{n}" for n in range(6))
    for n, course_id in enumerate(course_ids):
        assert await statuses(pool, course_id) == [
            (f"a{n}", "cancelled"), (f"b{n}", "expired"), (f"c{n}", "offered")
        ]  # fmt: skip
        assert await seats(pool, course_id) == (1, 0, 1, 0)


async def test_a_late_answer_after_the_deadline_is_refused_and_the_seat_moves_on(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "late", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    await deadline_passes(pool, course_id)
    with pytest.raises(offers.OfferClosed) as closed:
        await answer(pool, course_id, "ben", accept=True)
    assert closed.value.deadline is not None
    await OfferSweep(pool, SOURCE).sweep()
    assert [s for _, s in await statuses(pool, course_id)] == ["cancelled", "expired", "offered"]
    with pytest.raises(offers.OfferClosed):
        await answer(pool, course_id, "ben", accept=True)


async def test_a_capacity_decrease_keeps_open_offers_and_makes_no_new_ones(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "shrink", 2, "ada", "bea", "cem", "dan", "eva")
    await cancel(pool, course_id, "ada")
    await cancel(pool, course_id, "bea")
    assert await seats(pool, course_id) == (2, 0, 2, 1)
    await feed.course("shrink", revision=2, capacity=1, waitlist_promotion="offer", offer_hours=48)
    assert await seats(pool, course_id) == (1, 0, 2, 1)  # offers made stand, like seats given
    await answer(pool, course_id, "cem", accept=True)
    await answer(pool, course_id, "dan", accept=False)
    assert await seats(pool, course_id) == (1, 1, 0, 1)  # at capacity: eva is not offered
    assert (await statuses(pool, course_id))[-1] == ("eva", "waitlisted")


async def test_a_withdrawn_course_cancels_its_open_offers(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "gone", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    await feed.course("gone", revision=2, withdrawn=True)
    assert [s for _, s in await statuses(pool, course_id)] == ["cancelled"] * 3
    assert (await seats(pool, course_id))[1:] == (0, 0, 0)
    cancelled = await events(pool, "zll.enrolment.cancelled.v1")
    assert {c["learner_id"] for c in cancelled if c["cancelled_by"] == "withdrawal"} == {
        "ben",
        "cem",
    }
    with pytest.raises(offers.OfferClosed):
        await answer(pool, course_id, "ben", accept=True)


async def test_a_learner_who_cancels_while_offered_passes_the_seat_to_the_next(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "drop", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    await cancel(pool, course_id, "ben")
    assert await statuses(pool, course_id) == [
        ("ada", "cancelled"), ("ben", "cancelled"), ("cem", "offered")
    ]  # fmt: skip
    assert await seats(pool, course_id) == (1, 0, 1, 0)


async def test_two_offers_accepted_at_the_same_moment_both_take_their_own_seat(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "twin", 2, "ada", "bea", "cem", "dan", "eva")
    await cancel(pool, course_id, "ada")
    await cancel(pool, course_id, "bea")
    answers = await asyncio.gather(
        answer(pool, course_id, "cem", accept=True),
        answer(pool, course_id, "dan", accept=True),
        answer(pool, course_id, "dan", accept=True),  # a double click
    )
    assert [a.status for a in answers] == ["confirmed"] * 3
    assert await seats(pool, course_id) == (2, 2, 0, 1)
    confirmed = [e["learner_id"] for e in await events(pool, "zll.enrolment.confirmed.v1")]
    assert sorted(confirmed[-2:]) == ["cem", "dan"]
    assert confirmed.count("dan") == 1


async def test_the_database_refuses_a_held_seat_beyond_the_capacity(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "guard", 1, "ada", "ben")
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(
            "UPDATE enrolments SET status = 'offered', offer_expires_at = now()"
            " WHERE course_id = $1 AND learner_id = 'ben'",
            course_id,
        )


async def test_the_provider_desk_answers_for_the_learner_and_a_stranger_is_refused(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "desk", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    ben = str(await enrolment_of(pool, course_id, "ben"))
    answer = "zll.enrolment.offer-answered.v1"
    await feed.apply(
        feed.partner(answer, {"enrolment_id": ben, "answer": "accept"}, key=course_id,
                     sender="vhs-other"),
        feed.partner(answer, {"enrolment_id": ben, "answer": "decline"}, key=course_id),
        feed.partner(answer, {"enrolment_id": ben, "answer": "accept"}, key=course_id),
    )  # fmt: skip
    assert [s for _, s in await statuses(pool, course_id)] == ["cancelled", "declined", "offered"]
    refusals = await events(pool, "zll.feedback.rejected.v1")
    assert [r["errors"][0]["field"] for r in refusals] == ["enrolment_id", "enrolment_id"]
    assert "kein Platz reserviert (Stand: declined)" in refusals[1]["errors"][0]["message_de"]


async def test_a_learner_declines_their_own_offer_over_http_and_says_why(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await offering_course(feed, "http", 1, "ada", "ben", "cem")
    await cancel(pool, course_id, "ada")
    ben = await enrolment_of(pool, course_id, "ben")
    async with routes(pool, api_offers.router) as http:
        stranger = await http.post(
            f"/enrolments/{ben}/offer/decline", headers=signed_in("learner", "cem")
        )
        declined = await http.post(
            f"/enrolments/{ben}/offer/decline",
            json={"reason": "passt zeitlich nicht"},
            headers=signed_in("learner", "ben"),
        )
        late = await http.post(
            f"/enrolments/{ben}/offer/accept", headers=signed_in("learner", "ben")
        )
    assert stranger.status_code == 404
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert late.status_code == 409
    [told] = await events(pool, "zll.enrolment.offer-declined.v1")
    assert (told["learner_id"], told["reason"]) == ("ben", "passt zeitlich nicht")
    assert (await statuses(pool, course_id))[-1] == ("cem", "offered")
