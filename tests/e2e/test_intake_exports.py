"""The region's catalogue comes back out: an open-Qcat provider's courses, imported, are in
intake's open-Qcat export and OOAPI pages; the export imported again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from tests.e2e.matching_helpers import eventually
from tests.e2e.test_intake import _token
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e

PROVIDER = f"bw-export-{uuid.uuid4().hex[:6]}"
FULL = Path(__file__).parents[1] / "unit" / "intake" / "fixtures" / "openqcat-full.xml"


@pytest.fixture(scope="module")
async def intake(region: DevStack) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        httpx.AsyncClient(base_url=region.layout.url("intake"), timeout=60) as intake,
        httpx.AsyncClient(base_url=region.layout.url("catalog"), timeout=10) as catalog,
    ):
        registered = await catalog.put(
            f"/providers/{PROVIDER}",
            json={
                "name": "Bildungswerk Export",
                "kind": "bildungstraeger",
                "municipality": "Kassel",
            },
            headers=_token("operator", "ops"),
        )
        assert registered.status_code == 200, registered.text
        yield intake


async def upload(intake: httpx.AsyncClient, body: bytes, **params: str) -> httpx.Response:
    return await intake.post(
        f"/providers/{PROVIDER}/imports",
        content=body,
        params=params,
        headers=_token("provider", PROVIDER) | {"Content-Type": "application/xml"},
    )


async def test_an_imported_catalogue_comes_back_out_as_openqcat_and_ooapi(
    intake: httpx.AsyncClient,
) -> None:
    first = await upload(intake, FULL.read_bytes())
    assert first.status_code == 201, first.text
    taken = first.json()["counts"]["new"]
    assert taken >= 2

    async def exported() -> bytes | None:
        answer = await intake.get("/exports/openqcat", params={"provider": PROVIDER})
        assert answer.status_code == 200
        return answer.content if answer.content.count(b"<SERVICE ") == taken else None

    document = await eventually(exported, timeout=30)
    assert document is not None
    root = etree.fromstring(document)
    assert root.tag == "OPENQCAT"
    assert root.find("NEW_CATALOG").get("FULLCATALOG") == "true"  # type: ignore[union-attr]

    again = await upload(intake, document, dry_run="true")
    assert again.status_code == 201, again.text
    counts = again.json()["counts"]
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, taken)

    page = (
        await intake.get(
            "/ooapi/v5/offerings", params={"provider": PROVIDER, "pageSize": 1, "pageNumber": 1}
        )
    ).json()
    assert page["hasNextPage"] is True
    [offering] = page["items"]
    assert offering["offeringType"] == "course"
    courses = (await intake.get("/ooapi/v5/courses", params={"provider": PROVIDER})).json()
    assert len(courses["items"]) == taken
