"""Prometheus metrics every service exposes at /metrics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Histogram

CONSUMED = Counter(
    "zll_events_consumed_total",
    "Records consumed, by topic and outcome (applied, duplicate, ignored, refused, dead-lettered)",
    ["service", "topic", "outcome"],
)
FEEDBACK = Counter(
    "zll_feedback_total", "Partner events refused with feedback", ["service", "topic"]
)
DEAD_LETTERS = Counter(
    "zll_dead_letters_total", "Records sent to the dead-letter topic", ["service", "topic"]
)
BATCH_SECONDS = Histogram("zll_consumer_batch_seconds", "Time to apply one poll batch", ["service"])
HTTP_REQUESTS = Counter(
    "zll_http_requests_total",
    "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "zll_http_request_seconds", "HTTP request duration", ["service", "method", "route"]
)


def count_consumed(service: str, decoded: Iterable[Any]) -> None:
    for item in decoded:
        if item.unreadable is not None:
            outcome = "dead-lettered"
            DEAD_LETTERS.labels(service, item.record.topic).inc()
        elif item.refused is not None:
            outcome = "refused"
        elif item.payload is None:
            outcome = "ignored"
        else:
            outcome = "applied"
        CONSUMED.labels(service, item.record.topic, outcome).inc()
