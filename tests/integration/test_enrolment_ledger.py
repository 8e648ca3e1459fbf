"""The seat ledger against the real PostgreSQL: the consumer's handlers and concurrent HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from zll_contracts.payloads import EnrolmentSource

from services.enrolment import ledger
from tests.integration.databases import fresh_database
from tests.support.enrolment import PROVIDER, Feed, events
from zll.devstack.stack import DevStack
from zll.platform.database import Database
from zll.platform.kafka import InboundRecord

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment", max_size=20) as pool:
        yield pool


async def statuses(pool: asyncpg.Pool, course_id: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT learner_id, status FROM enrolments WHERE course_id = $1 ORDER BY seq", course_id
    )
    return [(r["learner_id"], r["status"]) for r in rows]


async def seats(pool: asyncpg.Pool, course_id: str) -> tuple[int, int, int]:
    row = await pool.fetchrow(
        "SELECT capacity, confirmed, waitlisted FROM courses WHERE course_id = $1", course_id
    )
    return (row["capacity"], row["confirmed"], row["waitlisted"])


async def test_partner_requests_fill_seats_then_the_waitlist_in_arrival_order(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("excel", capacity=2)
    await feed.apply(*(feed.request(course_id, f"l{n}") for n in range(4)))
    assert await statuses(pool, course_id) == [
        ("l0", "confirmed"),
        ("l1", "confirmed"),
        ("l2", "waitlisted"),
        ("l3", "waitlisted"),
    ]
    assert [e["waitlist_position"] for e in await events(pool, "zll.enrolment.waitlisted.v1")] == [
        1,
        2,
    ]
    assert await seats(pool, course_id) == (2, 2, 2)


async def test_the_same_request_twice_has_one_effect(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("dup", capacity=5)
    enrolment_id = str(uuid.uuid4())
    first = feed.request(course_id, "ada", enrolment_id=enrolment_id)
    await feed.apply(first, feed.request(course_id, "ada", enrolment_id=enrolment_id))
    await feed.apply(first)  # redelivered
    assert await statuses(pool, course_id) == [("ada", "confirmed")]
    assert len(await events(pool, "zll.enrolment.confirmed.v1")) == 1


async def test_a_second_request_of_the_same_learner_is_rejected(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("twice", capacity=5)
    await feed.apply(feed.request(course_id, "ada"), feed.request(course_id, "ada"))
    rejected = await events(pool, "zll.enrolment.rejected.v1")
    assert [r["reason_code"] for r in rejected] == ["already-enrolled"]


async def test_requests_for_unknown_withdrawn_or_ended_courses_are_rejected(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    ended = await feed.course("old", start_date="2020-01-01", end_date="2020-02-01")
    gone = await feed.course("gone")
    await feed.course("gone", revision=2, withdrawn=True)
    await feed.apply(
        feed.request(f"{PROVIDER}:nope", "ada"),
        feed.request(gone, "ada"),
        feed.request(ended, "ada"),
    )
    rejected = await events(pool, "zll.enrolment.rejected.v1")
    assert [r["reason_code"] for r in rejected] == [
        "unknown-course",
        "course-withdrawn",
        "course-ended",
    ]


async def test_a_request_from_another_provider_is_refused_with_feedback(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("mine")
    await feed.apply(feed.request(course_id, "ada", sender="vhs-other"))
    assert await statuses(pool, course_id) == []
    feedback = await events(pool, "zll.feedback.rejected.v1")
    assert feedback[0]["provider_id"] == "vhs-other"
    assert feedback[0]["errors"][0]["field"] == "course_id"


async def test_a_request_keyed_other_than_by_its_course_id_is_refused_on_key(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("schluessel")
    keyed_by_learner = feed.request(course_id, "ada")
    keyed_by_learner = dataclasses.replace(keyed_by_learner, key=b"ada")
    await feed.apply(keyed_by_learner, feed.request(course_id, "ben"))
    assert await statuses(pool, course_id) == [("ben", "confirmed")]
    [feedback] = await events(pool, "zll.feedback.rejected.v1")
    assert [e["field"] for e in feedback["errors"]] == ["key"]


async def test_a_cancellation_keyed_other_than_by_its_course_is_refused_on_key(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("schluessel-storno")
    enrolment_id = str(uuid.uuid4())
    await feed.apply(feed.request(course_id, "ada", enrolment_id=enrolment_id))
    cancel = {"enrolment_id": enrolment_id}
    await feed.apply(feed.partner("zll.enrolment.cancel-requested.v1", cancel, key=enrolment_id))
    assert await statuses(pool, course_id) == [("ada", "confirmed")]
    [feedback] = await events(pool, "zll.feedback.rejected.v1")
    assert [e["field"] for e in feedback["errors"]] == ["key"]


async def test_a_cancellation_gives_the_seat_to_the_earliest_waitlisted(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("cancel", capacity=1)
    first = str(uuid.uuid4())
    await feed.apply(
        feed.request(course_id, "ada", enrolment_id=first),
        feed.request(course_id, "ben", contact={"email": "ben@example.org", "locale": "en"}),
        feed.request(course_id, "cem"),
    )
    cancel = {"enrolment_id": first}
    await feed.apply(feed.partner("zll.enrolment.cancel-requested.v1", cancel, key=course_id))
    assert await statuses(pool, course_id) == [
        ("ada", "cancelled"),
        ("ben", "confirmed"),
        ("cem", "waitlisted"),
    ]
    promoted = (await events(pool, "zll.enrolment.confirmed.v1"))[-1]
    assert (promoted["learner_id"], promoted["promoted_from_waitlist"]) == ("ben", True)
    assert (promoted["contact_email"], promoted["locale"]) == ("ben@example.org", "en")
    cancelled = await events(pool, "zll.enrolment.cancelled.v1")
    assert [(c["learner_id"], c["cancelled_by"]) for c in cancelled] == [("ada", "provider")]


async def test_a_cancellation_by_another_provider_is_refused(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("theirs", capacity=1)
    enrolment_id = str(uuid.uuid4())
    await feed.apply(feed.request(course_id, "ada", enrolment_id=enrolment_id))
    await feed.apply(
        feed.partner(
            "zll.enrolment.cancel-requested.v1",
            {"enrolment_id": enrolment_id},
            key=course_id,
            sender="vhs-evil",
        )
    )
    assert await statuses(pool, course_id) == [("ada", "confirmed")]
    assert (await events(pool, "zll.feedback.rejected.v1"))[0]["provider_id"] == "vhs-evil"


async def test_capacity_changes_promote_but_never_revoke(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("resize", capacity=2)
    await feed.apply(*(feed.request(course_id, f"l{n}") for n in range(5)))
    await feed.course("resize", revision=2, capacity=1)
    assert await seats(pool, course_id) == (1, 2, 3)  # nobody lost a seat
    await feed.course("resize", revision=3, capacity=4)
    assert [s for _, s in await statuses(pool, course_id)] == ["confirmed"] * 4 + ["waitlisted"]
    await feed.course("resize", revision=2, capacity=9)  # stale: no effect
    assert await seats(pool, course_id) == (4, 4, 1)


async def test_a_withdrawal_cancels_every_open_enrolment_and_tells_each_learner(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("withdraw", capacity=1)
    await feed.apply(*(feed.request(course_id, f"l{n}") for n in range(3)))
    await feed.course("withdraw", revision=2, withdrawn=True, capacity=1)
    assert {s for _, s in await statuses(pool, course_id)} == {"cancelled"}
    cancelled = await events(pool, "zll.enrolment.cancelled.v1")
    assert sorted(c["learner_id"] for c in cancelled) == ["l0", "l1", "l2"]
    assert {c["cancelled_by"] for c in cancelled} == {"withdrawal"}
    assert await seats(pool, course_id) == (1, 0, 0)


async def test_an_accepted_placement_confirms_or_says_the_seat_has_gone(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id = await feed.course("placed", capacity=1)

    def accepted(learner: str) -> InboundRecord:
        data = {
            "placement_id": f"p-{learner}",
            "learner_id": learner,
            "offer_id": course_id,
            "offer_kind": "course",
            "round_id": "r1",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        return feed.record(
            "zll.placement.accepted.v1", data, source="/services/matching", key=learner
        )

    await feed.apply(accepted("ada"), accepted("ben"))
    confirmed = await events(pool, "zll.enrolment.confirmed.v1")
    waitlisted = await events(pool, "zll.enrolment.waitlisted.v1")
    assert (confirmed[0]["source"], confirmed[0]["placement_id"]) == ("placement", "p-ada")
    assert (waitlisted[0]["source"], waitlisted[0]["placement_id"]) == ("placement", "p-ben")
    assert "taken meanwhile" in waitlisted[0]["reason"]


async def test_http_and_partner_requests_at_once_never_overbook(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("hot", capacity=7)

    async def http(n: int) -> None:
        wanted = ledger.Request(
            uuid.uuid4(), course_id, f"h{n}", EnrolmentSource.HTTP, datetime.now(UTC)
        )
        async with Database(pool, "/services/enrolment").unit_of_work() as uow:
            await ledger.enrol(uow, [wanted], datetime.now(UTC).date())

    partner_batches = [
        feed.apply(*(feed.request(course_id, f"p{b}-{n}") for n in range(10))) for b in range(4)
    ]
    await asyncio.gather(*(http(n) for n in range(30)), *partner_batches)
    rows = await statuses(pool, course_id)
    assert len(rows) == 70
    assert sum(s == "confirmed" for _, s in rows) == 7
    # First come, first served: every confirmed enrolment arrived before every waitlisted one.
    assert [s for _, s in rows] == ["confirmed"] * 7 + ["waitlisted"] * 63
    assert await seats(pool, course_id) == (7, 7, 63)


async def test_the_database_itself_refuses_an_overbooking(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id = await feed.course("guard", capacity=1)
    insert = (
        "INSERT INTO enrolments (enrolment_id, course_id, learner_id, status, source, requested_at)"
        " VALUES ($1, $2, $3, 'confirmed', 'http', now())"
    )
    await pool.execute(insert, uuid.uuid4(), course_id, "ada")
    with pytest.raises(asyncpg.CheckViolationError, match="overbooked"):
        await pool.execute(insert, uuid.uuid4(), course_id, "ben")
