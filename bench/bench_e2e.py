"""The whole region: a partner's enrolment request until the learner's notification exists.

Requests go to `zll.provider.enrolments.v1` at a steady rate (500/s for 60 s at full size);
each one crosses enrolment (decision, outbox, relay) and notify (consumer, inbox row). The
latency of a request ends when its learner's notification is *readable*: committed, and seen
by a reader that follows notify's inbox the way a live stream does (LISTEN on the inbox
channel, then read what committed since its last commit position). It starts when the request
was handed to the producer. The baseline is raw aiokafka: the same rate through the same
broker, produce to consume, fetching as the services fetch, measured in the same run. Where the
time goes per hop is in e2e_hops.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from zll_contracts import new_event, to_record
from zll_contracts.topics import CATALOG_COURSES, PROVIDER_ENROLMENTS

from bench.bench_catalog import PRODUCTION_SAMPLING
from bench.bench_enrolment import PROVIDER, course_payload
from bench.e2e_hops import (
    Tap,
    batch_seconds,
    floor_p99,
    request_hops,
    tap_decisions,
    traced_hops,
    two_crossings_p99,
)
from bench.harness import BenchContext, Result, create_topic, percentile
from zll.platform.kafka import FETCH_MAX_WAIT_MS, new_producer

INBOX_CHANNEL = "zll_notify_inbox"  # notify's live streams listen here (services/notify/live.py)

RATE = 500
SERVICES = ("enrolment", "notify")


async def run(ctx: BenchContext) -> list[Result]:
    seconds = ctx.scale(60, 8)
    # Sampled as production samples (infra/k8s/config.yaml), like the other throughput benches:
    # the dev stack's default, every trace recorded, costs CPU on every hop.
    ctx.stack.extra_env.update(PRODUCTION_SAMPLING)
    try:
        for service in SERVICES:
            ctx.stack.start_service(service)
    finally:
        for name in PRODUCTION_SAMPLING:
            ctx.stack.extra_env.pop(name)
    for service in SERVICES:
        ctx.stack.wait_ready(service)
    tap, tapped = Tap(), asyncio.Event()
    try:
        raw = await _raw_latencies(ctx.stack.bootstrap, seconds=min(seconds, 10))
        courses = await _courses(ctx, n=20)
        sent: dict[str, float] = {}
        sending = asyncio.Event()
        reader = asyncio.create_task(_readable(ctx.stack.database_url("notify"), sent, sending))
        tapping = asyncio.create_task(tap_decisions(ctx.stack.bootstrap, tap, tapped))
        await asyncio.sleep(1)  # the reader is listening before the first request goes out
        since_ns = time.time_ns()
        await _steady_requests(ctx.stack.bootstrap, courses, seconds, sent)
        sending.set()
        created = await reader
        tapped.set()
        await tapping
    finally:
        tapped.set()
        for service in SERVICES:
            ctx.stack.stop_service(service)  # flushes their spans
    latencies = [(created[k] - sent[k]) * 1000 for k in created]
    span = max(created.values()) - min(sent.values())
    raw50, raw99 = percentile(raw, 50), percentile(raw, 99)
    label = f"{RATE}/s for {seconds} s"
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    hops = request_hops(sent, tap, created, label)
    hops += traced_hops(ctx.stack.layout.spans, since_ns, label)
    hops += two_crossings_p99(raw, label)
    floor = floor_p99(raw99, batch_seconds(ctx.stack.layout.spans, since_ns), label)
    if floor:
        hops.append(dataclasses.replace(
            floor[0], baseline=f"e2e p99 {p99:.1f} ms", ratio=p99 / floor[0].value
        ))  # fmt: skip
    return [
        Result("e2e", f"request → notification readable p50 ({label})", p50, "ms",
               baseline=f"raw produce→consume p50 {raw50:.1f} ms",
               ratio=p50 / raw50),
        Result("e2e", f"request → notification readable p99 ({label})", p99, "ms",
               baseline=f"raw produce→consume p99 {raw99:.1f} ms",
               ratio=p99 / raw99),
        Result("e2e", f"request → notification readable max ({label})", max(latencies), "ms"),
        Result("e2e", "notified / requested", len(created) / len(sent), "",
               note="every request must end in a notification"),
        Result("e2e", "throughput", len(created) / span, "notifications/s",
               baseline=f"offered {RATE}/s", ratio=len(created) / span / RATE),
        *hops,
    ]  # fmt: skip


async def _raw_latencies(bootstrap: str, seconds: int) -> list[float]:
    """Produce→consume latency of plain records through the broker at the same rate (ms)."""
    topic = f"bench.e2e.raw.{uuid.uuid4().hex[:6]}"
    await create_topic(bootstrap, topic)
    # Fetching as the services fetch (zll.platform.kafka): the dev broker holds a parked fetch
    # for its whole wait, so aiokafka's default 500 ms would be most of this baseline.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=FETCH_MAX_WAIT_MS
    )
    await consumer.start()
    consumer.assign([TopicPartition(topic, p) for p in range(3)])
    await consumer.seek_to_beginning()
    producer = new_producer(bootstrap, "bench-e2e-raw")
    await producer.start()
    latencies: list[float] = []

    async def consume(total: int) -> None:
        while len(latencies) < total:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.time()
                latencies.extend((now - float(r.value)) * 1000 for r in records)

    total = RATE * seconds
    reader = asyncio.create_task(consume(total))
    try:
        await _paced(total, lambda n: producer.send(topic, str(time.time()).encode()))
        await asyncio.wait_for(reader, 60)
    finally:
        await producer.stop()
        await consumer.stop()
    return latencies


async def _courses(ctx: BenchContext, n: int) -> list[str]:
    """Courses with room for everyone, announced as the catalog would; returns their ids."""
    run = uuid.uuid4().hex[:6]
    payloads = [course_payload(f"e2e-{run}-{i}", capacity=100_000) for i in range(n)]
    producer = new_producer(ctx.stack.bootstrap, "bench-e2e-courses")
    await producer.start()
    try:
        for data in payloads:
            event = new_event("zll.catalog.course-published.v1", "/services/catalog", data)
            record = to_record(event, data["course_id"])
            await producer.send(
                CATALOG_COURSES, record.value, key=record.key, headers=list(record.headers)
            )
        await producer.flush()
    finally:
        await producer.stop()
    ids = [p["course_id"] for p in payloads]
    db = await asyncpg.connect(ctx.stack.database_url("enrolment"))
    try:
        # An earlier bench may have left 100 000 course events on the topic to catch up on.
        deadline = time.monotonic() + 600
        while await db.fetchval("SELECT count(*) FROM courses WHERE course_id = ANY($1)", ids) < n:
            if time.monotonic() > deadline:
                raise TimeoutError("the enrolment service never learned the bench courses")
            await asyncio.sleep(0.1)
    finally:
        await db.close()
    return ids


async def _steady_requests(
    bootstrap: str, courses: list[str], seconds: int, sent: dict[str, float]
) -> None:
    """Partner requests at RATE per second; fills learner id → when it was handed over."""
    producer = new_producer(bootstrap, "bench-e2e-partner")
    await producer.start()
    run = uuid.uuid4().hex[:6]

    def send(n: int) -> Any:
        learner = f"e2e-{run}-{n:06d}"
        course_id = courses[n % len(courses)]
        data = {"enrolment_id": str(uuid.uuid4()), "course_id": course_id,
                "learner_id": learner, "requested_at": datetime.now(UTC).isoformat()}  # fmt: skip
        record = to_record(
            new_event("zll.enrolment.requested.v1", f"/providers/{PROVIDER}", data), course_id
        )
        sent[learner] = time.time()
        return producer.send(
            PROVIDER_ENROLMENTS, record.value, key=record.key, headers=list(record.headers)
        )

    try:
        await _paced(RATE * seconds, send)
        await producer.flush()
    finally:
        await producer.stop()


async def _paced(total: int, send: Any) -> None:
    """Call `send(n)` RATE times per second, on schedule (not as fast as possible)."""
    start = time.perf_counter()
    for n in range(total):
        delay = start + n / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(n)


# Commit-ordered, as notify's live streams read (migration 004): whoever has seen position P
# never finds a commit below P later, so each read asks only for what came after.
_COMMITTED_SINCE = """
    SELECT c.position, n.recipient_id FROM notifications n JOIN inbox_commits c USING (xact)
    WHERE n.recipient_kind = 'learner' AND n.in_inbox AND c.position > $1
