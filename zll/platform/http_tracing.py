"""A server span per HTTP request, as plain ASGI middleware (one layer, no span per ASGI message).

OpenTelemetry's FastAPI instrumentation did the same job at a fifth of the event loop's CPU per
`POST /enrolments` in the registration rush (`make bench BENCH=rush`): it matched the route a
second time to name the span, opened an internal span for every `http.request` and
`http.response.*` message, and wrapped the app in two more middlewares. This keeps what a
reader of a trace uses: one `SERVER` span named `METHOD /route/{template}`, the
caller's `traceparent` continued, the semantic-convention attributes for method, route, path
and status, 5xx marked as errors. An unsampled request gets a non-recording span, which still
carries its trace id on to the outbox and the next hop.
"""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zll.platform.telemetry import tracer, tracing_enabled

# Probes and scrapes would be most of the spans and tell nothing.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_TRACE_HEADERS = (b"traceparent", b"tracestate")


def callers_context(headers: Iterable[tuple[bytes, bytes]]) -> Context | None:
    """The W3C trace context of the request's headers; None when it carries none."""
    carrier = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in headers
        if name in _TRACE_HEADERS
    }
    return propagate.extract(carrier) if "traceparent" in carrier else None


class ServerSpans:
    """When exporting: a server span per request. Otherwise: only the caller's trace context,
    attached while the request runs, so the events it causes continue the caller's trace."""

    def __init__(self, app: ASGIApp, spans: Tracer = tracer) -> None:
        self.app = app
        self.spans = spans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        parent = callers_context(scope["headers"])
        if not tracing_enabled():
            if parent is None:
                await self.app(scope, receive, send)
                return
            token = otel_context.attach(parent)
            try:
                await self.app(scope, receive, send)
            finally:
                otel_context.detach(token)
            return
        await self._traced(scope, receive, send, parent)

    async def _traced(
        self, scope: Scope, receive: Receive, send: Send, parent: Context | None
    ) -> None:
        method = scope["method"]
        span = self.spans.start_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        status = 500
        recording = span.is_recording()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status if recording else send)
        except Exception as error:
            if recording:
                span.record_exception(error)
            raise
        finally:
            otel_context.detach(token)
            if recording:
                # The router wrote the matched route into the same scope.
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
            span.end()
