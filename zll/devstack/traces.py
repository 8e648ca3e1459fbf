"""A local trace viewer: an OTLP/HTTP receiver that keeps spans in a file, and a span-tree printer.

The dev stack points every service's `OTEL_EXPORTER_OTLP_ENDPOINT` here, so an operator can
follow a request across services with `zll trace` and nothing else installed. For Jaeger or
Tempo, point the same variable at their OTLP endpoint instead: the dev stack then starts no
receiver of its own (Jaeger listens on 4318 itself) and notes where the traces went, so
`zll trace` can say so.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from zll_contracts.topics import TOPICS

_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    service: str
    kind: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    error: bool = False

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def keys(self) -> list[str]:
        """The record keys this span handled: its one message's, or its poll batch's."""
        one = self.attributes.get("messaging.kafka.message.key")
        many = self.attributes.get("zll.batch.message_keys") or []
        return ([str(one)] if one is not None else []) + [str(k) for k in many]

    @property
    def topics(self) -> list[str]:
        """The topics it sent to or consumed from (a batch may span several)."""
        names = str(self.attributes.get("messaging.destination.name") or "")
        return [t for t in names.split(",") if t]

    @property
    def statement(self) -> str | None:
        """The SQL of a database call, whitespace collapsed; None for other spans."""
        sql = self.attributes.get("db.statement") or self.attributes.get("db.query.text")
        return " ".join(str(sql).split()) if sql is not None else None


def decode_export(body: bytes) -> list[Span]:
    """Spans of one OTLP ExportTraceServiceRequest (protobuf)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    Span(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        name=span.name,
                        service=service,
                        kind=_KINDS.get(span.kind, "unspecified"),
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes=_attributes(span.attributes),
                        links=tuple(link.trace_id.hex() for link in span.links),
                        error=span.status.code == 2,
                    )
                )
    return spans


