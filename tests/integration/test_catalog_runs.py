"""A poll batch of catalog events is learned as one run (enrolment and matching), and the run
keeps what one-by-one kept: each course's newest revision, seats moved only where a known
course changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from services.matching.app import DEFINITION as MATCHING
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed
from tests.support.partner import course
from zll.devstack.stack import DevStack
from zll.platform import testing
from zll.platform.kafka import InboundRecord

pytestmark = pytest.mark.integration


def published(feed: testing.Feed, code: str, revision: int, **changes: Any) -> InboundRecord:
    data = course(code, revision=revision, **changes) | {
        "published_at": datetime.now(UTC).isoformat()
    }
    return feed.record(
        "zll.catalog.course-published.v1", data, source="/services/catalog", key=data["course_id"]
    )


@pytest.fixture
async def ledger_db(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


@pytest.fixture
async def matching_db(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "matching") as pool:
        yield pool


async def test_the_ledger_keeps_the_newest_revision_of_a_run_and_promotes_where_seats_grew(
    ledger_db: asyncpg.Pool,
) -> None:
    feed = Feed(ledger_db)
    full = await feed.course("full", capacity=1)
    await feed.apply(*(feed.request(full, f"l{n}") for n in range(3)))

    await feed.apply(
        published(feed, "full", 3, capacity=2),
        published(feed, "full", 2, capacity=9),  # stale within the run
        published(feed, "new", 1, capacity=5),
        published(feed, "new", 2, capacity=7),
    )

    rows = await ledger_db.fetch("SELECT course_id, revision, capacity, confirmed FROM courses")
    assert sorted(tuple(r) for r in rows) == [
        (full, 3, 2, 2),  # one seat more: the earliest waitlisted moved up
        (full.replace("full", "new"), 2, 7, 0),
    ]


async def test_matching_keeps_the_newest_revision_of_a_run_with_its_details(
    matching_db: asyncpg.Pool,
) -> None:
    feed = testing.Feed(MATCHING, matching_db)

    await feed.apply(
        published(feed, "a", 1, capacity=3, title="Erste Fassung"),
        published(feed, "b", 1, capacity=4),
        published(feed, "a", 2, capacity=6, title="Zweite Fassung"),
        published(feed, "b", 1, capacity=99),  # the same revision again: no effect
    )

    rows = await matching_db.fetch(
        "SELECT course_id, revision, capacity, title, course->>'title' AS published_title"
        " FROM course_supply ORDER BY course_id"
    )
    assert [tuple(r)[1:] for r in rows] == [
        (2, 6, "Zweite Fassung", "Zweite Fassung"),
        (
            1,
            4,
            "Pflegekräfte in der Altenhilfe – Grundlagen",
            "Pflegekräfte in der Altenhilfe – Grundlagen",
        ),
    ]
