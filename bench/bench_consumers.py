"""Every consumer of zll.catalog.courses.v1 keeps up with the catalog publishing it.

The catalog ingests a backlog of partner courses and publishes each on zll.catalog.courses.v1
while enrolment, matching and notify consume it, all running at once as in a region. Sampled
every 100 ms from the broker: how far the catalog has published (the topic's end offsets) and
how far each service's consumer group has committed. Each consumer's pace is set against the
catalog's pace in the same run (goal ≥ 1×: a course is enrollable and recommendable as soon as
it is searchable), with its largest lag and how long after the catalog's last event it caught
up. The pace is the slope of the count over time (least squares through the moments it moved)
in one span for all readers: from the last of them at 10 % of the courses to the first at 90 %.
From the first record to the last, a consumer that keeps pace still shows slower by its last
poll batch's delay (a batch is what arrived while the previous one was applied), which the
`caught up` row reports on its own.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from zll_contracts.topics import CATALOG_COURSES

from bench.bench_catalog import PRODUCTION_SAMPLING, _register, synthetic_course
from bench.harness import BenchContext, Result
from zll.demo.loader import publish_courses
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

BENCH = "consumers"
CONSUMERS = ("enrolment", "matching", "notify")
MID_RUN = "mid-run (least squares, one span for all)"


@dataclass
class Progress:
    """When a reader of the topic (the catalog writing, or a consumer group) moved."""

    first: float | None = None  # the first record published / committed
    done: float | None = None  # every record of the run
    max_lag: int = 0
    samples: list[tuple[float, int]] = field(default_factory=list)

    def note(self, now: float, count: int, total: int) -> None:
        self.samples.append((now, count))
        if count > 0 and self.first is None:
            self.first = now
        if count >= total and self.done is None:
            self.done = now

    def rate(self, total: int) -> float:
        """From the first record to the last: the consumers' figure includes the delay of
        their last poll batch (a batch is whatever arrived while the previous one was being
        applied, up to 1 000 records), which the first, small batch did not have."""
        if self.first is None or self.done is None:
            return 0.0
        return total / max(self.done - self.first, 0.1)  # one sample apart at least

    def pace(self, window: tuple[float, float]) -> float:
        """Courses/s within `window`: the slope of a least-squares line through the samples
        where the count moved. A consumer commits in steps of one poll batch (up to 1 000
        courses, ~0.7 s of the catalog's publishing): two points alone read ±1 batch (±6 % of
        a 20 000-course run), a line through every sample still leans with the steps cut at
        the window's ends; the corners of the steps — the moments a batch was committed — lie
        on the consumer's own pace."""
        moved = [
            (at, seen)
            for (_, before), (at, seen) in itertools.pairwise(self.samples)
            if seen != before
        ]
        span = [(at, seen) for at, seen in moved if window[0] <= at <= window[1]]
        if len(span) < 3:
            return 0.0
        times, counts = zip(*span, strict=True)
        return statistics.linear_regression(times, counts).slope

    def reached(self, count: float) -> float | None:
        return next((at for at, seen in self.samples if seen >= count), None)


async def topic_end(bootstrap: str) -> dict[TopicPartition, int]:
    """The catalog topic's partitions and where each ends now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        found = consumer.partitions_for_topic(CATALOG_COURSES) or {0, 1, 2}
        tps = [TopicPartition(CATALOG_COURSES, p) for p in sorted(found)]
        return dict(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


async def start_groups_at(admin_bootstrap: str, ends: dict[TopicPartition, int]) -> None:
    """Each service's group starts at the topic's current end: earlier benches' courses are
    not this run's backlog."""
    for service in CONSUMERS:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=admin_bootstrap,
            group_id=Settings(service=service).consumer_group,
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            consumer.assign(list(ends))
            await consumer.commit({tp: OffsetAndMetadata(end, "") for tp, end in ends.items()})
        finally:
            await consumer.stop()


async def committed(
    admin: AIOKafkaAdminClient,
    group: str,
    tps: list[TopicPartition],
    base: dict[TopicPartition, int],
) -> int:
    offsets = await admin.list_consumer_group_offsets(group, partitions=tps)
    return sum(max(0, offsets[tp].offset - base[tp]) for tp in tps if tp in offsets)


