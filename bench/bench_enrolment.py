"""Enrolment: partner requests spread and on one hot course, then steady HTTP load."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from zll_contracts import new_event, to_record
from zll_contracts.topics import CATALOG_COURSES, ENROLMENTS, PROVIDER_ENROLMENTS

from bench.harness import BenchContext, Result, percentile
from zll.platform.auth import mint_token
from zll.platform.kafka import new_producer
from zll.platform.settings import Settings

BENCH = "enrolment"
PROVIDER = "vhs-bench"
HTTP_COURSES = 50


def course_payload(code: str, capacity: int) -> dict[str, Any]:
    return {
        "course_id": f"{PROVIDER}:{code}", "provider_id": PROVIDER, "revision": 1,
        "title": f"Bench {code}", "format": "online", "start_date": "2027-01-01",
        "end_date": "2099-12-31", "capacity": capacity, "price_eur": 0, "funding": [],
        "target_groups": ["working-age"], "published_at": datetime.now(UTC).isoformat(),
        "modules": [{"module_id": "m1", "title": "M", "workload_hours": 10, "eqf_level": 3,
                     "skills": [], "certificate": "attendance"}],
    }  # fmt: skip


async def publish(ctx: BenchContext, topic: str, items: list[tuple[str, str, dict[str, Any]]],
                  source: str) -> None:  # fmt: skip
    producer = new_producer(ctx.stack.bootstrap, "bench-enrolment")
    await producer.start()
    try:
        for ce_type, key, data in items:
            record = to_record(new_event(ce_type, source, data), key)
            await producer.send(topic, record.value, key=record.key, headers=list(record.headers))
        await producer.flush()
    finally:
        await producer.stop()


async def until(check: Any, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the enrolment service did not catch up in time")
        await asyncio.sleep(0.05)


async def courses(ctx: BenchContext, db: asyncpg.Pool, capacities: dict[str, int]) -> None:
    items = [
        ("zll.catalog.course-published.v1", f"{PROVIDER}:{code}", course_payload(code, cap))
        for code, cap in capacities.items()
    ]
    await publish(ctx, CATALOG_COURSES, items, "/services/catalog")
    ids = [f"{PROVIDER}:{c}" for c in capacities]

    async def known() -> bool:
        found = await db.fetchval("SELECT count(*) FROM courses WHERE course_id = ANY($1)", ids)
        return bool(found == len(ids))

    await until(known)


async def partner_run(
    ctx: BenchContext, db: asyncpg.Pool, label: str, n_courses: int, requests: int, capacity: int
) -> list[Result]:
    """`requests` partner requests round-robin over `n_courses` courses; decisions per second."""
    run = uuid.uuid4().hex[:6]
    codes = [f"{label}-{run}-{n}" for n in range(n_courses)]
    await courses(ctx, db, {c: capacity for c in codes})
    items, now = [], datetime.now(UTC).isoformat()
    for n in range(requests):
        course_id = f"{PROVIDER}:{codes[n % n_courses]}"
        data = {"enrolment_id": str(uuid.uuid4()), "course_id": course_id,
                "learner_id": f"{run}-{n:06d}", "requested_at": now}  # fmt: skip
        items.append(("zll.enrolment.requested.v1", course_id, data))
    ids = [f"{PROVIDER}:{c}" for c in codes]
    start = time.perf_counter()
    await publish(ctx, PROVIDER_ENROLMENTS, items, f"/providers/{PROVIDER}")

    async def decided() -> bool:
        count = await db.fetchval("SELECT count(*) FROM enrolments WHERE course_id = ANY($1)", ids)
        return bool(count >= requests)

    await until(decided)
    rate = requests / (time.perf_counter() - start)
    violations = await check_invariants(db, ids, capacity)
    return [
        Result(
            BENCH,
            f"{requests:,} partner requests over {n_courses} course(s): decisions"
            f" (invariants {'VIOLATED' if violations else 'ok'})",
            rate, "decisions/s", baseline="raw consume", ratio=rate / ctx.baseline.consume_per_s,
            note=f"invariants: {violations or 'ok'}",
        )
    ]  # fmt: skip


async def check_invariants(db: asyncpg.Pool, ids: list[str], capacity: int) -> list[str]:
    """No overbooking; the confirmed are exactly the earliest requests (FCFS) per course."""
    rows = await db.fetch(
        "SELECT course_id, learner_id, status FROM enrolments WHERE course_id = ANY($1)"
        " ORDER BY course_id, seq",
        ids,
    )
    by_course: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        by_course[r["course_id"]].append((r["learner_id"], r["status"]))
    problems = []
    for course_id, entries in by_course.items():
        statuses = [s for _, s in entries]
        confirmed = statuses.count("confirmed")
        if confirmed > capacity:
            problems.append(f"{course_id} overbooked ({confirmed}/{capacity})")
        expected = sorted(learner for learner, _ in entries)[: min(capacity, len(entries))]
        if sorted(learner for learner, s in entries if s == "confirmed") != expected:
            problems.append(f"{course_id} not first come first served")
    return problems


async def http_run(ctx: BenchContext, db: asyncpg.Pool) -> list[Result]:
    """POST /enrolments at a steady 200 requests/s: latency, and until the event is out."""
    seconds, rate = ctx.scale(30, 5), 200
    code = f"http-{uuid.uuid4().hex[:6]}"
    # Spread over 50 courses, as a region's learners are; each course fills half-way.
    codes = [f"{code}-{n}" for n in range(HTTP_COURSES)]
    await courses(ctx, db, {c: seconds * rate // HTTP_COURSES // 2 for c in codes})
    seen: dict[str, float] = {}
    watcher = asyncio.create_task(watch_events(ctx, seen))
    await asyncio.sleep(1.0)  # the watcher is assigned and at the end of the topic
    token = mint_token(Settings(), role="counsellor", sub="bench")
    started: dict[str, float] = {}
    latencies: list[float] = []
    # An idle connection is dropped here before uvicorn's 5 s keep-alive drops it there: at the
    # same expiry a request can go out on a connection the server is just closing (ReadError).
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=2.0)
    async with httpx.AsyncClient(
        base_url=ctx.stack.layout.url("enrolment"), limits=limits, timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    ) as client:  # fmt: skip

        async def one(n: int) -> None:
            t0 = time.perf_counter()
            course_id = f"{PROVIDER}:{codes[n % HTTP_COURSES]}"
            body = {"course_id": course_id, "learner_id": f"{code}-{n}"}
            response = await client.post("/enrolments", json=body)
            latencies.append(time.perf_counter() - t0)
            if response.status_code == 201:
                started[response.json()["enrolment_id"]] = t0

        t_start = time.perf_counter()
        tasks = []
        for n in range(seconds * rate):
            await asyncio.sleep(max(0.0, t_start + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)

    async def all_seen() -> bool:
        return all(e in seen for e in started)

    await until(all_seen, timeout=60)
    watcher.cancel()
    lags = [seen[e] - t0 for e, t0 in started.items() if e in seen]
    ms = 1000.0
    return [
        Result(BENCH, f"POST /enrolments at {rate}/s for {seconds}s: p50", percentile(latencies, 50) * ms, "ms"),  # noqa: E501
        Result(BENCH, f"POST /enrolments at {rate}/s for {seconds}s: p99", percentile(latencies, 99) * ms, "ms"),  # noqa: E501
        Result(BENCH, "request → decision event on zll.enrolments.v1: p50", percentile(lags, 50) * ms, "ms",  # noqa: E501
               note=f"{len(lags)}/{len(started)} events seen"),
        Result(BENCH, "request → decision event on zll.enrolments.v1: p99", percentile(lags, 99) * ms, "ms"),  # noqa: E501
    ]  # fmt: skip


async def watch_events(ctx: BenchContext, seen: dict[str, float]) -> None:
    """When each decision's event is readable on the topic (partitions assigned, from the end)."""
    import json

    consumer = AIOKafkaConsumer(bootstrap_servers=ctx.stack.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(ENROLMENTS) or {0, 1, 2}
        consumer.assign([TopicPartition(ENROLMENTS, p) for p in partitions])
        await consumer.seek_to_end()
        while True:
            batch = await consumer.getmany(timeout_ms=50)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    seen.setdefault(json.loads(record.value)["enrolment_id"], now)
    finally:
        await consumer.stop()


async def run(ctx: BenchContext) -> list[Result]:
    ctx.stack.start_service("enrolment")
    try:
        ctx.stack.wait_ready("enrolment")
        db = await asyncpg.create_pool(ctx.stack.database_url("enrolment"), min_size=1, max_size=2)
        assert db is not None
        try:
            results = await partner_run(
                ctx, db, "spread", 200, ctx.scale(20_000, 2_000), capacity=50
            )
            results += await partner_run(ctx, db, "hot", 1, ctx.scale(5_000, 500), capacity=100)
            results += await http_run(ctx, db)
        finally:
            await db.close()
        return results
    finally:
        ctx.stack.stop_service("enrolment")
