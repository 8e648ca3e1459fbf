"""Kafka clients as the dev stack and production both need them, and topic creation."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from zll_contracts import TOPICS, Topic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A consumed Kafka record with where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


# How long a fetch waits at the broker for records when there are none. aiokafka's 500 ms is
# what a record arriving meanwhile waits too on the dev stack's broker (Tansu answers a parked
# fetch when the wait is over, not when records come): raw produce→consume at 500/s measured
# p50 ~130 ms / p99 ~275 ms with it, ~15 ms / ~50 ms with 10 ms. Each consumer hop of a
# request paid it. An idle consumer asks ~50 times a second instead of twice.
FETCH_MAX_WAIT_MS = 20


def new_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    """acks=all without the idempotent producer: Tansu's memory engine rejects InitProducerId,
    and every consumer deduplicates through its inbox anyway."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        # Per partition. aiokafka's 16 KiB held ~9 catalog events (1.7 KB each), and a full
        # batch makes the sender wait for it to drain: a produce request per ~9 events.
        max_batch_size=1024 * 1024,
        max_request_size=2 * 1024 * 1024,
    )


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[Topic] = TOPICS.values(),
    *,
    replication_factor: int = 1,
) -> list[str]:
    """Create the registry's topics that are missing; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="zll-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        t.name, num_partitions=t.partitions, replication_factor=replication_factor
                    )
                    for t in missing
                ]
            )
            log.info("created topics %s", [t.name for t in missing])
        return [t.name for t in missing]
    finally:
        await admin.close()
