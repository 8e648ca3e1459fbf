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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        kind = value.WhichOneof("value")
        out[pair.key] = (
            getattr(value, kind)
            if kind in {"string_value", "int_value", "bool_value", "double_value"}
            else str(value)
        )
    return out


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


def render_tree(spans: list[Span]) -> list[str]:
    """One line per span, children indented under parents, with service and timing."""
    if not spans:
        return []
    by_parent: dict[str, list[Span]] = defaultdict(list)
    ids = {s.span_id for s in spans}
    for span in spans:
        by_parent[span.parent_id if span.parent_id in ids else ""].append(span)
    origin = min(s.start_ns for s in spans)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for span in sorted(by_parent.get(parent, []), key=lambda s: s.start_ns):
            offset = (span.start_ns - origin) / 1e6
            mark = " ✗" if span.error else ""
            lines.append(
                f"{'  ' * depth}{span.name}  [{span.service}, {span.kind}]"
                f"  +{offset:.1f} ms, {span.duration_ms:.1f} ms{mark}"
            )
            walk(span.span_id, depth + 1)

    walk("", 0)
    return lines


def summarise(spans: list[Span], limit: int = 20) -> list[str]:
    """The most recent traces: id, root span, services touched, span count, duration."""
    by_trace: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_trace[span.trace_id].append(span)
    # Lone database calls are background polling (relay, delivery queue), not requests.
    worth = {t: m for t, m in by_trace.items() if len(m) > 1 or m[0].kind != "client"}
    recent = sorted(worth.items(), key=lambda kv: max(s.end_ns for s in kv[1]), reverse=True)
    lines = []
    for trace_id, members in recent[:limit]:
        root = min(members, key=lambda s: s.start_ns)
        services = ", ".join(sorted({s.service for s in members}))
        took = (max(s.end_ns for s in members) - root.start_ns) / 1e6
        lines.append(
            f"{trace_id}  {root.name:<40.40}  {len(members):>3} spans  {took:8.1f} ms  {services}"
        )
    return lines


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
