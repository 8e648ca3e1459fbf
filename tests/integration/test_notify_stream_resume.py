"""Live streams over two notify instances on one real PostgreSQL: resume in commit order.

Each instance is what a notify process holds for its streams: its own pool and its own
LISTEN hub. Two consumer transactions are held open so that the one with the lower
notification id commits after the one with the higher id, as two instances' consumers can.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator

import asyncpg
import pytest

from services.notify import live
from services.notify.domain import Recipient
from services.notify.live import InboxHub
from tests.integration.databases import SERVICES
from zll.devstack.stack import DevStack
from zll.platform import db

pytestmark = pytest.mark.integration
LENA = Recipient("learner", "lena")
HEARTBEAT = 0.05


class Instance:
    """One notify process's live side: a pool and a hub listening on it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.hub = InboxHub(pool)
        self.task = asyncio.create_task(self.hub.run())

    async def open(self, last_event_id: str | None = None) -> Stream:
        """What `GET …/stream` does: the starting point before the response, then the body."""
        await asyncio.wait_for(self.hub.listening.wait(), 10)
        resume = live.resume_point(last_event_id) if last_event_id is not None else None
        start = await live.starting_point(self.pool, LENA, resume)
        body = live.stream(self.pool, self.hub, LENA, start, HEARTBEAT)
        await anext(body)  # the first line: from here on the stream is subscribed
        return Stream(body)


class Stream:
    """Reads an open stream as a browser does: (SSE id, notification id) per message."""

    def __init__(self, body: AsyncGenerator[str, None]) -> None:
        self.body = body

    async def read(self, quiet_beats: int = 6) -> list[tuple[str, int]]:
        """What comes until the stream has idled for `quiet_beats` heartbeats."""
        found, idle = [], 0
        while idle < quiet_beats:
            chunk = await asyncio.wait_for(anext(self.body), 10)
            if chunk.startswith(": keep-alive"):
                idle += 1
                continue
            fields = dict(line.split(": ", 1) for line in chunk.strip().split("\n"))
            if "data" in fields:
                idle = 0
                found.append((fields["id"], json.loads(fields["data"])["id"]))
        return found

    async def close(self) -> None:
        await self.body.aclose()


@pytest.fixture
async def instances(infra: DevStack) -> AsyncIterator[tuple[Instance, Instance]]:
    url = infra.database_url(f"notify_{uuid.uuid4().hex[:8]}")
    await db.ensure_database(url)
    pools = [await db.open_pool(url, max_size=4) for _ in range(2)]
    await db.migrate(pools[0], SERVICES / "notify" / "migrations")
    pair = (Instance(pools[0]), Instance(pools[1]))
    try:
        yield pair
    finally:
        for instance in pair:
            instance.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await instance.task
        for pool in pools:
            await pool.close()


async def insert(conn: asyncpg.Connection, event_id: str) -> int:
    """One inbox row for Lena, as the consumer writes it (inside its open transaction)."""
    return int(
        await conn.fetchval(
            "INSERT INTO notifications (event_source, event_id, recipient_kind, recipient_id,"
            " kind, category, locale, subject, body_text, body_html, data, in_inbox)"
            " VALUES ('/services/enrolment', $1, 'learner', 'lena', 'enrolment.confirmed',"
            " 'enrolment', 'de', $1, '', '', '{}', true) RETURNING id",
            event_id,
        )
    )


async def test_a_lower_id_committed_after_a_higher_one_reaches_a_resumed_stream_once(
    instances: tuple[Instance, Instance],
) -> None:
    first, second = instances
    watching = await second.open()  # open throughout, on the other instance
    browser = await first.open()
    async with first.pool.acquire() as slow_conn, second.pool.acquire() as fast_conn:
        slow_tx, fast_tx = slow_conn.transaction(), fast_conn.transaction()
        await slow_tx.start()
        await fast_tx.start()
        slow = await insert(slow_conn, "slow")  # takes the lower id ...
        fast = await insert(fast_conn, "fast")
        assert slow < fast
        await fast_tx.commit()  # ... and the higher one commits first
        [(after_fast, got)] = await browser.read()
        assert got == fast
        await browser.close()  # the browser goes away; it keeps `after_fast`

        # It comes back to the other instance while `slow` is still in flight ...
        early = await second.open(after_fast)
        assert await early.read() == []
        await slow_tx.commit()
    # ... and after it committed: both get it, once, the early one live.
    late = await first.open(after_fast)
    [(_, from_database)] = await late.read()
    [(after_slow, live_copy)] = await early.read()
    assert from_database == live_copy == slow
    assert await early.read() == []
    assert await late.read() == []

    # Resuming from the newest position repeats nothing; the open stream had both, once.
    again = await first.open(after_slow)
    assert await again.read() == []
    assert [n for _, n in await watching.read()] == [fast, slow]
    # A page that loaded the inbox resumes from a plain notification id: the same holds.
    from_page = await second.open(str(fast))
    assert [n for _, n in await from_page.read()] == [slow]
    for stream in (again, early, late, watching, from_page):
        await stream.close()
