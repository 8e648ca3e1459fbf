"""What an operator sees: `zll status` over the running region."""

from __future__ import annotations

import pytest

from zll.devstack.stack import DevStack
from zll.platform.settings import SERVICE_NAMES
from zll.status import read_status

pytestmark = pytest.mark.e2e


def test_status_shows_every_service_ready_with_its_figures(region: DevStack) -> None:
    statuses = read_status({name: region.layout.url(name) for name in SERVICE_NAMES})
    assert [s.service for s in statuses] == list(SERVICE_NAMES)
    assert all(s.ready for s in statuses), statuses
    assert all(s.outbox_backlog >= 0 and s.error_rate == 0 for s in statuses)


def test_status_says_when_a_service_is_unreachable() -> None:
    (status,) = read_status({"catalog": "http://127.0.0.1:9"}, timeout=0.5)
    assert status.ready is None
