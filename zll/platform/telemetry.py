"""OpenTelemetry from the standard OTEL_* variables; with none set, nothing is exported.

Without an exporter the API's no-op tracer stays in place: it still carries the W3C context
of an incoming request or record into the outbox rows and on to the next hop, at almost no
cost, so a downstream service that does export sees one trace.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind

if TYPE_CHECKING:
    from zll_contracts import Event

    from zll.platform.kafka import InboundRecord

log = logging.getLogger(__name__)
tracer = trace.get_tracer("zll")
_enabled = False


def tracing_enabled() -> bool:
    return _enabled


def setup_tracing(service: str) -> None:
    """Install an exporting tracer provider when an OTLP endpoint is configured."""
    global _enabled
    if _enabled or not (
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    os.environ.setdefault("OTEL_SERVICE_NAME", f"zll-{service}")
    provider = TracerProvider(resource=Resource.create())  # sampler from OTEL_TRACES_SAMPLER
    provider.add_span_processor(BatchSpanProcessor(_exporter()))
    trace.set_tracer_provider(provider)
    _queries_in_recorded_traces().instrument()
    _enabled = True
    log.info("exporting traces over OTLP")


def _queries_in_recorded_traces() -> Any:
    """asyncpg's instrumentation, for queries inside a recorded trace only.

    As shipped it opens a span for every query: under a sampled-out request a non-recording
    one (work for nothing), and for a query outside any trace (the relay's and sweeps' polls)
    a trace of its own, a one-span trace several times a second that nobody follows.
    """
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    class QueriesInRecordedTraces(AsyncPGInstrumentor):
        async def _do_execute(self, func: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            if not trace.get_current_span().is_recording():
                return await func(*args, **kwargs)
            return await super()._do_execute(func, instance, args, kwargs)

        async def _do_prepared_execute(
            self, func: Any, instance: Any, args: Any, kwargs: Any
        ) -> Any:
            if not trace.get_current_span().is_recording():
                return await func(*args, **kwargs)
            return await super()._do_prepared_execute(func, instance, args, kwargs)

    return QueriesInRecordedTraces()


def _exporter() -> Any:
    protocol = os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
    )
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc

        return Grpc()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

    return Http()


def shutdown_tracing() -> None:
    """Flush spans still buffered, so a stopping service loses none of its last trace."""
    provider = trace.get_tracer_provider()
    if hasattr(provider, "shutdown"):
        provider.shutdown()


def context_of(headers: Sequence[tuple[str, bytes]]) -> Context:
    """The W3C trace context a Kafka record carries (empty when it carries none)."""
    carrier = {k: v.decode("latin-1") for k, v in headers if k in ("traceparent", "tracestate")}
    return propagate.extract(carrier) if carrier else Context()


def headers_of(ctx: Context | None = None) -> dict[str, str]:
    """`traceparent`/`tracestate` for a context (the current one by default)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return carrier


def messaging_attributes(
    *, topic: str, partition: int | None = None, key: bytes | None = None, group: str | None = None
) -> dict[str, Any]:
    """OpenTelemetry messaging semantic conventions for Kafka."""
    attributes: dict[str, Any] = {"messaging.system": "kafka", "messaging.destination.name": topic}
    if partition is not None:
        attributes["messaging.destination.partition.id"] = str(partition)
    if key is not None:
        attributes["messaging.kafka.message.key"] = key.decode("utf-8", "replace")
    if group is not None:
        attributes["messaging.consumer.group.name"] = group
    return attributes


# How many distinct record keys a batch span lists: enough for any batch a partner's plain
# client sends in one go, bounded so a 1000-record catch-up batch does not bloat its span.
MAX_BATCH_KEYS = 200


@contextmanager
def batch_span(
    topic_names: Sequence[str],
    contexts: Sequence[Context],
    group: str,
    keys: Sequence[bytes | None] = (),
) -> Iterator[Span | None]:
    """One span for a poll batch, linked to every message's own trace (span links).

    It lists the distinct keys of the records without a trace of their own
    (`zll.batch.message_keys`, at most MAX_BATCH_KEYS): those are processed in the batch's
    trace, and the key is how an operator finds it (`zll trace --course`).
    """
    if not _enabled:
        yield None
        return
    links = [
        Link(span.get_span_context())
        for span in (trace.get_current_span(c) for c in contexts)
        if span.get_span_context().is_valid
    ]
    attributes = messaging_attributes(topic=",".join(sorted(set(topic_names))), group=group)
    attributes["messaging.batch.message_count"] = len(contexts)
    attributes["messaging.operation.type"] = "process"
    # Only records processed in this trace: one with a trace of its own is processed there
    # (its `process <topic>` span carries its key), and naming it here too would list this
    # batch's trace as one that handled it.
    untraced = (k for k, c in zip(keys, contexts, strict=False) if not carries_trace(c))
    distinct = list(dict.fromkeys(k.decode("utf-8", "replace") for k in untraced if k))
    if distinct:
        attributes["zll.batch.message_keys"] = distinct[:MAX_BATCH_KEYS]
    if len(distinct) > MAX_BATCH_KEYS:
        attributes["zll.batch.message_keys_omitted"] = len(distinct) - MAX_BATCH_KEYS
    with tracer.start_as_current_span(
        "process batch", kind=SpanKind.CONSUMER, links=links, attributes=attributes
    ) as span:
        yield span


def carries_trace(ctx: Context) -> bool:
    """Whether a context holds a trace to continue (a record's `traceparent`, for instance)."""
    return trace.get_current_span(ctx).get_span_context().is_valid


def is_sampled(ctx: Context) -> bool:
    """Whether spans continuing this context are recorded (the parent-based sampler's rule)."""
    return trace.get_current_span(ctx).get_span_context().trace_flags.sampled


def start_process_span(
    record: InboundRecord, event: Event, parent: Context, group: str
) -> tuple[Span, Context]:
    """A span processing one record (an `InboundRecord` and its CloudEvent), continuing the
    record's own trace; returns it and a context holding it."""
    attributes = messaging_attributes(
        topic=record.topic, partition=record.partition, key=record.key, group=group
    )
    attributes["messaging.kafka.offset"] = record.offset
    attributes["messaging.operation.type"] = "process"
    attributes["messaging.message.id"] = event.id
    attributes["cloudevents.event_type"] = event.type
    attributes["cloudevents.event_source"] = event.source
    span = tracer.start_span(
        f"process {record.topic}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    )
    return span, trace.set_span_in_context(span, parent)
