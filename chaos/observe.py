"""What the region looks like from outside: readiness, metrics, group offsets, topic contents."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from zll.status import sample_sums


@dataclass(frozen=True)
class Quiet:
    """One look at the region: quiet when every number here is zero and everything is ready."""

    not_ready: tuple[str, ...]
    outbox_backlog: float
    consumer_lag: float  # from each service's /metrics
    group_lag: list[
        tuple[str, str, int, int, int]
    ]  # committed offsets of every consumer group against the partitions' ends
    ends: tuple[tuple[str, int, int], ...]

    @property
    def quiet(self) -> bool:
        return (
            not self.not_ready
            and not self.outbox_backlog
            and not self.consumer_lag
            and (not self.group_lag)
        )


async def end_offsets(bootstrap: str, topics: list[str]) -> dict[TopicPartition, int]:
    """Each partition's end: one past its last readable record.

    Not just ListOffsets: after the broker was frozen (SIGSTOP), Tansu's memory engine was
    seen answering an end one or two records short of what a fetch still returns, so the
    records past the listed end are read too.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topics)
        ends: dict[TopicPartition, int] = dict(await consumer.end_offsets(partitions))
        consumer.assign(partitions)
        for tp, end in ends.items():
            consumer.seek(tp, end)
        while batch := await consumer.getmany(timeout_ms=300):
            for tp, records in batch.items():
                ends[tp] = max(ends[tp], records[-1].offset + 1)
        return ends
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    await consumer._client.force_metadata_update()
    return [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(consumer.partitions_for_topic(topic) or ())
    ]


async def group_lag(
    bootstrap: str, groups: Mapping[str, list[str]]
) -> list[tuple[str, str, int, int, int]]:
    """(group, topic, partition, committed, end) wherever a group is not at the end."""
    topics = sorted({t for ts in groups.values() for t in ts})
    ends = await end_offsets(bootstrap, topics)
    behind = []
    for group, group_topics in groups.items():
        # A consumer that never subscribes only reads the group's committed offsets.
        reader = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await reader.start()
        try:
            for tp, end in sorted(ends.items()):
                committed = (await reader.committed(tp)) or 0
                if tp.topic in group_topics and committed != end:
                    behind.append((group, tp.topic, tp.partition, committed, end))
        finally:
            await reader.stop()
    return behind


async def look(bootstrap: str, urls: Mapping[str, str], groups: Mapping[str, list[str]]) -> Quiet:
    not_ready, backlog, lag = [], 0.0, 0.0
    async with httpx.AsyncClient(timeout=3.0) as client:
        for name, url in urls.items():
            try:
                ok = (await client.get(f"{url}/readyz")).status_code == 200
                sums = sample_sums((await client.get(f"{url}/metrics")).text)
            except httpx.HTTPError:
                not_ready.append(name)
                continue
            if not ok:
                not_ready.append(name)
            backlog += sums.get("zll_outbox_backlog", 0.0)
            lag += sums.get("zll_consumer_lag", 0.0)
    all_topics = sorted({t for ts in groups.values() for t in ts})
    ends = await end_offsets(bootstrap, all_topics)
    return Quiet(
        tuple(not_ready),
        backlog,
        lag,
        await group_lag(bootstrap, groups),
        tuple(sorted((tp.topic, tp.partition, end) for tp, end in ends.items())),
    )


async def wait_quiet(
    bootstrap: str,
    urls: Mapping[str, str],
    groups: Mapping[str, list[str]],
    timeout: float = 180.0,
) -> tuple[float, Quiet]:
    """Until two looks in a row are quiet with the same partition ends (nothing moved between
    them, and the relays' 1 s safety poll has run); returns the seconds it took and the last
    look, which is not quiet if `timeout` passed first."""
    started = time.monotonic()
    previous: Quiet | None = None
    while True:
        now = await look(bootstrap, urls, groups)
        if now.quiet and previous is not None and previous.quiet and previous.ends == now.ends:
            return time.monotonic() - started, now
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, now
        previous = now
        await asyncio.sleep(1.5)  # a polling interval; the condition decides, not the sleep


async def read_all(bootstrap: str, topic: str, timeout: float = 60.0) -> list[Any]:
    """Every record of a topic from the beginning up to its current end, by assignment."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await end_offsets(bootstrap, [topic])
        partitions = list(ends)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout:.0f}s")
            for batch in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                records.extend(
                    r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)]
                )
        return records
    finally:
        await consumer.stop()
