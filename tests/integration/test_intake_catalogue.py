"""Intake's copy of the catalogue, from the catalog's topic through its real wiring: the
newest revision wins, a withdrawal takes a course off the exports, a late old one does not
bring it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.intake import catalogue
from services.intake.app import DEFINITION
from tests.integration.databases import fresh_database
from tests.integration.test_notify_delivery import published
from zll.devstack.stack import DevStack
from zll.platform.testing import Feed

pytestmark = pytest.mark.integration
COURSE = "vhs-kassel:sw-1"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "intake") as pool:
        yield pool


def on_catalog(feed: Feed, ce_type: str, data: dict[str, Any]) -> Any:
    return feed.record(f"zll.catalog.{ce_type}.v1", data, source="/services/catalog")


def withdrawn(revision: int) -> dict[str, Any]:
    return published(COURSE, revision) | {
        "reason": "Vom Anbieter abgesagt.",
        "withdrawn_at": "2026-12-01T09:00:00Z",
    }


async def live(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return [c async for c in catalogue.live_courses(conn, "vhs-kassel")]


async def test_the_newest_revision_is_exported_and_an_older_one_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(DEFINITION, pool)
    await feed.apply(
        on_catalog(feed, "course-published", published(COURSE, 2, title="Schweißen kompakt")),
        on_catalog(feed, "course-published", published(COURSE, 1, title="Schweißen alt")),
    )

    [course] = await live(pool)
    assert (course["revision"], course["title"]) == (2, "Schweißen kompakt")
    assert "published_at" not in course


async def test_a_withdrawn_course_leaves_the_exports_until_a_newer_revision(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(DEFINITION, pool)
    await feed.apply(
        on_catalog(feed, "course-published", published(COURSE, 3)),
        on_catalog(feed, "course-withdrawn", withdrawn(3)),
        on_catalog(feed, "course-published", published(COURSE, 3)),  # redelivered, late
    )
    assert await live(pool) == []

    await feed.apply(on_catalog(feed, "course-published", published(COURSE, 4)))
    assert [c["revision"] for c in await live(pool)] == [4]
