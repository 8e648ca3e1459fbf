"""A VHS registers the URL of its nightly export; an operator pulls it now, and its courses
turn up in search. The export is served by a real HTTP server on this machine."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.test_intake import _token, export, veranstaltung
from tests.e2e.test_walking_skeleton import eventually
from tests.integration.test_intake_feeds import ExportServer, serving
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e

PROVIDER = f"vhs-feed-{uuid.uuid4().hex[:6]}"
MARKER = "radierung" + uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def server() -> Iterator[ExportServer]:
    body = export(veranstaltung("R-1", f"{MARKER} Grundkurs"))
    with serving(ExportServer(body)) as s:
        yield s


@pytest.fixture(scope="module")
async def clients(region: DevStack) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=region.layout.url("intake"), timeout=60) as intake,
        httpx.AsyncClient(base_url=region.layout.url("catalog"), timeout=10) as catalog,
    ):
        registered = await catalog.put(
            f"/providers/{PROVIDER}",
            json={"name": "vhs Feed-Test", "kind": "volkshochschule", "municipality": "Kassel"},
            headers=_token("operator", "ops"),
        )
        assert registered.status_code == 200, registered.text
        yield intake, catalog


async def test_a_registered_feed_pulled_now_becomes_searchable_and_unchanged_costs_nothing(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], server: ExportServer
) -> None:
    intake, catalog = clients
    put = await intake.put(
        f"/providers/{PROVIDER}/feed",
        json={"url": server.url, "format": "openvhs", "interval_minutes": 1440},
        headers=_token("provider", PROVIDER),
    )
    assert put.status_code == 200, put.text
    assert put.json()["interval_minutes"] == 1440

    pulled = await intake.post(
        f"/providers/{PROVIDER}/feed/pulls", headers=_token("operator", "ops")
    )
    assert pulled.status_code == 200, pulled.text
    assert pulled.json()["last_outcome"] == "taken"
    report = await intake.get(
        f"/imports/{pulled.json()['last_import_id']}", headers=_token("provider", PROVIDER)
    )
    assert report.json()["feed_id"] == "feed"
    assert report.json()["counts"]["new"] == 1

    async def findable() -> bool:
        found = (await catalog.get("/courses", params={"q": MARKER})).json()
        return [c["title"] for c in found["items"]] == [f"{MARKER} Grundkurs"]

    assert await eventually(findable, timeout=30)

    again = await intake.post(
        f"/providers/{PROVIDER}/feed/pulls", headers=_token("operator", "ops")
    )
    assert again.json()["last_outcome"] == "not_modified"
    assert server.requests[-1].get("If-None-Match") == server.etag


async def test_a_feed_is_only_the_providers_own_and_needs_an_http_address(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    intake, _ = clients
    other = await intake.put(
        f"/providers/{PROVIDER}/feed",
        json={"url": "https://example.org/export.xml"},
        headers=_token("provider", "vhs-somewhere-else"),
    )
    assert other.status_code == 403
    bad = await intake.put(
        f"/providers/{PROVIDER}/feed",
        json={"url": "file:///etc/passwd"},
        headers=_token("provider", PROVIDER),
    )
    assert bad.status_code == 422
    missing = await intake.post(
        "/providers/vhs-no-feed-here/feed/pulls", headers=_token("operator", "ops")
    )
    assert missing.status_code == 404
