"""A server span per request: named by its route, continuing the caller's trace, one layer."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from zll.platform import http_tracing
from zll.platform.http_tracing import ServerSpans

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> tuple[httpx.AsyncClient, InMemorySpanExporter]:
    monkeypatch.setattr(http_tracing, "tracing_enabled", lambda: True)
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    app = FastAPI()

    @app.get("/courses/{course_id}/seats")
    async def seats(course_id: str) -> dict[str, str]:
        return {"course_id": course_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("on purpose")

    app.add_middleware(ServerSpans, spans=provider.get_tracer("test"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test"), exported


async def test_a_request_is_one_server_span_named_by_its_route_in_the_callers_trace(
    spans: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exported = spans
    parent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    async with client:
        response = await client.get("/courses/vhs:excel-1/seats", headers={"traceparent": parent})
    assert response.status_code == 200
    (span,) = exported.get_finished_spans()
    assert span.name == "GET /courses/{course_id}/seats"
    assert span.kind is SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/courses/{course_id}/seats"
    assert span.attributes["http.response.status_code"] == 200


async def test_a_failure_is_marked_and_probes_are_not_traced(
    spans: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exported = spans
    async with client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/broken")).status_code == 500
    (span,) = exported.get_finished_spans()
    assert span.name == "GET /broken"
    assert span.status.status_code is StatusCode.ERROR
