"""The catalog's search indexer against a real PostgreSQL: search ends at the stored state."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from zll_contracts.payloads import CoursePublished, CourseUpserted, CourseWithdrawn

from services.catalog import compounds, domain, indexer, search, store
from services.catalog.indexer import SearchIndexer
from tests.integration.databases import catalog_with_provider
from tests.support.partner import course
from zll.devstack.stack import DevStack

PROVIDER = "vhs-index"
COURSE_ID = f"{PROVIDER}:k1"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with catalog_with_provider(infra, PROVIDER) as pool:
        yield pool


def published(revision: int, title: str) -> CoursePublished:
    data: dict[str, Any] = course("k1", provider=PROVIDER) | {"revision": revision, "title": title}
    return domain.publish(CourseUpserted.model_validate(data), datetime.now(UTC))


async def save(pool: asyncpg.Pool, *courses: CoursePublished) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await store.save_courses(conn, [(c, c.model_dump_json().encode()) for c in courses])


async def found(pool: asyncpg.Pool, q: str) -> list[str]:
    async with pool.acquire() as conn:
        hits = await search.search_courses(conn, search.CourseFilter(q=q), after=None, limit=10)
    return [document["course_id"] for document, _ in hits]


async def backlog(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM search_backlog"))


async def test_a_stored_course_is_findable_once_the_indexer_has_run(pool: asyncpg.Pool) -> None:
    await save(pool, published(1, "Schweißen Grundkurs"))
    assert await found(pool, "schweissen") == []  # stored, not yet indexed
    assert await SearchIndexer(pool).index_pending() == 1
    assert await found(pool, "schweissen") == [COURSE_ID]
    assert await backlog(pool) == 0
    assert await SearchIndexer(pool).index_pending() == 0


async def test_a_withdrawal_leaves_search_at_once_without_the_indexer(pool: asyncpg.Pool) -> None:
    await save(pool, published(1, "Pflegekräfte im Beruf"))
    await SearchIndexer(pool).index_pending()
    withdrawal = CourseWithdrawn(
        course_id=COURSE_ID, provider_id=PROVIDER, revision=2, reason="cancelled"
    )
    async with pool.acquire() as conn, conn.transaction():
        stored = await store.stored_course(conn, COURSE_ID)
        withdrawn = domain.withdraw(withdrawal, stored, datetime.now(UTC))
        assert withdrawn is not None
        await store.save_withdrawal(conn, withdrawn)
    assert await found(pool, "Pflegekraft") == []
    await SearchIndexer(pool).index_pending()  # the queued copy changes nothing
    assert await found(pool, "Pflegekraft") == []


async def test_a_course_changed_while_being_indexed_is_indexed_again(pool: asyncpg.Pool) -> None:
    await save(pool, published(1, "Buchhaltung kompakt"))
    async with pool.acquire() as indexing, indexing.transaction():
        claimed = await indexing.fetch("DELETE FROM search_backlog RETURNING course_id")
        # Revision 2 is stored meanwhile; its queue entry waits for the claim to commit.
        change = asyncio.create_task(save(pool, published(2, "Gabelstapler Praxis")))
        await asyncio.sleep(0.3)
        assert not change.done()
        await indexer.index_courses(indexing, [r["course_id"] for r in claimed])
    await change
    assert await found(pool, "Buchhaltung") == [COURSE_ID]  # what the claim saw: revision 1
    assert await backlog(pool) == 1
    await SearchIndexer(pool).index_pending()
    assert await found(pool, "Gabelstapler") == [COURSE_ID]
    assert await found(pool, "Buchhaltung") == []


async def test_while_a_batch_is_split_into_compounds_the_service_answers_requests(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splitting is CPU-bound Python: on the event loop, no search would be answered until
    the whole batch was split. Here the splitting waits for the loop to answer meanwhile."""
    splitting, answered = threading.Event(), threading.Event()
    answered_while_splitting: list[bool] = []
    split = compounds.index_text

    def waiting_split(*texts: str) -> str:
        splitting.set()
        answered_while_splitting.append(answered.wait(timeout=3))
        return split(*texts)

    monkeypatch.setattr(compounds, "index_text", waiting_split)
    await save(pool, published(1, "Altenpflegehilfe"))
    indexing = asyncio.create_task(SearchIndexer(pool).index_pending())
    assert await asyncio.to_thread(splitting.wait, 10)
    answered.set()  # what a request handled by the loop would do now
    assert await indexing == 1
    assert answered_while_splitting
    assert all(answered_while_splitting)
    assert await found(pool, "Pflege") == [COURSE_ID]
