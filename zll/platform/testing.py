"""One in-process feed for tests: events applied through a service's real wiring.

`Feed(DEFINITION, pool)` hands records to the service's own `ServiceDefinition` — its handler
map, run by the real batch consumer (inbox, refusals as feedback, dead letters, one
transaction per batch) — against a real PostgreSQL. The only thing a test leaves out is the
broker that would have delivered the records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from pydantic import BaseModel
from zll_contracts import new_event, to_record
from zll_contracts.payloads import event_type_of
from zll_contracts.topics import FEEDBACK, topic_carrying

from zll.platform.consumer import BatchConsumer
from zll.platform.kafka import InboundRecord
from zll.platform.service import ServiceDefinition


class Feed:
    """Builds records as the region's topics carry them and applies them in batches."""

    def __init__(
        self, definition: ServiceDefinition, pool: asyncpg.Pool, *, source: str | None = None
    ) -> None:
        self.pool = pool
        self.consumer = BatchConsumer(
            service=definition.name,
            source=source or f"/services/{definition.name}",
            pool=pool,
            handlers=definition.handlers,
            topics=definition.topics,
        )
        self.offset = 0

    def record(
        self,
        ce_type: str,
        data: BaseModel | Mapping[str, Any],
        *,
        source: str,
        key: str = "k",
        ce_id: str | None = None,
    ) -> InboundRecord:
        """One record of `ce_type` on the topic that carries it, at the feed's next offset."""
        self.offset += 1
        kafka = to_record(new_event(ce_type, source, data, id=ce_id), key)
        topic = topic_carrying(ce_type)
        return InboundRecord(topic, 0, self.offset, kafka.key, kafka.value, kafka.headers)

    def event(
        self, payload: BaseModel, *, source: str, key: str = "k", ce_id: str | None = None
    ) -> InboundRecord:
        """A record of the event whose payload this is; the contract names its type."""
        return self.record(event_type_of(payload), payload, source=source, key=key, ce_id=ce_id)

    async def apply(self, *records: InboundRecord) -> None:
        """Apply the records as one poll batch, as the consumer does."""
        await self.consumer.apply_batch(records)

    async def refusals(self, record: InboundRecord) -> list[dict[str, str]]:
        """The `{field, message}` errors of the feedback the service staged for `record`."""
        ce_id = dict(record.headers)["ce_id"].decode()
        rows: Sequence[asyncpg.Record] = await self.pool.fetch(
            "SELECT value FROM outbox WHERE topic = $1 ORDER BY id", FEEDBACK
        )
        errors: list[dict[str, str]] = []
        for row in rows:
            feedback = json.loads(row["value"])
            if feedback["original_ce_id"] == ce_id:
                errors += feedback["errors"]
        return errors
