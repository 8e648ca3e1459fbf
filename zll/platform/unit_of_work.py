"""One database transaction and the events it will publish: the unit a handler works in."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from opentelemetry.context import Context
from pydantic import BaseModel
from zll_contracts import KafkaRecord, binary_record
from zll_contracts.payloads import event_type_of
from zll_contracts.topics import topic_carrying

from zll.platform.db import Connection
from zll.platform.telemetry import headers_of

_INSERT_OUTBOX = (
    "INSERT INTO outbox (topic, key, value, header_names, header_values)"
    " VALUES ($1, $2, $3, $4, $5)"
)


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    topic: str
    record: KafkaRecord


class Cause(Protocol):
    """Anything that knows the trace it belongs to, such as a consumed message."""

    @property
    def trace_context(self) -> Context: ...


@dataclass
class UnitOfWork:
    """A handler's view of one transaction: the connection, and an outbox to stage events in.

    Open one with `async with UnitOfWork.begin(conn, source) as uow:` (or a route's
    `db.unit_of_work()`): it opens the transaction, and when the block ends without an error
    it writes the staged events with one `executemany` and commits, so an event cannot be
    forgotten and never leaves without the state it announces. An error rolls back both.
    """

    conn: Connection
    source: str
    staged: list[OutgoingRecord] = field(default_factory=list)
    _traced: tuple[Context | None, dict[str, str]] = field(default=(None, {}), repr=False)

    @classmethod
    @contextlib.asynccontextmanager
    async def begin(cls, conn: Connection, source: str) -> AsyncIterator[UnitOfWork]:
        async with conn.transaction():
            uow = cls(conn, source)
            yield uow
            await uow.flush()

    def publish(
        self,
        data: BaseModel,
        *,
        key: str,
        subject: str | None = None,
        caused_by: Cause | None = None,
        source: str | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> KafkaRecord:
        """Stage an event on its topic; its `ce_type` and topic come from the payload's class
        (the contract's registry spells each once).

        A Batched handler passes `caused_by=message` so the event continues that message's
        trace; elsewhere the current span (HTTP request, message) is used. `source` overrides
        the service's `ce_source` for an event published on a partner's behalf (intake);
        `extensions` become CloudEvents extension attributes (`ce_<name>` headers)."""
        event_type = event_type_of(data)
        ctx = caused_by.trace_context if caused_by is not None else None
        headers = self._trace_headers(ctx)
        if extensions:
            headers = headers | {f"ce_{name}": value for name, value in extensions.items()}
        record = binary_record(
            event_type,
            source or self.source,
            data.model_dump_json(exclude_none=True).encode(),
            key=key,
            subject=subject,
            extra_headers=headers,
        )
        self.stage(topic_carrying(event_type), record)
        return record

    def _trace_headers(self, ctx: Context | None) -> dict[str, str]:
        # The events of one batch mostly share its context: inject it once, not per event.
        if ctx is None or ctx is not self._traced[0]:
            self._traced = (ctx, headers_of(ctx))
        return self._traced[1]

    def stage(self, topic: str, record: KafkaRecord) -> None:
        self.staged.append(OutgoingRecord(topic, record))

    async def flush(self) -> int:
        if not self.staged:
            return 0
        await self.conn.executemany(_INSERT_OUTBOX, [_row(o) for o in self.staged])
        count = len(self.staged)
        self.staged.clear()
        return count


def _row(outgoing: OutgoingRecord) -> tuple[Any, ...]:
    record = outgoing.record
    names: Sequence[str] = [name for name, _ in record.headers]
    values: Sequence[bytes] = [value for _, value in record.headers]
    return (outgoing.topic, record.key, record.value, names, values)
