"""The batch consumer: one poll batch, one transaction, offsets committed after the commit."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
from faststream import Context as FastStreamContext
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.middlewares import AckPolicy
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from pydantic import BaseModel
from zll_contracts import TOPICS, Event, UnreadableRecord, from_record
from zll_contracts.payloads import (
    LearnerErasureRequested,
    PayloadRefused,
    event_type_of,
    parse_payload,
)

from zll.platform import metrics, telemetry
from zll.platform.db import CONNECTION_ERRORS, Connection
from zll.platform.errors import Problem, Refused
from zll.platform.kafka import FETCH_MAX_WAIT_MS, InboundRecord
from zll.platform.refusals import sender_of, stage_dead_letter, stage_feedback
from zll.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_CLAIM_INBOX = """
    INSERT INTO inbox (ce_source, ce_id, ce_type)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
    ON CONFLICT DO NOTHING RETURNING ce_source, ce_id
"""


P = TypeVar("P", bound=BaseModel, covariant=True)


@dataclass(frozen=True, slots=True)
class Message(Generic[P]):
    """What a handler receives: the event, its validated payload and where it came from."""

    event: Event
    payload: P
    record: InboundRecord
    # The trace that events it causes continue: the message's own processing span when the
    # record carried a trace, else its poll batch's span (one trace per batch, not per record,
    # as OpenTelemetry's messaging conventions have it for batch processing).
    trace_context: Context = field(default_factory=Context)

    @property
    def sender(self) -> str | None:
        """The provider that sent a partner event, from its `ce_source`."""
        return sender_of(self.event.source)


Handler = Callable[[UnitOfWork, Message[P]], Awaitable[None]]
"""Applies one event; raises Refused (before writing anything) when a rule is broken."""

Refusals = Sequence[tuple[Message[P], Refused]]
RunHandler = Callable[[UnitOfWork, Sequence[Message[P]]], Awaitable[Refusals[P]]]
"""Applies a run of consecutive events of one type at once; returns those it refused."""


@dataclass(frozen=True, slots=True)
class Batched(Generic[P]):
    """Marks a handler-map entry that applies whole runs of events: a few queries per batch
    instead of a few per event, for topics that carry bulk traffic."""

    apply: RunHandler[P]


AnyHandler = Handler[Any] | Batched[Any]
HandlerMap = Mapping[str, AnyHandler]
"""`ce_type` -> handler; built with `handlers(on(Payload, handler), ...)`."""


def on(payload: type[P], handler: Handler[P] | Batched[P]) -> tuple[str, AnyHandler]:
    """One entry of a handler map: the handler of the event whose payload class is `payload`.

    The type checker holds the handler to the class: a handler of `Message[CourseWithdrawn]`
    cannot be registered for `CourseUpserted`, and the `ce_type` comes from the contract.
    """
    return event_type_of(payload), handler


Erase = Callable[[Connection, str], Awaitable[object]]
"""Removes one learner's personal data from a service's tables."""


def erasure_handler(erase: Erase) -> Handler[LearnerErasureRequested]:
    """What every service does with `zll.learner.erasure-requested.v1`: its own `erase`."""

    async def erase_learner(uow: UnitOfWork, message: Message[LearnerErasureRequested]) -> None:
        await erase(uow.conn, message.payload.learner_id)

    return erase_learner


def handlers(*entries: tuple[str, AnyHandler]) -> dict[str, AnyHandler]:
    """A service's handler map, refusing an event type registered twice."""
    found: dict[str, AnyHandler] = {}
    for event_type, handler in entries:
        if event_type in found:
            raise ValueError(f"two handlers for {event_type}")
        found[event_type] = handler
    return found


@dataclass(frozen=True, slots=True)
class _Decoded:
    record: InboundRecord
    event: Event | None = None
    payload: BaseModel | None = None
    unreadable: str | None = None
    refused: list[Problem] | None = None
    dead_letter_kind: str = "unreadable"
    # The W3C context the record carries, read once: the batch span links it, the message's
    # own span continues it.
    trace_parent: Context = field(default_factory=Context)

    @property
    def inbox_key(self) -> tuple[str, str]:
        # Unreadable records have no ce_id; their position on the topic identifies them.
        if self.event is None:
            return (f"kafka:{self.record.topic}/{self.record.partition}", str(self.record.offset))
        return (self.event.source, self.event.id)

    @property
    def ce_type(self) -> str:
        return self.event.type if self.event else "unreadable"


