"""The region's education report in the real browser: a council member sees the places of the
region as tiles, bars by life phase and the gap line, with counts under five hidden."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.browser import axe
from tests.browser.conftest import DESKTOP, needs_browser
from tests.browser.test_portal import LIVE, no_raw_values
from tests.support.partner import course, publish_binary
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

pytestmark = needs_browser
sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright missing")


def offer_with_learners(region: DevStack, town: str, learners: int) -> None:
    """A partner publishes a course in `town`; `learners` people enrol over HTTP."""
    provider = f"bericht-{uuid.uuid4().hex[:8]}"
    operator = {"Authorization": f"Bearer {mint_token(Settings(), role='operator', sub='ops')}"}
    registered = httpx.put(
        f"{region.layout.url('catalog')}/providers/{provider}",
        json={"name": "Bildungswerk Bericht", "kind": "volkshochschule", "municipality": town},
        headers=operator,
    )
    assert registered.status_code == 200, registered.text
    data = course("bericht-1", provider=provider, capacity=20,
                  location={"municipality": town, "postcode": "34117"})  # fmt: skip
    publish = publish_binary(region.bootstrap, data, source=f"/providers/{provider}",
                             ce_id=str(uuid.uuid4()))  # fmt: skip
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, publish).result()
    seats = f"{region.layout.url('enrolment')}/courses/{data['course_id']}/seats"
    deadline = time.monotonic() + 30
    while httpx.get(seats).status_code != 200:
        assert time.monotonic() < deadline, "enrolment never learned the course"
        time.sleep(0.2)
    for n in range(learners):
        learner = f"{provider}-l{n}"
        token = mint_token(Settings(), role="learner", sub=learner)
        answer = httpx.post(
            f"{region.layout.url('enrolment')}/enrolments",
            json={"course_id": data["course_id"], "learner_id": learner},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code in (200, 201), answer.text


def wait_for_report(region: DevStack, town: str, participants: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        report = httpx.get(f"{region.layout.url('cooperative')}/reports/education?period=2027")
        rows = {r["municipality"]: r for r in report.json()["by_municipality"]}
        if (
            town in rows
            and rows[town]["courses"]
            and (rows[town]["participants"] == participants or participants < 5)
        ):
            return
        assert time.monotonic() < deadline, f"the report never counted {town}"
        time.sleep(0.3)


def test_a_council_member_reads_the_report_as_pictures_with_small_counts_hidden(
    region: DevStack, browser: Any
) -> None:
    # Two small places, not one: with one, the region's total minus the other places would
    # give its count away, and secondary suppression would withhold the big place's too.
    big, small = f"Vellmar-{uuid.uuid4().hex[:4]}", f"Calden-{uuid.uuid4().hex[:4]}"
    other_small = f"Espenau-{uuid.uuid4().hex[:4]}"
    offer_with_learners(region, big, 6)
    offer_with_learners(region, small, 2)
    offer_with_learners(region, other_small, 3)
    wait_for_report(region, big, 6)
    wait_for_report(region, small, 2)
    wait_for_report(region, other_small, 3)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{region.web_url}/#/bericht?zeitraum=2027")
    tiles = page.locator("#municipalities li")
    sync_api.expect(tiles.filter(has_text=big)).to_contain_text("6 Teilnehmende", timeout=LIVE)
    sync_api.expect(tiles.filter(has_text=small)).to_contain_text("unter 5 Teilnehmende")
    sync_api.expect(page.locator("#life-phases")).to_contain_text("Erwerbsleben")
    sync_api.expect(page.get_by_role("link", name="Als CSV herunterladen")).to_be_visible()
    no_raw_values(page)
    axe.check(page, "education report")
    page.get_by_label("Sprache").select_option("en")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(
        "The region's education report"
    )
    sync_api.expect(tiles.filter(has_text=small)).to_contain_text("under 5 participants")
    axe.check(page, "education report in English")
    page.get_by_label("Language").select_option("de")
    page.close()
