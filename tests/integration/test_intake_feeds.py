"""A provider's feed against real PostgreSQL and a real HTTP server serving its export.

The region pulls on schedule with a conditional GET: an unchanged export is answered 304 and
publishes nothing; a due feed is pulled once even by two instances looking at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import httpx
import pytest

from services.intake import Limits, feed_store
from services.intake.config import IntakeSettings
from services.intake.feeds import FEED, run_due
from tests.e2e.test_intake import export, veranstaltung
from tests.integration.databases import fresh_database
from zll.devstack.stack import DevStack
from zll.platform.database import Database

pytestmark = pytest.mark.integration
PROVIDER = "vhs-feed-test"
LOCAL = IntakeSettings(feed_addresses="loopback", feed_timeout_seconds=5)


@dataclass
class ExportServer:
    """Serves one document at /export.xml with an ETag, honouring If-None-Match; counts GETs."""

    body: bytes = b""
    requests: list[dict[str, str]] = field(default_factory=list)
    delay_seconds: float = 0.0
    redirect_to: str | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/export.xml"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@contextlib.contextmanager
def serving(server: ExportServer) -> Iterator[ExportServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(dict(self.headers))
            if server.delay_seconds:
                time.sleep(server.delay_seconds)
            if server.redirect_to:
                self.send_response(302)
                self.send_header("Location", server.redirect_to)
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == server.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("ETag", server.etag)
            self.send_header("Content-Length", str(len(server.body)))
            self.end_headers()
            self.wfile.write(server.body)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.port = http.server_address[1]
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "intake") as pool:
        yield pool


@pytest.fixture
def server() -> Iterator[ExportServer]:
    with serving(
        ExportServer(export(veranstaltung("F-1", "Aquarell"), veranstaltung("F-2", "Ölmalerei")))
    ) as s:
        yield s


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False) as client:
        yield client


async def register(pool: asyncpg.Pool, url: str) -> None:
    async with pool.acquire() as conn:
        await feed_store.register(conn, PROVIDER, url, None, 1440 * 60)


async def make_due(pool: asyncpg.Pool) -> None:
    await pool.execute("UPDATE feeds SET next_pull_at = now() WHERE provider_id = $1", PROVIDER)


async def events(
    pool: asyncpg.Pool, topic: str = "zll.provider.courses.v1"
) -> list[tuple[str, dict[str, bytes]]]:
    """The outbox of one topic as (ce_type, headers) in order of writing."""
    rows = await pool.fetch(
        "SELECT header_names, header_values FROM outbox WHERE topic = $1 ORDER BY id", topic
    )
    found = []
    for row in rows:
        headers = dict(zip(row["header_names"], row["header_values"], strict=True))
        found.append((headers["ce_type"].decode(), headers))
    return found


async def feed_of(pool: asyncpg.Pool) -> feed_store.Feed:
    async with pool.acquire() as conn:
        found = await feed_store.get(conn, PROVIDER)
    assert found is not None
    return found


async def test_a_registered_feed_is_pulled_when_due_and_its_courses_published_with_provenance(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)

    assert await run_due(db, client, LOCAL, Limits()) == 1

    published = await events(pool)
    assert [t for t, _ in published] == ["zll.course.upserted.v1"] * 2
    feed = await feed_of(pool)
    assert feed.last_outcome == "taken"
    assert all(h["ce_zllfeed"] == FEED.encode() for _, h in published)
    assert all(h["ce_zllimport"] == feed.last_import_id.encode() for _, h in published)  # type: ignore[union-attr]
    [told] = await pool.fetch("SELECT value FROM outbox WHERE topic = 'zll.provider.feedback.v1'")
    report = json.loads(told["value"])
    assert report["import_id"] == feed.last_import_id
    assert (report["outcome"], report["counts"]["new"]) == ("taken", 2)
    # Not due again until its interval has passed.
    assert await run_due(db, client, LOCAL, Limits()) == 0
    assert len(server.requests) == 1


async def test_an_unchanged_export_is_answered_304_and_publishes_nothing(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)
    await run_due(db, client, LOCAL, Limits())
    taken = (await feed_of(pool)).last_import_id

    await make_due(pool)
    assert await run_due(db, client, LOCAL, Limits()) == 1

    assert server.requests[-1].get("If-None-Match") == server.etag
    feed = await feed_of(pool)
    assert feed.last_outcome == "not_modified"
    assert feed.last_import_id == taken
    assert len(await events(pool)) == 2
    assert await pool.fetchval("SELECT count(*) FROM imports") == 1


async def test_a_changed_export_publishes_only_its_changes(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)
    await run_due(db, client, LOCAL, Limits())

    server.body = export(veranstaltung("F-1", "Aquarell"), veranstaltung("F-3", "Radierung"))
    await make_due(pool)
    await run_due(db, client, LOCAL, Limits())

    later = [t for t, _ in (await events(pool))[2:]]
    assert sorted(later) == ["zll.course.upserted.v1", "zll.course.withdrawn.v1"]


async def test_two_instances_looking_at_once_pull_a_due_feed_once(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    await register(pool, server.url)
    one, other = Database(pool, "/services/intake"), Database(pool, "/services/intake")

    pulled = await asyncio.gather(
        run_due(one, client, LOCAL, Limits()), run_due(other, client, LOCAL, Limits())
    )

    assert sorted(pulled) == [0, 1]
    assert len(server.requests) == 1
    assert await pool.fetchval("SELECT count(*) FROM imports") == 1


async def test_the_schedule_outlives_the_process_that_registered_it(
    infra: DevStack, server: ExportServer, client: httpx.AsyncClient
) -> None:
    async with fresh_database(infra, "intake") as pool:
        await register(pool, server.url)
        url = infra.database_url(await pool.fetchval("SELECT current_database()"))
    # A new process: a new pool on the same database finds the feed due.
    restarted = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        assert await run_due(Database(restarted, "/services/intake"), client, LOCAL, Limits()) == 1
    finally:
        await restarted.close()


async def test_a_feed_on_a_local_address_is_not_fetched_unless_the_region_is_a_development_one(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)

    await run_due(db, client, IntakeSettings(feed_addresses="public"), Limits())

    feed = await feed_of(pool)
    assert feed.last_outcome == "failed"
    assert feed.last_error is not None
    assert "öffentliche Adressen" in feed.last_error["de"]
    assert server.requests == []
    assert await events(pool) == []
    assert await events(pool, "zll.provider.feedback.v1") == []  # the feed state says it


async def test_a_feed_answering_too_slowly_fails_and_publishes_nothing(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)
    server.delay_seconds = 2

    slow = IntakeSettings(feed_addresses="loopback", feed_timeout_seconds=0.3)
    await run_due(db, client, slow, Limits())

    feed = await feed_of(pool)
    assert feed.last_outcome == "failed"
    assert feed.last_error is not None
    assert "länger als" in feed.last_error["de"]
    assert feed.leased_until is None  # given back: the next turn may try again
    assert await events(pool) == []


async def test_a_broken_export_is_refused_whole_and_said_why(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    server.body = server.body[: len(server.body) // 2]  # truncated
    await register(pool, server.url)

    await run_due(db, client, LOCAL, Limits())

    feed = await feed_of(pool)
    assert feed.last_outcome == "refused"
    assert feed.last_error is not None
    assert await events(pool) == []
    [told] = await pool.fetch("SELECT value FROM outbox WHERE topic = 'zll.provider.feedback.v1'")
    report = json.loads(told["value"])
    assert report["outcome"] == "refused"
    assert report["reason_de"] == feed.last_error["de"]


async def test_a_feed_redirecting_in_circles_fails_after_the_allowed_redirects(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, server.url)
    server.redirect_to = server.url

    await run_due(db, client, LOCAL, Limits())

    feed = await feed_of(pool)
    assert feed.last_outcome == "failed"
    assert feed.last_error is not None
    assert "Weiterleitungen" in feed.last_error["de"]
    assert len(server.requests) == LOCAL.feed_max_redirects + 1
    assert await events(pool) == []


async def test_a_development_region_fetches_from_this_machine_only(
    pool: asyncpg.Pool, server: ExportServer, client: httpx.AsyncClient
) -> None:
    db = Database(pool, "/services/intake")
    await register(pool, "http://192.0.2.10/export.xml")  # TEST-NET-1: never reached

    await run_due(db, client, LOCAL, Limits())

    feed = await feed_of(pool)
    assert feed.last_outcome == "failed"
    assert feed.last_error is not None
    assert "192.0.2.10" in feed.last_error["de"]