class BatchConsumer:
    """Applies batches of consumed records to a service's database through its handler map."""

    def __init__(
        self,
        *,
        service: str,
        source: str,
        pool: asyncpg.Pool,
        handlers: HandlerMap,
        topics: Sequence[str],
    ) -> None:
        self.service = service
        self.source = source
        self.pool = pool
        self.handlers = handlers
        self.topics = list(topics)
        self.group_id = f"zll-{service}"
        self._retry_delay = 0.5

    def subscribe(
        self,
        broker: KafkaBroker,
        *,
        group_id: str,
        max_records: int,
        batch_timeout_ms: int,
        fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
    ) -> None:
        """Register on FastStream as a batch subscriber with manual acknowledgement.

        The decoder hands over the raw records: a hostile record must reach our own
        decoding (and the dead-letter topic), never fail inside the framework.
        """

        self.group_id = group_id

        async def raw_records(message: Any) -> Any:
            return list(message.raw_message)

        async def lenient_parser(records: Any, original: Any) -> Any:
            # FastStream decodes every header of every record it is given as UTF-8, for a
            # message object we need only to acknowledge the batch: one hostile header would
            # make it drop the whole batch, and the rest is work nobody reads. It gets
            # readable copies of the first and the last record (its message id names their
            # offsets); our own decoding gets every original and dead-letters a hostile one
            # unchanged.
            ends = (records[0], records[-1]) if len(records) > 1 else tuple(records)
            message = await original(tuple(_readable_headers(r) for r in ends))
            message.raw_message = records
            return message

        @broker.subscriber(
            *self.topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=batch_timeout_ms,
            fetch_max_wait_ms=fetch_max_wait_ms,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            decoder=raw_records,
            parser=lenient_parser,
            title=f"{self.service}-consumer",
        )
        async def consume(
            records: Any, message: KafkaMessage = FastStreamContext("message")
        ) -> None:
            try:
                await self.apply_batch([_inbound(r) for r in records])
            except Exception:
                # Nothing was committed: rewind to the batch's start and try again later.
                log.exception("batch of %d records failed; it will be redelivered", len(records))
                await message.nack()
                await asyncio.sleep(self._retry_delay)
                return
            await message.ack()
            metrics.observe_lag(self.service, message)

    async def apply_batch(self, records: Sequence[InboundRecord]) -> None:
        decoded = [self._decode(r) for r in records]
        contexts = [d.trace_parent for d in decoded]
        with (
            metrics.BATCH_SECONDS.labels(self.service).time(),
            telemetry.batch_span(
                [r.topic for r in records], contexts, self.group_id, [r.key for r in records]
            ),
        ):
            await self._apply_batch(decoded)

    async def _apply_batch(self, decoded: Sequence[_Decoded]) -> None:
        async with self.pool.acquire() as conn:
            try:
                async with UnitOfWork.begin(conn, self.source) as uow:
                    tally = await self._apply(uow, decoded, isolate=False)
            except CONNECTION_ERRORS:  # a lost connection: retry the whole batch
                raise
            except Exception:
                log.warning("batch failed as a whole; applying it event by event", exc_info=True)
                async with UnitOfWork.begin(conn, self.source) as uow:
                    tally = await self._apply(uow, decoded, isolate=True)
        for (topic, outcome), count in tally.items():
            metrics.CONSUMED.labels(self.service, topic, outcome).inc(count)

    def _decode(self, record: InboundRecord) -> _Decoded:
        """Never raises: one record that cannot be decoded must not block its partition."""
        try:
            decoded = self._decode_record(record)
        except Exception as error:
            log.exception("record could not be decoded; dead-lettering it")
            return _Decoded(record, unreadable=f"could not decode: {error!r}"[:500])
        return dataclasses.replace(decoded, trace_parent=telemetry.context_of(record.headers))

    def _decode_record(self, record: InboundRecord) -> _Decoded:
        try:
            event = from_record(record.value, record.headers)
        except UnreadableRecord as error:
            return _Decoded(record, unreadable=error.reason)
        topic = TOPICS.get(record.topic)
        if topic is not None and event.type not in topic.event_types:
            return _Decoded(
                record,
                event,
                unreadable=f"unknown ce_type {event.type!r} on {record.topic}",
                dead_letter_kind="unknown-type",
            )
        if topic is not None and topic.is_partner_inbound and sender_of(event.source) is None:
            return _Decoded(
                record,
                event,
                unreadable="ce_source must be /providers/<provider_id>",
                dead_letter_kind="bad-source",
            )
        if event.type not in self.handlers:
            return _Decoded(record, event)  # a known event this service does not act on
        try:
            payload = parse_payload(event.type, event.data)
        except PayloadRefused as refusal:
            problems = [
                Problem(e.field, e.message, e.message_de, e.message_en) for e in refusal.errors
            ]
            return _Decoded(record, event, refused=problems)
        return _Decoded(record, event, payload=payload)

    async def _apply(
        self, uow: UnitOfWork, batch: Sequence[_Decoded], *, isolate: bool
    ) -> Counter[tuple[str, str]]:
        """Apply the batch's new events; return how many of each topic ended how."""
        new = await self._claim_new(uow.conn, batch)
        tally: Counter[tuple[str, str]] = Counter()
        fresh = {id(item) for item in new}
        tally.update((i.record.topic, "duplicate") for i in batch if id(i) not in fresh)
        for run in ([item] for item in new) if isolate else self._runs(new):
            if isolate:
                await self._apply_isolated(uow, run, tally)
            else:
                await self._apply_run(uow, run, tally)
        return tally

    def _runs(self, items: Sequence[_Decoded]) -> list[list[_Decoded]]:
        """Consecutive events of one type with a Batched handler form a run; others stand alone.

        Runs keep the batch's order, so per-key order holds across event types.
        """
        runs: list[list[_Decoded]] = []
        for item in items:
            batched = item.payload is not None and isinstance(
                self.handlers.get(item.ce_type), Batched
            )
            if batched and runs and runs[-1][0].ce_type == item.ce_type and runs[-1][0].payload:
                runs[-1].append(item)
            else:
                runs.append([item])
        return runs

    async def _claim_new(self, conn: Connection, batch: Sequence[_Decoded]) -> list[_Decoded]:
        """Record every event in the inbox; return those seen for the first time, in order."""
        first_seen: dict[tuple[str, str], _Decoded] = {}
        for item in batch:
            first_seen.setdefault(item.inbox_key, item)
        items = list(first_seen.values())
        rows = await conn.fetch(
            _CLAIM_INBOX,
            [i.inbox_key[0] for i in items],
            [i.inbox_key[1] for i in items],
            [i.ce_type for i in items],
        )
        new = {(r["ce_source"], r["ce_id"]) for r in rows}
        return [i for i in items if i.inbox_key in new]

    async def _apply_run(
        self, uow: UnitOfWork, run: Sequence[_Decoded], tally: Counter[tuple[str, str]]
    ) -> None:
        first = run[0]
        topic = first.record.topic
        if first.unreadable is not None:
            tally[(topic, "dead-lettered")] += 1
            stage_dead_letter(
                uow, first.record, first.unreadable, self.service, kind=first.dead_letter_kind
            )
            return
        if first.refused is not None:
            tally[(topic, "refused")] += 1
            self._refuse(uow, first.event, first.record, first.refused)
            return
        if first.payload is None or first.event is None:
            tally[(topic, "ignored")] += 1  # an event this service does not act on
            return
        spans, messages = [], []
        batch_context = otel_context.get_current()
        for item in run:
            assert item.event is not None
            assert item.payload is not None
            ctx = batch_context
            if telemetry.carries_trace(item.trace_parent):
                span, ctx = telemetry.start_process_span(
                    item.record, item.event, item.trace_parent, self.group_id
                )
                spans.append(span)
            messages.append(Message(item.event, item.payload, item.record, ctx))
        try:
            refusals = await self._handle(uow, first.event.type, messages)
        finally:
            for span in spans:
                span.end()
        for message, refusal in refusals:
            self._refuse(uow, message.event, message.record, refusal.problems)
        tally[(topic, "refused")] += len(refusals)
        tally[(topic, "applied")] += len(messages) - len(refusals)

    async def _handle(
        self, uow: UnitOfWork, event_type: str, messages: Sequence[Message[BaseModel]]
    ) -> Refusals[BaseModel]:
        handler = self.handlers[event_type]
        if isinstance(handler, Batched):
            return await handler.apply(uow, messages)
        refusals = []
        for message in messages:
            # The message's span is current while its handler runs: what it publishes
            # through the outbox continues the message's trace.
            token = otel_context.attach(message.trace_context)
            try:
                await handler(uow, message)
            except Refused as refused:
                refusals.append((message, refused))
            finally:
                otel_context.detach(token)
        return refusals

    async def _apply_isolated(
        self, uow: UnitOfWork, run: Sequence[_Decoded], tally: Counter[tuple[str, str]]
    ) -> None:
        """A savepoint per event, so one poisonous event is dead-lettered, not retried forever."""
        staged_before = len(uow.staged)
        attempt: Counter[tuple[str, str]] = Counter()
        try:
            async with uow.conn.transaction():
                await self._apply_run(uow, run, attempt)
            tally.update(attempt)
        except CONNECTION_ERRORS:  # a lost connection: retry the whole batch
            raise
        except Exception as error:
            del uow.staged[staged_before:]
            log.exception("event could not be applied; dead-lettering it")
            tally[(run[0].record.topic, "dead-lettered")] += len(run)
            for item in run:
                stage_dead_letter(
                    uow,
                    item.record,
                    f"handler failed: {error!r}",
                    self.service,
                    kind="handler-failed",
                )

    def _refuse(
        self,
        uow: UnitOfWork,
        event: Event | None,
        record: InboundRecord,
        problems: Sequence[Problem],
    ) -> None:
        assert event is not None
        provider = sender_of(event.source)
        if provider is None:  # not a partner's event: nobody to tell, so an operator must look
            stage_dead_letter(uow, record, f"refused: {problems}", self.service, kind="refused")
            return
        stage_feedback(
            uow,
            provider_id=provider,
            original_ce_id=event.id,
            topic=record.topic,
            problems=problems,
            data=event.data,
        )
        metrics.FEEDBACK.labels(self.service, record.topic).inc()


def _readable_headers(record: Any) -> Any:
    try:
        for _, value in record.headers or ():
            value.decode()
    except (UnicodeDecodeError, AttributeError):
        headers = [
            (k, bytes(v or b"").decode("utf-8", "replace").encode()) for k, v in record.headers
        ]
        return dataclasses.replace(record, headers=headers)
    return record


def _inbound(record: Any) -> InboundRecord:
    return InboundRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )
