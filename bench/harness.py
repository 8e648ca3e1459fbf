"""What every benchmark shares: the dev stack, the raw-broker baseline, and how results look."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from zll.devstack.stack import DevStack
from zll.platform.kafka import new_producer

# Machines here are shared and noisy: a figure alone means little, a ratio to a baseline
# taken minutes earlier on the same machine means more.
PAYLOAD_BYTES = 273


@dataclass(frozen=True)
class Result:
    bench: str
    metric: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    goal: str = ""
    note: str = ""
    failed: bool = False


def failures(results: list[Result]) -> list[Result]:
    """The benchmarks that broke (raised, timed out, or found an answer that differs)."""
    return [r for r in results if r.failed]


def exit_status(results: list[Result]) -> int:
    """`make bench` fails when any benchmark failed: a FAILED row alone is easy to miss."""
    return 1 if failures(results) else 0


@dataclass
class Baseline:
    """Raw aiokafka figures through the same broker, measured at the start of the run."""

    produce_per_s: float = 0.0
    consume_per_s: float = 0.0


@dataclass
class BenchContext:
    stack: DevStack
    baseline: Baseline
    quick: bool = field(default_factory=lambda: os.environ.get("ZLL_BENCH_QUICK") == "1")

    def scale(self, full: int, quick: int) -> int:
        """Full size for `make bench`, a small size for a smoke run (ZLL_BENCH_QUICK=1)."""
        return quick if self.quick else full


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as elapsed:` … `elapsed[0]` is the wall time in seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


async def create_topic(bootstrap: str, name: str, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def consume_count(bootstrap: str, topic: str, count: int, timeout: float = 120.0) -> float:
    """Seconds to read `count` records of a topic from the start, parsing each value as JSON
    and committing offsets per poll: what any consumer has to do at the least."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        max_poll_records=1000,
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        seen = 0
        start = time.perf_counter()
        while seen < count and time.perf_counter() - start < timeout:
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batch.values():
                for record in records:
                    json.loads(record.value)
                seen += len(records)
            if batch:
                await consumer.commit()
        return time.perf_counter() - start
    finally:
        await consumer.stop()


async def measure_baseline(bootstrap: str, count: int) -> Baseline:
    """Raw produce and consume of `count` 273-byte JSON records through the broker."""
    topic = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    await create_topic(bootstrap, topic)
    value = json.dumps({"pad": "x" * (PAYLOAD_BYTES - 11)}).encode()
    producer = new_producer(bootstrap, "bench-baseline")
    await producer.start()
    try:
        start = time.perf_counter()
        for n in range(count):
            await producer.send(topic, value, key=str(n % 997).encode())
        await producer.flush()
        produce_seconds = time.perf_counter() - start
    finally:
        await producer.stop()
    consume_seconds = await consume_count(bootstrap, topic, count)
    return Baseline(produce_per_s=count / produce_seconds, consume_per_s=count / consume_seconds)
