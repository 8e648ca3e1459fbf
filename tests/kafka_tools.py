"""Test helpers that read topics by assigning partitions (instant, no consumer-group join)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    timeout: float = 20.0,
) -> list[Any]:
    """All records of a topic from the beginning, polling until `until(records)` holds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or {0, 1, 2}
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            if until(records):
                return records
            await asyncio.sleep(0)
        return records
    finally:
        await consumer.stop()


def header(record: Any, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode()
    return None


async def send_as_partner(
    bootstrap: str,
    topic: str,
    provider: str,
    key: str,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    """What a partner's own client sends: CloudEvents binary mode built by hand, one record
    per (ce_type, data), in order, on the given key."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        for ce_type, data in events:
            await producer.send_and_wait(
                topic,
                json.dumps(data).encode(),
                key=key.encode(),
                headers=[
                    ("ce_specversion", b"1.0"),
                    ("ce_id", str(uuid.uuid4()).encode()),
                    ("ce_source", f"/providers/{provider}".encode()),
                    ("ce_type", ce_type.encode()),
                    ("content-type", b"application/json"),
                ],
            )
    finally:
        await producer.stop()