def _attributes(pairs: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        value = pair.value
        out[pair.key] = _value(value)
    return out


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind in {"string_value", "int_value", "bool_value", "double_value"}:
        return getattr(value, kind)
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return str(value)


ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def endpoint_elsewhere(env: Mapping[str, str]) -> str | None:
    """The OTLP endpoint the operator gave (the traces-only variable wins, as in the SDK), or
    None when traces are the dev stack's own to receive."""
    for name in ENDPOINT_VARIABLES:
        if env.get(name, "").strip():
            return env[name].strip()
    return None


def note_elsewhere(note: Path, endpoint: str | None) -> None:
    """What `zll up` leaves for `zll trace`: where the traces go when not to the receiver."""
    if endpoint is None:
        note.unlink(missing_ok=True)
        return
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(endpoint + "\n")


def read_elsewhere(note: Path) -> str | None:
    if not note.exists():
        return None
    return note.read_text().strip() or None


class SpanStore:
    """Spans as JSON lines in one file: append on receive, read on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, spans: Iterable[Span]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as out:
            for span in spans:
                out.write(json.dumps(span.__dict__) + "\n")

    def spans(self) -> list[Span]:
        if not self.path.exists():
            return []
        with self.path.open() as lines:
            return [_span(json.loads(line)) for line in lines if line.strip()]

    def trace(self, trace_id: str) -> list[Span]:
        return [s for s in self.spans() if s.trace_id == trace_id]


def _span(raw: dict[str, Any]) -> Span:
    raw["links"] = tuple(raw.get("links", ()))
    return Span(**raw)


# The table after INSERT INTO, UPDATE, DELETE FROM; after FROM or JOIN, only when no call
# follows (`FROM unnest($1)` reads no table).
_TABLE = r'\s+(?:ONLY\s+)?"?([A-Za-z_][\w.]*)\b'
_WRITES = (
    ("INSERT", re.compile(r"\bINSERT\s+INTO" + _TABLE, re.I)),
    # UPDATE t [AS] [alias] SET, not `FOR UPDATE SKIP LOCKED`
    ("UPDATE", re.compile(r"\bUPDATE" + _TABLE + r'"?\s+(?:(?:AS\s+)?\w+\s+)?SET\b', re.I)),
    ("DELETE", re.compile(r"\bDELETE\s+FROM" + _TABLE, re.I)),
)
_READS = re.compile(r"\b(?:FROM|JOIN)" + _TABLE + r'"?(?!\s*\()', re.I)


def statement_label(sql: str) -> str | None:
    """`INSERT inbox`, `SELECT courses`: the operation and the table a statement works on.

    None for a bare statement without a table (BEGIN, COMMIT, SAVEPOINT, LISTEN, `SELECT
    pg_advisory_xact_lock(…)`): the transaction's plumbing, not what it did.
    """
    for operation, pattern in _WRITES:
        match = pattern.search(sql)
        if match:
            return f"{operation} {match.group(1)}"
    match = _READS.search(sql)
    if match:
        return f"{sql.split(maxsplit=1)[0].upper()} {match.group(1)}"
    return None


def render_tree(spans: list[Span], *, everything: bool = False, sql: bool = False) -> list[str]:
    """One line per span, children indented under parents, with service and timing.

    Database calls are named by operation and table; bare statements (BEGIN, COMMIT…) are
    folded into their parent's line as a count, unless `everything` is asked. `sql` shows
    every statement's text too (and implies `everything`).
    """
    if not spans:
        return []
    everything = everything or sql
    by_parent: dict[str, list[Span]] = defaultdict(list)
    ids = {s.span_id for s in spans}
    for span in spans:
        by_parent[span.parent_id if span.parent_id in ids else ""].append(span)
    origin = min(s.start_ns for s in spans)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        children = sorted(by_parent.get(parent, []), key=lambda s: s.start_ns)
        for span in children:
            statement = span.statement
            label = statement_label(statement) if statement is not None else span.name
            if label is None and not everything and not by_parent.get(span.span_id):
                continue  # folded into the parent's line
            offset = (span.start_ns - origin) / 1e6
            mark = " ✗" if span.error else ""
            inner = by_parent.get(span.span_id, [])
            folded = 0 if everything else sum(1 for c in inner if _bare(c, by_parent))
            note = f"  (+{folded} bare SQL)" if folded else ""
            text = f"  {statement[:160]}" if sql and statement is not None else ""
            lines.append(
                f"{'  ' * depth}{label or span.name}  [{span.service}, {span.kind}]"
                f"  +{offset:.1f} ms, {span.duration_ms:.1f} ms{mark}{note}{text}"
            )
            walk(span.span_id, depth + 1)

    walk("", 0)
    return lines


def _bare(span: Span, by_parent: dict[str, list[Span]]) -> bool:
    statement = span.statement
    return (
        statement is not None
        and statement_label(statement) is None
        and not by_parent.get(span.span_id)
    )


@dataclass(frozen=True)
class TraceSummary:
    """One line of the trace list: when, what started it, which topic and key, how long."""

    trace_id: str
    start_ns: int
    end_ns: int
    root: str
    topic: str
    key: str
    spans: int
    services: tuple[str, ...]

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    def line(self) -> str:
        started = datetime.fromtimestamp(self.start_ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"{started}  {self.root:<32.32}  {self.topic:<30.30}  {self.key:<28.28}"
            f"  {self.duration_ms:9.1f} ms  {self.spans:>4} spans  {self.trace_id}"
        )


HEADER = (
    f"{'started':<19}  {'root operation':<32}  {'topic':<30}  {'key':<28}"
    f"  {'duration':>12}  {'':>10}  trace"
)


def traces(spans: Iterable[Span]) -> dict[str, list[Span]]:
    by_trace: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_trace[span.trace_id].append(span)
    return by_trace


def course_keyed(topic: str) -> bool:
    """Whether a topic's records are keyed by course id (the registry says so)."""
    registered = TOPICS.get(topic)
    return registered is not None and registered.key == "course_id"


def touches(members: Iterable[Span], key: str, *, course: bool = False) -> bool:
    """Whether a trace handled a record with this key (on a course-keyed topic, for a course)."""
    return any(
        key in span.keys and (not course or any(course_keyed(t) for t in span.topics))
        for span in members
    )


def summarise(
    spans: Iterable[Span],
    limit: int = 20,
    *,
    key: str | None = None,
    course: str | None = None,
    since_ns: int | None = None,
) -> list[TraceSummary]:
    """The most recent traces, newest first; only those that touched `key` or `course`,
    or that started at or after `since_ns`, when asked."""
    wanted = course or key
    chosen = []
    for trace_id, members in traces(spans).items():
        if len(members) == 1 and members[0].kind == "client":
            continue  # a lone database call is background polling (relay), not a request
        if wanted is not None and not touches(members, wanted, course=course is not None):
            continue
        root = min(members, key=lambda s: s.start_ns)
        if since_ns is not None and root.start_ns < since_ns:
            continue
        chosen.append(_summary(trace_id, root, members, wanted))
    chosen.sort(key=lambda t: t.end_ns, reverse=True)
    return chosen[:limit]


def _summary(trace_id: str, root: Span, members: list[Span], wanted: str | None) -> TraceSummary:
    messaging = [s for s in sorted(members, key=lambda s: s.start_ns) if s.topics]
    first = root if root.topics else (messaging[0] if messaging else root)
    keys = first.keys
    # The key asked for, else the first: a batch's trace handled many.
    shown = next((k for k in keys if k == wanted), keys[0] if keys else "")
    if len(keys) > 1:
        shown += f" (+{len(keys) - 1})"
    return TraceSummary(
        trace_id=trace_id,
        start_ns=root.start_ns,
        end_ns=max(s.end_ns for s in members),
        root=root.name,
        topic=",".join(first.topics),
        key=shown,
        spans=len(members),
        services=tuple(sorted({s.service for s in members})),
    )


_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: datetime | None = None) -> int:
    """`10m`, `2h`, `90s`, `1d` ago, or a local time (`14:05`) or date-time (ISO 8601), as
    nanoseconds since the epoch."""
    now = now or datetime.now()
    ago = _AGO.match(text.strip())
    if ago:
        seconds = float(ago.group(1)) * _UNIT_SECONDS[ago.group(2)]
        return int((now.timestamp() - seconds) * 1e9)
    try:
        clock = datetime.strptime(text.strip(), "%H:%M").time()
        return int(datetime.combine(now.date(), clock).timestamp() * 1e9)
    except ValueError:
        pass
    return int(datetime.fromisoformat(text.strip()).timestamp() * 1e9)  # ValueError if not


def receiver_app(store: SpanStore) -> Any:
    """The OTLP/HTTP endpoint (`POST /v1/traces`, protobuf) as an ASGI app."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def traces(request: Request) -> Response:
        store.append(decode_export(await request.body()))
        return Response(b"", media_type="application/x-protobuf")

    return Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="ZLL dev stack: local OTLP/HTTP trace receiver")
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(
        receiver_app(SpanStore(args.file)), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
