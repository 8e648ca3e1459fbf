"""Prometheus metrics every service exposes at /metrics."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

CONSUMED = Counter(
    "zll_events_consumed_total",
    "Records consumed, by topic and outcome (applied, refused, ignored, duplicate, dead-lettered)",
    ["service", "topic", "outcome"],
)
FEEDBACK = Counter(
    "zll_feedback_total", "Partner events refused with feedback", ["service", "topic"]
)
DEAD_LETTERS = Counter(
    "zll_dead_letters_total",
    "Records sent to the dead-letter topic, by origin topic and reason",
    ["service", "topic", "reason"],
)
BATCH_SECONDS = Histogram(
    "zll_consumer_batch_seconds",
    "Time to apply one poll batch in one transaction",
    ["service"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_LAG = Gauge(
    "zll_consumer_lag", "Records behind the partition's end", ["service", "topic", "partition"]
)
OUTBOX_BACKLOG = Gauge("zll_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_SECONDS = Gauge(
    "zll_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
OUTBOX_PUBLISHED = Counter("zll_outbox_published_total", "Outbox rows published", ["service"])
HTTP_REQUESTS = Counter(
    "zll_http_requests_total",
    "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "zll_http_request_seconds", "HTTP request duration", ["service", "method", "route"]
)


def observe_lag(service: str, message: Any) -> None:
    """Lag per partition of the batch just committed: the partition's end minus our position."""
    consumer = getattr(message, "consumer", None)
    if consumer is None or not hasattr(consumer, "highwater"):
        return
    last: dict[Any, int] = {}
    for record in message.raw_message:
        last[(record.topic, record.partition)] = record.offset
    from aiokafka import TopicPartition

    for (topic, partition), offset in last.items():
        highwater = consumer.highwater(TopicPartition(topic, partition))
        if highwater is not None:
            CONSUMER_LAG.labels(service, topic, str(partition)).set(max(0, highwater - offset - 1))
