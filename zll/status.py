"""`zll status`: every service's health, lag, outbox backlog, dead letters and error rate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    url: str
    ready: bool | None  # None: not reachable at all
    consumer_lag: float = 0.0
    outbox_backlog: float = 0.0
    outbox_oldest_seconds: float = 0.0
    dead_letters: float = 0.0
    feedback: float = 0.0
    http_requests: float = 0.0
    http_errors: float = 0.0

    @property
    def error_rate(self) -> float:
        return self.http_errors / self.http_requests if self.http_requests else 0.0


def sample_sums(metrics_text: str) -> dict[str, float]:
    """Each metric's samples summed over labels; `zll_http_errors` counts 5xx responses."""
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
            if sample.name == "zll_http_requests_total" and sample.labels.get(
                "status", ""
            ).startswith("5"):
                sums["zll_http_errors"] = sums.get("zll_http_errors", 0.0) + sample.value
    return sums


def read_status(services: Mapping[str, str], timeout: float = 2.0) -> list[ServiceStatus]:
    statuses = []
    with httpx.Client(timeout=timeout) as client:
        for name, url in services.items():
            try:
                ready = client.get(f"{url}/readyz").status_code == 200
                sums = sample_sums(client.get(f"{url}/metrics").text)
            except httpx.HTTPError:
                statuses.append(ServiceStatus(name, url, ready=None))
                continue
            statuses.append(
                ServiceStatus(
                    name,
                    url,
                    ready=ready,
                    consumer_lag=sums.get("zll_consumer_lag", 0.0),
                    outbox_backlog=sums.get("zll_outbox_backlog", 0.0),
                    outbox_oldest_seconds=sums.get("zll_outbox_oldest_age_seconds", 0.0),
                    dead_letters=sums.get("zll_dead_letters_total", 0.0),
                    feedback=sums.get("zll_feedback_total", 0.0),
                    http_requests=sums.get("zll_http_requests_total", 0.0),
                    http_errors=sums.get("zll_http_errors", 0.0),
                )
            )
    return statuses
