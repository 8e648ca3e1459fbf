"""The outbox relay: publishes committed outbox rows to Kafka in order, then deletes them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from zll.platform import metrics, telemetry
from zll.platform.notified import NotifiedLoop

log = logging.getLogger(__name__)

# One relay per service database publishes at a time, so per-key order survives scale-out.
# That lock also makes it the only reader of the rows: they are read without row locks
# (locking each of them, then deleting it, wrote every row twice).
_RELAY_LOCK = 7_146_002
_SELECT_PENDING = """
    SELECT id, topic, key, value, header_names, header_values FROM outbox ORDER BY id LIMIT $1
"""
_PARTITIONER = DefaultPartitioner()
_BACKLOG = """
    SELECT count(*) AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age
    FROM outbox
"""


class OutboxRelay:
    """Woken by NOTIFY on insert; polls every `idle_seconds` as a safety net."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 1000,
        idle_seconds: float = 1.0,
        service: str = "unknown",
    ) -> None:
        self._service = service
        self._pool = pool
        self._producer = producer
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self.published = 0

    async def run(self) -> None:
        """Publish until cancelled."""
        await NotifiedLoop(
            self._pool,
            "zll_outbox",
            self.publish_pending,
            batch_size=self._batch_size,
            idle_seconds=self._idle_seconds,
            observe=self.observe_backlog,
            name="outbox relay",
        ).run()

    async def publish_pending(self) -> int:
        """Publish one batch; the rows stay unsent unless every record was acknowledged."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK):
                return 0
            rows = await conn.fetch(_SELECT_PENDING, self._batch_size)
            if not rows:
                return 0
            await self._send_all(rows)
            # Sent rows go at once: the topic is the record of what was published, and a kept
            # row would cost a second write per event (and a table that only grows).
            await conn.execute(
                "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [row["id"] for row in rows]
            )
        self.published += len(rows)
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def _send_all(self, rows: list[asyncpg.Record]) -> None:
        """Send every row, then wait for every acknowledgement (acks=all).

        Rows go out as one record batch per partition (a delivery per batch, not per row),
        each on the partition the producer's own partitioner gives its key, so per-key order
        is the rows' order.
        """
        spans = []
        batches = _PartitionBatches(self._producer)
        for row in rows:
            headers = list(zip(row["header_names"], row["header_values"], strict=True))
            if telemetry.tracing_enabled():
                # A row in an unsampled trace (or in none) would only get a span that
                # records nothing: its headers go out as they are.
                parent = telemetry.context_of(headers)
                if telemetry.is_sampled(parent):
                    span, headers = self._publish_span(row, parent, headers)
                    spans.append(span)
            await batches.add(row["topic"], row["key"], row["value"], headers)
        try:
            await asyncio.gather(*await batches.send())
        finally:
            for span in spans:
                span.end()

    def _publish_span(
        self, row: asyncpg.Record, parent: Context, headers: list[tuple[str, bytes]]
    ) -> tuple[Any, list[tuple[str, bytes]]]:
        """A producer span in the trace stored with the row; the record carries it onward."""
        attributes = telemetry.messaging_attributes(topic=row["topic"], key=row["key"])
        attributes["messaging.operation.type"] = "send"
        span = telemetry.tracer.start_span(
            f"send {row['topic']}",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes=attributes,
        )
        carrier = telemetry.headers_of(trace.set_span_in_context(span))
        kept = [(k, v) for k, v in headers if k not in ("traceparent", "tracestate")]
        return span, kept + [(k, v.encode()) for k, v in carrier.items()]

    async def observe_backlog(self) -> None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(_BACKLOG)
        if row is not None:
            metrics.OUTBOX_BACKLOG.labels(self._service).set(row["rows"])
            metrics.OUTBOX_OLDEST_SECONDS.labels(self._service).set(float(row["age"]))


class _PartitionBatches:
    """Fills one record batch per topic partition and hands each to the producer when full."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self._open: dict[tuple[str, int], BatchBuilder] = {}
        self._partitions: dict[str, list[int]] = {}
        self._deliveries: list[asyncio.Future[Any]] = []

    async def add(
        self, topic: str, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        partition = await self._partition(topic, key)
        batch = self._open.get((topic, partition))
        if (
            batch is None
            or batch.append(timestamp=None, key=key, value=value, headers=headers) is None
        ):
            if batch is not None:  # full: on its way, and a fresh one takes the record
                await self._send(topic, partition, batch)
            batch = self._open[(topic, partition)] = self._producer.create_batch()
            if batch.append(timestamp=None, key=key, value=value, headers=headers) is None:
                raise MessageSizeTooLargeError(f"an outbox record for {topic} exceeds a batch")

    async def send(self) -> list[asyncio.Future[Any]]:
        """Hand over the batches still open; every delivery of this round."""
        for (topic, partition), batch in self._open.items():
            await self._send(topic, partition, batch)
        self._open.clear()
        return self._deliveries

    async def _send(self, topic: str, partition: int, batch: BatchBuilder) -> None:
        batch.close()
        self._deliveries.append(await self._producer.send_batch(batch, topic, partition=partition))

    async def _partition(self, topic: str, key: bytes | None) -> int:
        partitions = self._partitions.get(topic)
        if partitions is None:
            partitions = self._partitions[topic] = sorted(
                await self._producer.partitions_for(topic)
            )
        # The producer's default partitioner (murmur2 of the key, as the Java client does).
        return int(_PARTITIONER(key, partitions, partitions))