async def watch(
    ctx: BenchContext, tps: list[TopicPartition], base: dict[TopicPartition, int], total: int
) -> tuple[Progress, dict[str, Progress]]:
    catalog, consumers = Progress(), {s: Progress() for s in CONSUMERS}
    groups = {s: Settings(service=s).consumer_group for s in CONSUMERS}
    admin = AIOKafkaAdminClient(bootstrap_servers=ctx.stack.bootstrap)
    reader = AIOKafkaConsumer(bootstrap_servers=ctx.stack.bootstrap, enable_auto_commit=False)
    await admin.start()
    await reader.start()
    reader.assign(tps)
    for tp in tps:
        reader.seek(tp, base[tp])
    published = 0
    deadline = time.perf_counter() + ctx.scale(600, 120)
    try:
        while any(p.done is None for p in (catalog, *consumers.values())):
            if time.perf_counter() > deadline:
                last = {s: p.samples[-1][1] for s, p in (("catalog", catalog), *consumers.items())}
                raise TimeoutError(f"not all of {total} courses published and consumed: {last}")
            # What the catalog has published: the records readable on the topic by now.
            batch = await reader.getmany(timeout_ms=100, max_records=10_000)
            published += sum(len(records) for records in batch.values())
            now = time.perf_counter()
            catalog.note(now, published, total)
            for service, progress in consumers.items():
                done = await committed(admin, groups[service], tps, base)
                progress.max_lag = max(progress.max_lag, published - done)
                progress.note(now, done, total)
    finally:
        await reader.stop()
        await admin.close()
    return catalog, consumers


async def run(ctx: BenchContext) -> list[Result]:
    total = ctx.scale(100_000, 2_000)  # ~60 s of publishing: long enough that a growing lag shows
    stack, rng = ctx.stack, random.Random(23)
    providers = [f"bench-verbraucher-{n}" for n in range(20)]
    token = mint_token(Settings(), role="operator", sub="bench")
    stack.start_service("catalog")
    stack.wait_ready("catalog")
    async with httpx.AsyncClient(
        base_url=stack.layout.url("catalog"), headers={"Authorization": f"Bearer {token}"}
    ) as http:
        await _register(http, providers)
    stack.stop_service("catalog")
    # The catalog's backlog: these courses wait on the partner topic until it starts again.
    await publish_courses(
        stack.bootstrap, [synthetic_course(n, providers, rng) for n in range(total)]
    )
    base = await topic_end(stack.bootstrap)
    tps = list(base)
    await start_groups_at(stack.bootstrap, base)
    for service in CONSUMERS:
        stack.start_service(service)
    try:
        for service in CONSUMERS:
            stack.wait_ready(service)
        stack.extra_env.update(PRODUCTION_SAMPLING)
        stack.start_service("catalog")
        for name in PRODUCTION_SAMPLING:
            stack.extra_env.pop(name)
        catalog, consumers = await watch(ctx, tps, base, total)
    finally:
        for service in (*CONSUMERS, "catalog"):
            stack.stop_service(service)
    return results(total, catalog, consumers)


def steady_window(
    total: int, catalog: Progress, consumers: dict[str, Progress]
) -> tuple[float, float]:
    """The same span for every reader: from when the last of them had 10 % of the courses to
    when the first of them had 90 %, so all are in their stride (none starting, none done)."""
    readers = [catalog, *consumers.values()]
    starts = [p.reached(0.1 * total) or 0.0 for p in readers]  # watch() saw every reader done
    ends = [p.reached(0.9 * total) or 0.0 for p in readers]
    return (max(starts), min(ends))


def results(total: int, catalog: Progress, consumers: dict[str, Progress]) -> list[Result]:
    window = steady_window(total, catalog, consumers)
    publish_rate, publish_pace = catalog.rate(total), catalog.pace(window)
    rows = [
        Result(BENCH, f"catalog publishes {total:,} courses on {CATALOG_COURSES}", publish_rate,
               "courses/s", note="from its first to its last event on the topic"),
        Result(BENCH, f"catalog's pace {MID_RUN}", publish_pace, "courses/s"),
    ]  # fmt: skip
    for service, progress in consumers.items():
        rate, pace = progress.rate(total), progress.pace(window)
        behind = (progress.done or 0.0) - (catalog.done or 0.0)
        rows += [
            Result(BENCH, f"{service} learns them from {CATALOG_COURSES}", rate, "courses/s",
                   baseline="catalog publishing, same run", ratio=rate / publish_rate,
                   note=f"caught up {behind:.1f} s after the catalog's last event; first to "
                   "last record, so its last poll batch's delay counts"),
            Result(BENCH, f"{service}: pace {MID_RUN}", pace, "courses/s",
                   baseline="the catalog's pace, same run", ratio=pace / publish_pace,
                   goal="≥ 1×"),
            Result(BENCH, f"{service}: largest lag behind the catalog", progress.max_lag,
                   "courses"),
            Result(BENCH, f"{service}: caught up after the catalog's last event", behind, "s",
                   goal="within seconds"),
        ]  # fmt: skip
    return rows
