"""Timed offers: 10 000 offers whose deadline falls in the same minute, swept by two instances.

The enrolment service runs as a process (its sweep wakes every second) and this process
sweeps the same database as a second instance. Offers are written straight into the
ledger's tables (with the triggers counting seats), half the courses' seats held, the other
half waiting behind them, all due at one moment T a few seconds ahead. Measured: from T
until every offer is expired and its seat offered to the next one waiting, and that each
expiry happened once (one `offer-expired` event per offer on `zll.enrolments.v1`).
Baseline, same run and database: one plain SQL UPDATE marking as many offers expired, with
no ledger, no events and no next offers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord

from bench.harness import BenchContext, Result
from services.enrolment.offers import OfferSweep

BENCH = "offers"
PROVIDER = "vhs-bench"
PER_COURSE = 5  # seats per course: all held by offers, as many learners waiting behind
EXPIRED = b"zll.enrolment.offer-expired.v1"


async def seed(db: asyncpg.Pool, label: str, courses: int, due: datetime) -> None:
    """`courses` courses of PER_COURSE seats, each held by an offer due at `due`, and as many
    learners waiting behind them."""
    ids = [f"{PROVIDER}:{label}-{n}" for n in range(courses)]
    async with db.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO courses (course_id, provider_id, revision, status, capacity, start_date,"
            " end_date, offer_hours)"
            " SELECT c, $2, 1, 'live', $3, '2099-01-01', '2099-12-31', 48"
            "   FROM unnest($1::text[]) c",
            ids,
            PROVIDER,
            PER_COURSE,
        )
        for status, deadline in (("offered", due), ("waitlisted", None)):
            await conn.execute(
                "INSERT INTO enrolments (enrolment_id, course_id, learner_id, status, source,"
                " requested_at, offer_expires_at)"
                " SELECT gen_random_uuid(), c, c || '-' || $2 || '-' || n, $2, 'provider',"
                "        now(), $3"
                "   FROM unnest($1::text[]) c, generate_series(1, $4) n ORDER BY c, n",
                ids,
                status,
                deadline,
                PER_COURSE,
            )


async def count(db: asyncpg.Pool, label: str, status: str) -> int:
    found: int = await db.fetchval(
        "SELECT count(*) FROM enrolments WHERE course_id LIKE $1 AND status = $2",
        f"{PROVIDER}:{label}-%",
        status,
    )
    return found


async def baseline(db: asyncpg.Pool, offers: int) -> float:
    """Seconds for one UPDATE that marks `offers` offers expired: the bare database work."""
    label = f"base-{uuid.uuid4().hex[:6]}"
    # Not due: the running sweeps must leave these alone while the UPDATE runs.
    await seed(db, label, offers // PER_COURSE, datetime.now(UTC) + timedelta(days=1))
    start = time.perf_counter()
    await db.execute(
        "UPDATE enrolments SET status = 'expired', offer_ended_at = now()"
        " WHERE course_id LIKE $1 AND status = 'offered'",
        f"{PROVIDER}:{label}-%",
    )
    return time.perf_counter() - start


async def expiry_events(ctx: BenchContext, label: str, expected: int) -> Counter[str]:
    """Offer-expired events per enrolment on the topic, for this run's courses."""
    consumer = AIOKafkaConsumer(
        "zll.enrolments.v1",
        bootstrap_servers=ctx.stack.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    seen: Counter[str] = Counter()

    def take(batch: dict[object, list[ConsumerRecord[bytes, bytes]]]) -> None:
        for record in (r for records in batch.values() for r in records):
            if dict(record.headers).get("ce_type") != EXPIRED or record.value is None:
                continue
            data = json.loads(record.value)
            if data["course_id"].startswith(f"{PROVIDER}:{label}-"):
                seen[data["enrolment_id"]] += 1

    await consumer.start()
    try:
        deadline = time.monotonic() + 120
        while sum(seen.values()) < expected and time.monotonic() < deadline:
            take(await consumer.getmany(timeout_ms=1000, max_records=5000))
        await asyncio.sleep(2)  # a duplicate would arrive right behind
        take(await consumer.getmany(timeout_ms=1000))
    finally:
        await consumer.stop()
    return seen


async def sweep_run(ctx: BenchContext, db: asyncpg.Pool, offers: int) -> list[Result]:
    label = f"due-{uuid.uuid4().hex[:6]}"
    due = datetime.now(UTC) + timedelta(seconds=10)
    await seed(db, label, offers // PER_COURSE, due)
    second = OfferSweep(db, "/services/enrolment")  # this process: a second instance
    task = asyncio.create_task(second.run())
    try:
        while await count(db, label, "expired") < offers:
            if datetime.now(UTC) > due + timedelta(minutes=5):
                raise TimeoutError("the offers did not all expire within 5 minutes")
            await asyncio.sleep(0.2)
        took = (datetime.now(UTC) - due).total_seconds()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    passed_on = await count(db, label, "offered")
    seen = await expiry_events(ctx, label, offers)
    once = len(seen) == offers and set(seen.values()) == {1} and passed_on == offers
    base = await baseline(db, offers)
    note = f"{len(seen)} enrolments expired, {sum(seen.values())} events, {passed_on} next offers"
    return [
        Result(
            BENCH,
            f"{offers} offers due at one moment: expired and passed on, two sweeping instances",
            took,
            "s after the deadline",
            baseline=f"one SQL UPDATE marking {offers} offers expired: {base:.2f} s",
            ratio=took / base if base else None,
            goal="≤ 60 s, each once",
            note=note if once else f"NOT EACH ONCE: {note}",
            failed=not once or took > 60,
        ),
        Result(
            BENCH,
            f"{offers} offers expired and passed on, per second from the deadline to the last",
            offers / took,
            "offers/s",
        ),
    ]


async def run(ctx: BenchContext) -> list[Result]:
    ctx.stack.start_service("enrolment")
    try:
        ctx.stack.wait_ready("enrolment")
        db = await asyncpg.create_pool(ctx.stack.database_url("enrolment"), min_size=1, max_size=4)
        assert db is not None
        try:
            return await sweep_run(ctx, db, ctx.scale(10_000, 1_000))
        finally:
            await db.close()
    finally:
        ctx.stack.stop_service("enrolment")
