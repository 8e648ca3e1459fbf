"""The reference portal in Debian's Chromium against the running dev stack: search, enrol, live."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.browser import chromium
from tests.e2e.test_walking_skeleton import course, publish_binary
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
pytestmark = [pytest.mark.e2e, chromium.required()]
try:
    from playwright import sync_api
except ImportError:  # chromium.required() has skipped every test here (or failed under CI)
    sync_api = None

LIVE = 20_000  # ms a live update may take at most before the test fails


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium.CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def publish_course(region: DevStack) -> tuple[str, str, str]:
    """A partner registers and publishes a Pflegekräfte course with one seat, a moment ago."""
    provider, town = f"pflege-{uuid.uuid4().hex[:8]}", f"Kassel-{uuid.uuid4().hex[:4]}"
    operator = {"Authorization": f"Bearer {mint_token(Settings(), role='operator', sub='ops')}"}
    registered = httpx.put(
        f"{region.layout.url('catalog')}/providers/{provider}",
        json={"name": "Pflegeschule Test", "kind": "volkshochschule", "municipality": "Kassel"},
        headers=operator,
    )
    assert registered.status_code == 200, registered.text
    title = f"Pflegekräfte in der Altenhilfe {town}"
    data = course("live-1", provider=provider, title=title, capacity=1,
                  location={"municipality": town, "postcode": "34117"})  # fmt: skip
    publish = publish_binary(region.bootstrap, data, source=f"/providers/{provider}",
                             ce_id=str(uuid.uuid4()))  # fmt: skip
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        thread.submit(asyncio.run, publish).result()
    return data["course_id"], title, town


def sign_in(page: Any, web: str, learner: str) -> None:
    page.goto(f"{web}/#/lernen")
    page.get_by_label("Kennung").fill(learner)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_selector("#enrolments")
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads


def open_course(page: Any, web: str, title: str, town: str) -> None:
    page.get_by_role("link", name="Kurse finden").click()
    page.get_by_label("Suchbegriff").fill("Pflegekräfte")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_selector(f"select[name=municipality] option[value='{town}']", state="attached")
    page.get_by_label("Ort").select_option(town)  # a facet with its count
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name=title).click()
    page.wait_for_selector("#enrol")


def test_learners_enrol_and_see_confirmation_and_promotion_live(
    region: DevStack, browser: Any
) -> None:
    web = region.web_url
    course_id, title, town = publish_course(region)
    first, second = (browser.new_context(locale="de-DE") for _ in range(2))
    lena, mia = first.new_page(), second.new_page()
    sign_in(lena, web, f"lena-{uuid.uuid4().hex[:6]}")
    sign_in(mia, web, f"mia-{uuid.uuid4().hex[:6]}")

    # The catalog is eventually consistent: wait until it serves the course, then search.
    deadline = time.monotonic() + 20
    while httpx.get(f"{region.layout.url('catalog')}/courses/{course_id}").status_code != 200:
        assert time.monotonic() < deadline, "the partner's course never reached the catalog"
        time.sleep(0.1)
    open_course(lena, web, title, town)
    lena.get_by_role("button", name="Jetzt anmelden").click()
    sync_api.expect(lena.locator("#enrolment-outcome")).to_have_text("Bestätigt", timeout=LIVE)
    confirmation = lena.locator("#notifications li[data-kind='enrolment.confirmed']")
    sync_api.expect(confirmation).to_contain_text(title, timeout=LIVE)

    open_course(mia, web, title, town)
    mia.get_by_role("button", name="Jetzt anmelden").click()
    sync_api.expect(mia.locator("#enrolment-outcome")).to_have_text(
        "Warteliste, Platz 1", timeout=LIVE
    )

    lena.get_by_role("link", name="Mein Lernen").click()
    lena.get_by_role("button", name=f"Stornieren: {course_id}").click()
    promoted = mia.locator("#notifications li[data-kind='enrolment.promoted']")
    sync_api.expect(promoted).to_contain_text(title, timeout=LIVE)
    assert lena.evaluate("window.__sameDocument"), "the first learner's page reloaded"
    assert mia.evaluate("window.__sameDocument"), "the second learner's page reloaded"
    first.close()
    second.close()


def test_the_operator_sees_every_service_ready(region: DevStack, browser: Any) -> None:
    page = browser.new_page()
    page.goto(f"{region.web_url}/#/betrieb")
    rows = page.locator("tbody tr")
    sync_api.expect(rows).to_have_count(4, timeout=LIVE)
    for service in ("catalog", "enrolment", "matching", "notify"):
        sync_api.expect(page.get_by_role("row", name=service)).to_contain_text("bereit")
    page.close()


def test_no_reload_and_every_input_is_labelled(region: DevStack, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{region.web_url}/#/")
    page.wait_for_selector("form[role=search] select")
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')]"
        ".filter(e => !e.labels || e.labels.length === 0).map(e => e.name || e.id)"
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.close()
