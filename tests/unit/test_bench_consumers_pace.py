"""The consumers bench's pace: a consumer that commits in poll batches and never falls further
behind reads as keeping pace; one that learns slower reads as slower."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.bench_consumers import Progress, steady_window

TOTAL = 20_000
RATE = 1_500.0  # courses/s the catalog publishes
SAMPLE = 0.1  # s between samples, as the bench samples


def sampled(counts_at: Callable[[float], int], seconds: float) -> Progress:
    progress = Progress()
    steps = round(seconds / SAMPLE)
    for n in range(steps + 1):
        now = n * SAMPLE
        progress.note(now, min(TOTAL, counts_at(now)), TOTAL)
    return progress


def publishing(now: float) -> int:
    return int(RATE * now)


def in_batches(rate: float, delay: float, batch: int = 1_000) -> Callable[[float], int]:
    """Commits whole batches: what arrived up to `delay` ago, rounded down to a batch."""

    def committed(now: float) -> int:
        arrived = int(rate * max(0.0, now - delay))
        return arrived // batch * batch

    return committed


@pytest.mark.parametrize(("delay", "batch"), [(0.2, 700), (0.45, 1_300), (0.7, 1_700)])
def test_a_consumer_one_batch_behind_keeps_the_catalogs_pace(delay: float, batch: int) -> None:
    catalog = sampled(publishing, 16.0)
    consumer = sampled(in_batches(RATE, delay, batch), 16.0)

    window = steady_window(TOTAL, catalog, {"enrolment": consumer})

    ratio = consumer.pace(window) / catalog.pace(window)

    assert ratio == pytest.approx(1.0, abs=0.01)


def test_a_slower_consumer_reads_as_slower() -> None:
    catalog = sampled(publishing, 16.0)
    consumer = sampled(in_batches(0.95 * RATE, 0.3, 1_300), 18.0)

    window = steady_window(TOTAL, catalog, {"enrolment": consumer})

    ratio = consumer.pace(window) / catalog.pace(window)

    assert ratio == pytest.approx(0.95, abs=0.01)
