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


async def test_the_operator_metrics_are_exposed_after_real_traffic(region: DevStack) -> None:
    """Consumed events per topic and outcome, lag, outbox backlog and age, feedback and dead
    letters by reason, HTTP rate and duration per route, webhook retries."""
    import uuid

    import httpx

    from tests.support.partner import course, eventually, publish_binary, publish_raw

    good = course(f"metrics-{uuid.uuid4().hex[:6]}")
    # A course for a provider nobody registered: refused with feedback.
    await publish_binary(
        region.bootstrap, good, source="/providers/vhs-testhausen", ce_id=str(uuid.uuid4())
    )
    await publish_raw(region.bootstrap, b"not a cloud event", [("content-type", b"text/plain")])

    async with httpx.AsyncClient() as client:

        async def catalog_counted() -> str | None:
            text = (await client.get(f"{region.layout.url('catalog')}/metrics")).text
            wanted = ("zll_feedback_total{", 'reason="unreadable"', 'outcome="refused"')
            return text if all(w in text for w in wanted) else None

        catalog = await eventually(catalog_counted)
        assert catalog, "the catalog never counted the refusal and the dead letter"
        for family in (
            "zll_events_consumed_total",
            "zll_consumer_batch_seconds",
            "zll_consumer_lag",
            "zll_outbox_backlog",
            "zll_outbox_oldest_age_seconds",
            "zll_outbox_published_total",
            "zll_feedback_total",
            "zll_dead_letters_total",
            "zll_http_requests_total",
            "zll_http_request_seconds",
        ):
            assert family in catalog, family
        assert 'topic="zll.provider.courses.v1"' in catalog
        assert 'route="/metrics"' in catalog or 'route="/readyz"' in catalog
        notify = (await client.get(f"{region.layout.url('notify')}/metrics")).text
        assert "zll_notify_attempts_failed_total" in notify or "zll_notify_sent_total" in notify
