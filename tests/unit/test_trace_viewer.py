"""The local trace viewer reads what OpenTelemetry's own OTLP exporter sends, and draws the tree."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, set_span_in_context

from zll.devstack.traces import SpanStore, decode_export, render_tree, summarise


def exported_by(service: str) -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_a_trace_across_two_services_is_one_tree(tmp_path: Path) -> None:
    catalog, catalog_spans = exported_by("zll-catalog")
    enrolment, enrolment_spans = exported_by("zll-enrolment")
    tracer = catalog.get_tracer("t")
    with (
        tracer.start_as_current_span("process zll.provider.courses.v1") as root,
        tracer.start_as_current_span("send zll.catalog.courses.v1"),
    ):
        pass
    parent = set_span_in_context(root)
    with enrolment.get_tracer("t").start_as_current_span(
        "process zll.catalog.courses.v1", context=parent, kind=SpanKind.CONSUMER
    ):
        pass

    store = SpanStore(tmp_path / "spans.jsonl")
    for spans in (catalog_spans, enrolment_spans):
        store.append(decode_export(encode_spans(spans.get_finished_spans()).SerializeToString()))

    trace_id = format(root.get_span_context().trace_id, "032x")
    tree = render_tree(store.trace(trace_id))
    # Children in start order: the send inside the root span, then the consumer after it.
    assert [line.split("  [")[0] for line in tree] == [
        "process zll.provider.courses.v1",
        "  send zll.catalog.courses.v1",
        "  process zll.catalog.courses.v1",
    ]
    assert "[zll-enrolment, consumer]" in tree[2]
    assert summarise(store.spans())[0].startswith(trace_id)
    assert "zll-catalog, zll-enrolment" in summarise(store.spans())[0]
