"""The local trace viewer reads what OpenTelemetry's own OTLP exporter sends, and draws the tree."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, set_span_in_context

from zll.devstack.traces import (
    SpanStore,
    decode_export,
    parse_since,
    render_tree,
    statement_label,
    summarise,
)


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
    listed = summarise(store.spans())[0]
    assert listed.trace_id == trace_id
    assert listed.services == ("zll-catalog", "zll-enrolment")
    assert listed.root == "process zll.provider.courses.v1"


def stored(tmp_path: Path, exporter: InMemorySpanExporter) -> SpanStore:
    """The spans as the dev stack's receiver stores them: OTLP protobuf, decoded, a file."""
    store = SpanStore(tmp_path / "spans.jsonl")
    encoded = encode_spans(exporter.get_finished_spans()).SerializeToString()
    store.append(decode_export(encoded))
    return store


def sql(statement: str) -> dict[str, str]:
    return {"db.system": "postgresql", "db.statement": statement}


def a_poll_batch(tmp_path: Path, topic: str, keys: list[str]) -> tuple[SpanStore, str]:
    """A consumer's poll batch of records without traceparent, as the consumer traces it."""
    catalog, exported = exported_by("zll-catalog")
    tracer = catalog.get_tracer("t")
    attributes = {"messaging.destination.name": topic, "zll.batch.message_keys": keys}
    with tracer.start_as_current_span(
        "process batch", kind=SpanKind.CONSUMER, attributes=attributes
    ) as batch:
        for statement in (
            "BEGIN;",
            "INSERT INTO inbox (ce_source, ce_id) SELECT * FROM unnest($1::text[], $2::text[])",
            "SELECT pg_advisory_xact_lock(42)",
            "SELECT c.course_id FROM courses c JOIN providers p USING (provider_id)",
            "COMMIT;",
        ):
            with tracer.start_as_current_span(
                statement.split()[0], kind=SpanKind.CLIENT, attributes=sql(statement)
            ):
                pass
    return stored(tmp_path, exported), format(batch.get_span_context().trace_id, "032x")


def test_a_course_sent_without_a_trace_is_found_in_its_poll_batch(tmp_path: Path) -> None:
    store, trace_id = a_poll_batch(
        tmp_path, "zll.provider.courses.v1", ["vhs-kassel-k1", "vhs-kassel-k2"]
    )

    found = summarise(store.spans(), course="vhs-kassel-k2")
    assert [t.trace_id for t in found] == [trace_id]
    assert found[0].root == "process batch"
    assert found[0].topic == "zll.provider.courses.v1"
    assert found[0].key == "vhs-kassel-k2 (+1)"
    line = found[0].line()
    assert datetime.fromtimestamp(found[0].start_ns / 1e9).strftime("%H:%M:%S") in line
    assert "zll.provider.courses.v1" in line
    assert trace_id in line
    assert summarise(store.spans(), course="vhs-kassel-k3") == []
    assert summarise(store.spans(), key="vhs-kassel-k1")[0].trace_id == trace_id


def test_a_course_id_is_looked_for_only_on_topics_keyed_by_course(tmp_path: Path) -> None:
    # zll.placements.v1 is keyed by learner id: a learner named like a course is not a course.
    store, trace_id = a_poll_batch(tmp_path, "zll.placements.v1", ["k1"])
    assert summarise(store.spans(), course="k1") == []
    assert summarise(store.spans(), key="k1")[0].trace_id == trace_id


def test_only_traces_started_since_are_listed(tmp_path: Path) -> None:
    store, trace_id = a_poll_batch(tmp_path, "zll.provider.courses.v1", ["k1"])
    assert summarise(store.spans(), since_ns=parse_since("1m"))[0].trace_id == trace_id
    assert summarise(store.spans(), since_ns=parse_since("2099-01-01T00:00")) == []


def test_the_tree_folds_bare_statements_into_their_parent_and_names_tables(
    tmp_path: Path,
) -> None:
    store, trace_id = a_poll_batch(tmp_path, "zll.provider.courses.v1", ["k1"])
    tree = [line.split("  [")[0] for line in render_tree(store.trace(trace_id))]
    assert tree == ["process batch", "  INSERT inbox", "  SELECT courses"]
    assert "(+3 bare SQL)" in render_tree(store.trace(trace_id))[0]

    everything = render_tree(store.trace(trace_id), everything=True)
    assert [line.split("  [")[0] for line in everything] == [
        "process batch",
        "  BEGIN;",
        "  INSERT inbox",
        "  SELECT",
        "  SELECT courses",
        "  COMMIT;",
    ]
    with_sql = render_tree(store.trace(trace_id), sql=True)
    assert with_sql[3].endswith("SELECT pg_advisory_xact_lock(42)")


@pytest.mark.parametrize(
    ("statement", "label"),
    [
        ("BEGIN;", None),
        ("COMMIT;", None),
        ("SAVEPOINT event_3", None),
        ("LISTEN outbox_rows", None),
        ("SELECT pg_advisory_xact_lock($1)", None),
        ("SELECT * FROM unnest($1::text[])", None),
        ("INSERT INTO outbox (topic, key) VALUES ($1, $2)", "INSERT outbox"),
        ("UPDATE seats SET taken = taken + 1 WHERE course_id = $1", "UPDATE seats"),
        ("UPDATE seats s SET taken = 0", "UPDATE seats"),
        ("SELECT id FROM outbox ORDER BY id FOR UPDATE SKIP LOCKED", "SELECT outbox"),
        ("DELETE FROM outbox WHERE id = ANY($1)", "DELETE outbox"),
        ("WITH gone AS (DELETE FROM inbox WHERE seen < $1) SELECT 1", "DELETE inbox"),
        ("select id from public.courses where id = $1", "SELECT public.courses"),
    ],
)
def test_a_statement_is_named_by_its_operation_and_table(statement: str, label: str | None) -> None:
    assert statement_label(statement) == label


def test_since_reads_durations_clock_times_and_dates() -> None:
    now = datetime(2026, 12, 4, 12, 0, 0)
    assert parse_since("10m", now) == int(datetime(2026, 12, 4, 11, 50).timestamp() * 1e9)
    assert parse_since("14:05", now) == int(datetime(2026, 12, 4, 14, 5).timestamp() * 1e9)
    assert parse_since("2026-12-01T08:00", now) == int(
        datetime(2026, 12, 1, 8, 0).timestamp() * 1e9
    )
    with pytest.raises(ValueError, match="isoformat"):
        parse_since("yesterday", now)