"""


async def _readable(
    database_url: str, sent: dict[str, float], sending: asyncio.Event, timeout: float = 180
) -> dict[str, float]:
    """When each learner's first notification became readable (epoch seconds, reader's clock),
    for every learner in `sent` once `sending` is set (or until `timeout` after that)."""
    db = await asyncpg.connect(database_url)
    woken = asyncio.Event()
    await db.add_listener(INBOX_CHANNEL, lambda *_: woken.set())
    seen: dict[str, float] = {}
    position = await db.fetchval("SELECT coalesce(max(position), 0) FROM inbox_commits")
    try:
        deadline = float("inf")
        while not sending.is_set() or (
            len(seen.keys() & sent.keys()) < len(sent) and time.monotonic() < deadline
        ):
            if sending.is_set() and deadline == float("inf"):
                deadline = time.monotonic() + timeout
            with contextlib.suppress(TimeoutError):  # a missed wake costs at most 50 ms
                await asyncio.wait_for(woken.wait(), 0.05)
            woken.clear()
            rows = await db.fetch(_COMMITTED_SINCE, position)
            now = time.time()
            for row in rows:
                position = max(position, row["position"])
                seen.setdefault(row["recipient_id"], now)
        return {learner: at for learner, at in seen.items() if learner in sent}
    finally:
        await db.close()
