"""A short chaos run on its own dev stack: services killed, broker frozen, PostgreSQL
restarted under load, then nothing lost, doubled, overbooked, left waiting beside a free seat,
promoted out of turn or told twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.__main__ import render
from chaos.runner import Config, run_chaos
from tests.conftest import free_port
from zll.devstack.faults import QUICK_FAILOVER
from zll.devstack.stack import DevStack, StackLayout
from zll.platform.settings import SERVICE_NAMES

pytestmark = pytest.mark.e2e

SHORT = Config(
    seconds=12,  # the load goes on until the last fault has recovered
    seed=20261123,
    rate=15,
    courses=4,
    learners=60,
    kill_services=("enrolment", "notify"),
    freeze_seconds=5,
)


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[DevStack]:
    """Not the shared region: this test kills things."""
    layout = StackLayout(
        home=tmp_path, kafka_port=free_port(), ports={name: free_port() for name in SERVICE_NAMES}
    )
    # A killed service's partitions wait out its session before its restart may take them:
    # with aiokafka's 10 s, each kill kept the run waiting ~21 s; with 3 s, 5-8 s.
    stack = DevStack(layout, QUICK_FAILOVER)
    try:
        stack.start_infra()
        stack.start_services()
        yield stack
    finally:
        stack.stop()


def test_under_faults_nothing_is_lost_doubled_overbooked_or_told_twice(own_stack: DevStack) -> None:
    report = asyncio.run(run_chaos(own_stack, SHORT))
    print(render(report, SHORT))  # the figures, with pytest -s

    assert dict(report.faults) == {"kill": 2, "broker freeze": 1, "postgres restart": 1}
    for kind in ("http enrolment", "partner enrolment", "course change"):
        assert report.accepted[kind] > 0, kind
    assert report.distinct_events > 0
    assert report.accepted["http cancellation"] + report.accepted["partner cancellation"] > 0
    assert report.findings.counts() == {
        "lost": 0,
        "duplicated": 0,
        "overbooked": 0,
        "not-promoted": 0,
        "out-of-order": 0,
        "notified-twice": 0,
        "not-notified": 0,
        "not-quiet": 0,
    }, report.findings.details()
