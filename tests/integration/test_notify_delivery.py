"""Notify against real PostgreSQL and the dev stack's mail sink: inbox, e-mail, webhooks, once."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from standardwebhooks.webhooks import Webhook

from services.notify import store
from services.notify import store_deliveries as queue
from services.notify.app import DEFINITION
from services.notify.config import NotifySettings
from services.notify.dispatch import Dispatcher, Sender
from services.notify.domain import Recipient
from services.notify.senders import EmailSender, WebhookSender
from tests.integration.databases import fresh_database
from zll.devstack.infra import EmbeddedPostgres
from zll.devstack.mailsink import read_mail, stored_mails
from zll.devstack.stack import DevStack
from zll.platform import db
from zll.platform.kafka import InboundRecord
from zll.platform.testing import Feed

pytestmark = pytest.mark.integration
SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
SKILL = "http://data.europa.eu/esco/skill/test-welding"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    """A fresh notify database per test."""
    async with fresh_database(infra, "notify") as pool:
        yield pool


def notify_feed(pool: asyncpg.Pool) -> Feed:
    """Events as the other services publish them, applied through notify's real wiring."""
    return Feed(DEFINITION, pool)


def enrolment(ce: str, course_id: str, learner: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    data = {
        "enrolment_id": str(uuid.uuid4()),
        "course_id": course_id,
        "learner_id": learner,
        "occurred_at": "2026-11-23T10:00:00Z",
        **extra,
    }
    return f"zll.enrolment.{ce}.v1", data


def published(course_id: str, revision: int, **changes: Any) -> dict[str, Any]:
    provider = course_id.split(":")[0]
    return {
        "course_id": course_id,
        "provider_id": provider,
        "revision": revision,
        "title": "Schweißen Grundkurs",
        "format": "onsite",
        "location": {"municipality": "Kassel", "postcode": "34117"},
        "start_date": "2027-03-01",
        "end_date": "2027-04-30",
        "capacity": 10,
        "price_eur": 100,
        "funding": [],
        "target_groups": ["working-age"],
        "modules": [
            {
                "module_id": "m1",
                "title": "MIG",
                "workload_hours": 20,
                "eqf_level": 3,
                "skills": [SKILL],
                "certificate": "attendance",
            }
        ],
        "published_at": "2026-11-23T09:00:00Z",
        **changes,
    }


def on(feed: Feed, ce_type: str, data: dict[str, Any]) -> InboundRecord:
    """The event as the service that writes it would publish it."""
    writer = {
        "enrolment": "/services/enrolment",
        "recognition": "/services/enrolment",
        "catalog": "/services/catalog",
        "feedback": "/services/catalog",
        "placement": "/services/matching",
        "demand": "/services/matching",
    }[ce_type.split(".")[1]]
    return feed.record(ce_type, data, source=writer)


async def inbox(pool: asyncpg.Pool, kind: str, who: str) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return await store.inbox(conn, Recipient(kind, who), limit=100, before=None, unread=False)  # type: ignore[arg-type]


async def deliveries(pool: asyncpg.Pool, kind: str, who: str) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        who_ = Recipient(kind, who)  # type: ignore[arg-type]
        return await queue.deliveries_of(conn, who_, status=None, limit=100, before=None)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_every_learner_notification_lands_in_the_inbox_once(pool: asyncpg.Pool) -> None:
    feed, course, lena = notify_feed(pool), f"{unique('vhs')}:sw", unique("lena")
    batch = [
        on(feed, "zll.catalog.course-published.v1", published(course, 1)),
        on(feed, *enrolment("waitlisted", course, lena, waitlist_position=2)),
        on(feed, *enrolment("confirmed", course, lena, source="http", promoted_from_waitlist=True)),
        on(feed, *enrolment("certified", course, lena, certificate_id="c-1", modules=["m1"])),
        on(feed, *enrolment("cancelled", course, lena, cancelled_by="provider", reason="Umzug")),
        on(feed, "zll.placement.proposed.v1", {
            "placement_id": "pl-1", "learner_id": lena, "offer_id": course, "offer_kind": "course",
            "occurred_at": "2026-11-23T10:00:00Z"}),
    ]  # fmt: skip
    await feed.apply(*batch)
    await feed.apply(*batch)  # a redelivered batch

    kinds = [n["kind"] for n in reversed(await inbox(pool, "learner", lena))]
    assert kinds == [
        "enrolment.waitlisted",
        "enrolment.promoted",
        "certificate.issued",
        "enrolment.cancelled",
        "placement.proposed",
    ]
    [waitlisted] = [
        n for n in await inbox(pool, "learner", lena) if n["kind"] == "enrolment.waitlisted"
    ]
    assert "Platz 2" in waitlisted["text"]
    assert "Schweißen Grundkurs" in waitlisted["subject"]
    [proposal] = [
        n for n in await inbox(pool, "learner", lena) if n["kind"] == "placement.proposed"
    ]
    assert "/placements/pl-1/accept" in proposal["text"]
    provider_inbox = await inbox(pool, "partner", course.split(":")[0])
    assert [n["kind"] for n in provider_inbox] == ["enrolment.new"]


async def test_a_seat_offer_reaches_the_learner_and_the_providers_webhook_once(
    pool: asyncpg.Pool,
) -> None:
    feed, course, lena = notify_feed(pool), f"{unique('vhs')}:sw", unique("lena")
    provider = course.split(":")[0]
    async with pool.acquire() as conn:
        await store.put_webhook(conn, provider, "http://127.0.0.1:9/hook", SECRET, [])
    deadline = "2027-02-20T09:00:00Z"
    offered = enrolment("offered", course, lena, offer_expires_at=deadline, source="http",
                        contact_email=f"{lena}@example.org")  # fmt: skip
    expired = enrolment("offer-expired", course, lena, offer_expires_at=deadline)
    expired[1]["enrolment_id"] = offered[1]["enrolment_id"]
    batch = [
        on(feed, "zll.catalog.course-published.v1", published(course, 1)),
        on(feed, *offered),
        on(feed, *expired),
    ]
    await feed.apply(*batch)
    await feed.apply(*batch)  # a redelivered batch

    learner = list(reversed(await inbox(pool, "learner", lena)))
    assert [n["kind"] for n in learner] == ["offer.made", "offer.expired"]
    assert "bis 2027-02-20 10:00 Uhr" in learner[0]["text"]
    partner = list(reversed(await inbox(pool, "partner", provider)))
    assert [n["data"]["status"] for n in partner] == ["offered", "expired"]
    channels = [d["channel"] for d in await deliveries(pool, "partner", provider)]
    assert channels == ["webhook", "webhook"]
    assert [d["channel"] for d in await deliveries(pool, "learner", lena)] == ["email", "email"]


async def test_a_moved_course_reaches_its_learners_but_not_those_who_left(
    pool: asyncpg.Pool,
) -> None:
    feed, course = notify_feed(pool), f"{unique('vhs')}:sw"
    stays, leaves = unique("stays"), unique("leaves")
    confirmed = enrolment("confirmed", course, leaves, source="http")
    await feed.apply(
        on(feed, "zll.catalog.course-published.v1", published(course, 1)),
        on(feed, *enrolment("confirmed", course, stays, source="http", locale="en-GB")),
        on(feed, *confirmed),
        on(feed, "zll.enrolment.cancelled.v1", {**confirmed[1], "cancelled_by": "learner"}),
    )
    await feed.apply(
        on(feed, "zll.catalog.course-published.v1", published(course, 2, title="Neu")),
        on(feed, "zll.catalog.course-published.v1", published(course, 3, start_date="2027-03-08")),
        on(feed, "zll.catalog.course-published.v1", published(course, 2, start_date="2027-01-01")),
    )

    [moved] = [n for n in await inbox(pool, "learner", stays) if n["kind"] == "course.changed"]
    assert moved["locale"] == "en"
    assert "Start: 2027-03-01 → 2027-03-08" in moved["text"]
    assert [n["kind"] for n in await inbox(pool, "learner", leaves)] == [
        "enrolment.cancelled",
        "enrolment.confirmed",
    ]


async def test_a_recognition_request_reaches_the_provider_and_its_answer_the_learner(
    pool: asyncpg.Pool,
) -> None:
    feed, course, lena = notify_feed(pool), f"{unique('vhs')}:kfm", unique("lena")
    provider = course.split(":")[0]
    asked = {"request_id": str(uuid.uuid4()), "course_id": course, "provider_id": provider,
             "learner_id": lena, "occurred_at": "2026-11-23T10:00:00Z"}  # fmt: skip
    await feed.apply(
        on(feed, "zll.catalog.course-published.v1", published(course, 1)),
        on(feed, "zll.recognition.requested.v1", {
            **asked, "modules": ["m1"], "reasons": ["Modul 1 wird angerechnet: Fibu I"]}),
        on(feed, "zll.recognition.answered.v1", {
            **asked, "decision_id": "d1", "outcome": "accepted", "modules": ["m1"],
            "contact_email": f"{lena}@example.org", "locale": "en"}),
    )  # fmt: skip

    [request] = await inbox(pool, "partner", provider)
    assert request["kind"] == "recognition.requested"
    assert "Schweißen Grundkurs" in request["subject"]
    [answer] = await inbox(pool, "learner", lena)
    assert (answer["kind"], answer["locale"]) == ("recognition.answered", "en")
    assert [d["channel"] for d in await deliveries(pool, "learner", lena)] == ["email"]


async def test_a_declined_offer_is_news_for_the_provider_only(pool: asyncpg.Pool) -> None:
    feed, course, lena = notify_feed(pool), f"{unique('vhs')}:sw", unique("lena")
    await feed.apply(on(feed, *enrolment("offer-declined", course, lena)))

    assert await inbox(pool, "learner", lena) == []
    [partner] = await inbox(pool, "partner", course.split(":")[0])
    assert (partner["kind"], partner["data"]["status"]) == ("enrolment.offer", "declined")


async def test_providers_teaching_a_missing_skill_hear_of_the_gap(pool: asyncpg.Pool) -> None:
    feed = notify_feed(pool)
    teacher, other = unique("vhs"), unique("bs")
    await feed.apply(
        on(feed, "zll.catalog.course-published.v1", published(f"{teacher}:sw", 1)),
        on(feed, "zll.catalog.course-published.v1", published(f"{other}:x", 1, modules=[{
            "module_id": "m", "title": "t", "workload_hours": 1, "eqf_level": 2,
            "skills": ["http://data.europa.eu/esco/skill/other"], "certificate": "none"}])),
        on(feed, "zll.demand.gap-detected.v1", {
            "municipality": "Kassel", "skill": SKILL, "horizon": "short", "demand": 30,
            "supply": 10, "gap": 20, "detected_at": "2026-11-23T10:00:00Z"}),
    )  # fmt: skip

    [advice] = await inbox(pool, "partner", teacher)
    assert advice["kind"] == "demand.gap"
    assert "es fehlen 20 Plätze" in advice["text"]
    assert await inbox(pool, "partner", other) == []


async def test_preferences_turn_a_channel_or_a_category_off(pool: asyncpg.Pool) -> None:
    feed, course = notify_feed(pool), f"{unique('vhs')}:sw"
    quiet, no_mail = unique("quiet"), unique("nomail")
    async with pool.acquire() as conn:
        await store.put_preferences(
            conn, Recipient("learner", quiet),
            channels_off=[], categories_off=["enrolment"], email=None, locale=None,
        )  # fmt: skip
        await store.put_preferences(
            conn, Recipient("learner", no_mail),
            channels_off=["email"], categories_off=[], email="x@example.org", locale="en",
        )  # fmt: skip
    await feed.apply(
        on(feed, *enrolment("confirmed", course, quiet, source="http")),
        on(feed, *enrolment("confirmed", course, no_mail, source="http", contact_email="y@e.org")),
    )

    assert await inbox(pool, "learner", quiet) == []
    [in_english] = await inbox(pool, "learner", no_mail)
    assert in_english["locale"] == "en"
    assert await deliveries(pool, "learner", no_mail) == []


# --- sending -------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on a loopback port that answers with whatever `status` says."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")[1:]
                headers = {
                    k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((headers, body))
                writer.write(f"HTTP/1.1 {self.status} X\r\ncontent-length: 0\r\n\r\n".encode())
                await writer.drain()
        writer.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def dispatching(pool: asyncpg.Pool, settings: NotifySettings) -> AsyncIterator[Dispatcher]:
    email, webhook = EmailSender(settings), WebhookSender(settings)
    senders: dict[str, Sender] = {"email": email, "webhook": webhook}
    dispatcher = Dispatcher(pool, settings, senders)
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await email.close()
        await webhook.close()


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        await asyncio.sleep(0.05)
    return result


def fast(infra: DevStack, **overrides: Any) -> NotifySettings:
    values: dict[str, Any] = {
        "smtp_port": infra.smtp_port,
        "retry_base_seconds": 0.05,
        "retry_cap_seconds": 0.2,
        "poll_seconds": 0.05,
        **overrides,
    }
    return NotifySettings(**values)


async def test_an_email_has_text_and_html_and_a_resend_keeps_its_message_id(
    pool: asyncpg.Pool, infra: DevStack
) -> None:
    feed, course, lena = notify_feed(pool), f"{unique('vhs')}:sw", unique("lena")
    address = f"{lena}@example.org"
    await feed.apply(
        on(feed, *enrolment("waitlisted", course, lena, waitlist_position=3,
                            contact_email=address, locale="en")),
    )  # fmt: skip

    def mails() -> list[Any]:
        return [read_mail(m.path) for m in stored_mails(infra.layout.mail) if m.to == address]

    async def sent() -> bool:
        return [d["status"] for d in await deliveries(pool, "learner", lena)] == ["sent"]

    async with dispatching(pool, fast(infra)):
        await until(sent)
        # A crash after sending but before recording: the lease ends, the mail goes again.
        await pool.execute("UPDATE deliveries SET status = 'pending', next_attempt_at = now()")
        await until(sent)
    [first, second] = await until(lambda: asyncio.sleep(0, mails() if len(mails()) == 2 else None))

    assert first["Message-ID"] == second["Message-ID"]
    assert first["Subject"].startswith("Waiting list, position 3")
    assert "number 3 on the waiting list" in first.get_body(("plain",)).get_content()
    assert "<strong>number 3</strong>" in first.get_body(("html",)).get_content()


async def test_webhooks_are_signed_retried_parked_and_replayable(
    pool: asyncpg.Pool, infra: DevStack
) -> None:
    feed, partner = notify_feed(pool), unique("vhs")
    async with Receiver() as receiver:
        async with pool.acquire() as conn:
            await store.put_webhook(conn, partner, receiver.url, SECRET, [])
        receiver.status = 503
        await feed.apply(on(feed, "zll.feedback.rejected.v1", {
            "provider_id": partner, "original_ce_id": "ce-42", "topic": "zll.provider.courses.v1",
            "errors": [{"field": "title", "message": "must not be empty"}]}))  # fmt: skip

        async def parked() -> list[dict[str, Any]]:
            found = await deliveries(pool, "partner", partner)
            return found if found[0]["status"] == "failed" else []

        async with dispatching(pool, fast(infra, max_attempts=3)):
            [failed] = await until(parked)
            assert failed["attempts"] == 3
            assert "HTTP 503" in failed["last_error"]
            receiver.status = 200
            async with pool.acquire() as conn:
                await queue.replay(conn, Recipient("partner", partner), failed["id"])
            await until(lambda: asyncio.sleep(0, len(receiver.requests) == 4))

    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(ids) == 1  # every retry and the replay carry the same idempotency key
    headers, body = receiver.requests[-1]
    payload = Webhook(SECRET).verify(body, headers)
    assert payload["type"] == "zll.notification.feedback.rejected"
    assert "title: must not be empty" in payload["data"]["text"]
    assert [d["status"] for d in await deliveries(pool, "partner", partner)] == ["sent"]


async def test_a_receiver_that_is_down_does_not_hold_up_the_others(
    pool: asyncpg.Pool, infra: DevStack
) -> None:
    feed, up, down = notify_feed(pool), unique("up"), unique("down")
    async with Receiver() as receiver:
        async with pool.acquire() as conn:
            await store.put_webhook(conn, up, receiver.url, SECRET, [])
            await store.put_webhook(conn, down, f"http://127.0.0.1:{closed_port()}/", SECRET, [])
        events = [
            on(feed, "zll.feedback.rejected.v1", {
                "provider_id": who, "original_ce_id": f"ce-{n}", "topic": "t",
                "errors": [{"field": "f", "message": "m"}]})
            for n in range(20) for who in (down, up)
        ]  # fmt: skip
        await feed.apply(*events)

        async def all_up_delivered() -> bool:
            return len(receiver.requests) == 20

        async with dispatching(pool, fast(infra, retry_base_seconds=60, retry_cap_seconds=60)):
            await until(all_up_delivered)
            await until(lambda: _all_tried(pool, down))
    statuses = {d["status"] for d in await deliveries(pool, "partner", down)}
    assert statuses == {"pending"}  # waiting for their next attempt, scheduled in the database


async def _all_tried(pool: asyncpg.Pool, partner: str) -> bool:
    return all(
        d["attempts"] == 1 and d["last_error"] for d in await deliveries(pool, "partner", partner)
    )


# --- a PostgreSQL restart under the dispatcher ---------------------------------------------


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own: the test restarts it under a running dispatcher."""
    postgres = EmbeddedPostgres(tmp_path / "pgdata")
    postgres.start()
    try:
        yield postgres
    finally:
        postgres.stop()


async def test_after_a_postgresql_restart_the_dispatcher_still_wakes_at_once(
    own_postgres: EmbeddedPostgres, infra: DevStack
) -> None:
    """A NOTIFY wakes the dispatcher; it polls only every minute here. After the restart it
    must listen again, or a new delivery would wait for the poll."""
    url = own_postgres.uri("notify_restart")
    await db.ensure_database(url)
    pool = await db.open_pool(url)
    # Once in a full fresh-clone run (2026-12-04 21:26 UTC) this test hung for minutes with the
    # event loop idle; alone it passed 12 runs of 12. Bounded, a hang fails here and its
    # traceback names the await that never returned.
    async with asyncio.timeout(90):
        try:
            await db.migrate(pool, Path(__file__).parents[2] / "services" / "notify" / "migrations")
            feed, partner = notify_feed(pool), unique("vhs")

            def refusal(n: int) -> InboundRecord:
                return on(feed, "zll.feedback.rejected.v1", {
                    "provider_id": partner, "original_ce_id": f"ce-{n}", "topic": "t",
                    "errors": [{"field": "f", "message": "m"}]})  # fmt: skip

            async with Receiver() as receiver:
                async with pool.acquire() as conn:
                    await store.put_webhook(conn, partner, receiver.url, SECRET, [])
                async with dispatching(pool, fast(infra, poll_seconds=60)):
                    await feed.apply(refusal(1))
                    await until(lambda: asyncio.sleep(0, len(receiver.requests) == 1), timeout=10)
                    await asyncio.to_thread(own_postgres.restart)
                    await until(lambda: _reachable(pool), timeout=20)
                    await feed.apply(refusal(2))
                    await until(lambda: asyncio.sleep(0, len(receiver.requests) == 2), timeout=10)
        finally:
            await pool.close()


async def _reachable(pool: asyncpg.Pool) -> bool:
    try:
        return bool(await pool.fetchval("SELECT true"))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
