"""The reference portal in Debian's Chromium against the running dev stack: search, enrol, live."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.browser import axe
from tests.browser.conftest import DESKTOP, needs_browser, screenshot
from tests.support.partner import course, publish_binary
from zll.devstack.stack import SERVICE_NAMES, DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

pytestmark = needs_browser
sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright missing")
LIVE = 20_000  # ms a live update may take at most before the test fails
RAW = re.compile(r"\b(null|undefined|NaN)\b|[0-9a-f]{8}-[0-9a-f]{4}-|data\.europa\.eu")


ELDERLY = "http://data.europa.eu/esco/skill/9aa2a1cb-37a6-4f3b-9610-0dadee1ec8ed"


def publish_course(region: DevStack, **changes: Any) -> tuple[str, str, str]:
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
                  location={"municipality": town, "postcode": "34117"}, **changes)  # fmt: skip
    data["modules"][0]["skills"].insert(0, ELDERLY)  # a real ESCO skill, shown by its name
    publish = publish_binary(region.bootstrap, data, source=f"/providers/{provider}",
                             ce_id=str(uuid.uuid4()))  # fmt: skip
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        thread.submit(asyncio.run, publish).result()
    return data["course_id"], title, town


def sign_in(page: Any, web: str, learner: str) -> None:
    page.goto(f"{web}/#/lernen")
    page.wait_for_selector("#signin-learner")
    axe.check(page, "learner: sign-in form")
    page.get_by_label("Kennung").fill(learner)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_selector("#enrolments")
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads


def no_raw_values(page: Any) -> None:
    """What a visitor reads holds no null, no id-like UUID or URI, no heading without content."""
    text = page.locator("main").inner_text()
    assert not RAW.search(text), f"a raw value in the page: {RAW.search(text)}"
    empty = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3')]"
        ".filter(h => !h.textContent.trim() || !h.nextElementSibling"
        " || !h.nextElementSibling.textContent.trim()).map(h => h.textContent)"
    )
    assert empty == [], f"headings with nothing under them: {empty}"


def open_course(page: Any, web: str, title: str, town: str) -> None:
    page.get_by_role("link", name="Kurse finden").click()
    page.get_by_label("Suchbegriff").fill("Pflegekräfte")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_selector(f"select[name=municipality] option[value='{town}']", state="attached")
    # a facet with its count beside the value
    assert page.locator(f"option[value='{town}']").inner_text() == f"{town} (1)"
    page.get_by_label("Ort", exact=True).select_option(town)
    page.get_by_role("button", name="Suchen").click()
    sync_api.expect(page.locator("#search-status")).to_have_text("1 Kurs gefunden")
    card = page.locator(".results li", has_text=title)
    sync_api.expect(card).to_contain_text("Pflegeschule Test")  # the provider's name, not its id
    no_raw_values(page)
    axe.check(page, "search: results narrowed by a facet")
    page.get_by_role("link", name=title).click()
    page.wait_for_selector("#enrol")


def test_learners_enrol_and_see_confirmation_and_promotion_live(
    region: DevStack, browser: Any
) -> None:
    web = region.web_url
    course_id, title, town = publish_course(region)
    first, second = (browser.new_context(locale="de-DE", viewport=DESKTOP) for _ in range(2))
    lena, mia = first.new_page(), second.new_page()
    sign_in(lena, web, f"lena-{uuid.uuid4().hex[:6]}")
    sign_in(mia, web, f"mia-{uuid.uuid4().hex[:6]}")

    # The catalog is eventually consistent: wait until it serves the course, then search.
    deadline = time.monotonic() + 20
    while httpx.get(f"{region.layout.url('catalog')}/courses/{course_id}").status_code != 200:
        assert time.monotonic() < deadline, "the partner's course never reached the catalog"
        time.sleep(0.1)
    open_course(lena, web, title, town)
    assert lena.locator("#provider").inner_text() == "Pflegeschule Test"
    assert lena.locator("#price").inner_text().replace("\xa0", " ") == "480,00 €"
    named = lena.get_by_role("link", name="communicate with elderly groups")
    sync_api.expect(named).to_have_attribute("lang", "en")
    sync_api.expect(lena.get_by_role("link", name="ESCO-Kompetenz 2")).to_be_visible()  # unknown
    no_raw_values(lena)
    axe.check(lena, "course: signed in as a learner")
    lena.get_by_role("button", name="Jetzt anmelden").click()
    sync_api.expect(lena.locator("#enrolment-outcome")).to_have_text("Bestätigt", timeout=LIVE)
    confirmation = lena.locator("#notifications li[data-kind='enrolment.confirmed']")
    sync_api.expect(confirmation).to_contain_text(title, timeout=LIVE)
    axe.check(lena, "course: enrolled, the confirmation arrived live")
    screenshot(lena, "course")

    open_course(mia, web, title, town)
    mia.get_by_role("button", name="Jetzt anmelden").click()
    sync_api.expect(mia.locator("#enrolment-outcome")).to_have_text(
        "Warteliste, Platz 1", timeout=LIVE
    )
    axe.check(mia, "course: on the waiting list")

    lena.get_by_role("link", name="Mein Lernen").click()
    sync_api.expect(lena.get_by_role("link", name=title)).to_be_visible()  # the title, not the id
    no_raw_values(lena)
    axe.check(lena, "learner: enrolments and certificates")
    screenshot(lena, "learner")
    lena.get_by_role("button", name=f"Stornieren: {title}").click()
    promoted = mia.locator("#notifications li[data-kind='enrolment.promoted']")
    sync_api.expect(promoted).to_contain_text(title, timeout=LIVE)
    sync_api.expect(lena.locator("#enrolments")).to_contain_text("Storniert")
    axe.check(lena, "learner: an enrolment cancelled")
    assert lena.evaluate("window.__sameDocument"), "the first learner's page reloaded"
    assert mia.evaluate("window.__sameDocument"), "the second learner's page reloaded"
    first.close()
    second.close()


def test_the_operator_sees_every_service_ready(region: DevStack, browser: Any) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{region.web_url}/#/betrieb")
    rows = page.locator("tbody tr")
    sync_api.expect(rows).to_have_count(len(SERVICE_NAMES), timeout=LIVE)
    for service in SERVICE_NAMES:
        sync_api.expect(page.get_by_role("row", name=service)).to_contain_text("bereit")
    no_raw_values(page)
    axe.check(page, "operator: status")
    screenshot(page, "operator")
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
    axe.check(page, "search on a phone (390 × 844)")
    screenshot(page, "phone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.close()


def test_a_search_shows_it_is_loading_and_a_useful_empty_result(
    region: DevStack, browser: Any
) -> None:
    page = browser.new_page(viewport=DESKTOP)
    held: list[Any] = []  # the catalog's answers wait until the test saw the loading state
    pattern = re.compile(r".*/courses\?.*")
    page.route(pattern, lambda route: held.append(route))
    page.goto(f"{region.web_url}/#/?q=Unterwasserkorbflechten")
    sync_api.expect(page.locator("#search-status")).to_have_text("Kurse werden geladen …")
    axe.check(page, "search: loading")
    for route in held:
        route.continue_()
    page.unroute(pattern)
    sync_api.expect(page.locator("#search-status")).to_have_text("Keine Kurse gefunden")
    sync_api.expect(page.locator("#empty-result")).to_contain_text("weniger Filter")
    axe.check(page, "search: no course found")
    page.get_by_role("link", name="Alle Filter zurücksetzen").click()
    sync_api.expect(page.locator("#search-status")).to_contain_text("gefunden")
    no_raw_values(page)
    axe.check(page, "search: first page, every course")
    screenshot(page, "search")
    page.close()


def test_a_learner_accepts_a_seat_held_for_them(region: DevStack, browser: Any) -> None:
    """A course with timed offers: the seat freed for the waiting learner shows as held until
    its deadline, with a button to take it; taking it confirms the enrolment."""
    course_id, title, _ = publish_course(region, waitlist_promotion="offer", offer_hours=48)
    api, settings = region.layout.url("enrolment"), Settings()
    lena, mia = f"lena-{uuid.uuid4().hex[:6]}", f"mia-{uuid.uuid4().hex[:6]}"

    def as_learner(learner: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, role='learner', sub=learner)}"}

    deadline = time.monotonic() + 20
    while httpx.get(f"{api}/courses/{course_id}/seats").status_code != 200:
        assert time.monotonic() < deadline, "the partner's course never reached the ledger"
        time.sleep(0.1)
    made = [
        httpx.post(f"{api}/enrolments", json={"course_id": course_id, "learner_id": learner},
                   headers=as_learner(learner)).json()
        for learner in (lena, mia)
    ]  # fmt: skip
    assert [m["status"] for m in made] == ["confirmed", "waitlisted"]
    httpx.post(f"{api}/enrolments/{made[0]['enrolment_id']}/cancel", headers=as_learner(lena))

    context = browser.new_context(locale="de-DE", viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, region.web_url, mia)
    sync_api.expect(page.locator("#enrolments")).to_contain_text("Platz für Sie reserviert bis")
    no_raw_values(page)
    axe.check(page, "learner: a seat held for them")
    page.get_by_role("button", name=f"Platz annehmen: {title}").click()
    sync_api.expect(page.locator("#enrolments")).to_contain_text("Bestätigt")
    assert httpx.get(f"{api}/courses/{course_id}/seats").json()["confirmed"] == 1
    context.close()


def test_the_search_box_completes_while_typing_and_offers_a_better_spelling(
    region: DevStack, browser: Any
) -> None:
    _, title, _ = publish_course(region)
    deadline = time.monotonic() + 20
    while not httpx.get(
        f"{region.layout.url('catalog')}/courses/suggest", params={"q": title[:-2]}
    ).json()["suggestions"]:
        assert time.monotonic() < deadline, "the course never reached the suggestions"
        time.sleep(0.2)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{region.web_url}/#/?q=Altnhlfe")  # two typos in 8 letters: too many to guess
    sync_api.expect(page.locator("#search-status")).to_have_text("Keine Kurse gefunden")
    sync_api.expect(page.locator("#did-you-mean")).to_contain_text("Meinten Sie")
    axe.check(page, "search: nothing found, did you mean")
    page.get_by_label("Suchbegriff").fill("")
    page.get_by_label("Suchbegriff").press_sequentially(title[:-1])
    option = page.locator(f"#search-suggestions option[value='{title}']")
    sync_api.expect(option).to_have_count(1)
    axe.check(page, "search: suggestions while typing")
    page.close()


def test_a_search_near_a_place_shows_how_far_each_course_is(region: DevStack, browser: Any) -> None:
    """Umkreissuche: a postcode and a radius in their own fields, or typed into the search box;
    the page says what it searched and each course how far away it is."""
    _, title, town = publish_course(region)  # postcode 34117: Kassel's centre
    deadline = time.monotonic() + 20
    while not httpx.get(
        f"{region.layout.url('catalog')}/courses", params={"q": town, "near": "34225"}
    ).json()["items"]:
        assert time.monotonic() < deadline, "the course never reached search"
        time.sleep(0.2)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{region.web_url}/#/")
    page.wait_for_selector("form[role=search] select")
    page.get_by_label("Suchbegriff").fill(town)
    page.get_by_label("PLZ oder Ort (Umkreissuche)").fill("34225")  # Baunatal, ~10 km away
    page.get_by_label("Umkreis", exact=True).select_option("25")
    page.get_by_role("button", name="Suchen").click()
    sync_api.expect(page.locator("#search-status")).to_have_text(
        "1 Kurs gefunden im Umkreis von 25 km um 34225"
    )
    card = page.locator(".results li", has_text=title)
    sync_api.expect(card).to_contain_text(re.compile(r"· \d+(,\d)? km entfernt ·"))
    no_raw_values(page)
    axe.check(page, "search: near a postcode, with distances")
    # Typed into the search box: the same search; 5 km is too near.
    page.goto(f"{region.web_url}/#/?q={town}+34225+5+km")
    sync_api.expect(page.locator("#search-status")).to_have_text(
        "Keine Kurse gefunden im Umkreis von 5 km um 34225"
    )
    page.goto(f"{region.web_url}/#/?q={town}+Baunatal+25km")
    sync_api.expect(page.locator("#search-status")).to_have_text(
        "1 Kurs gefunden im Umkreis von 25 km um Baunatal"
    )
    axe.check(page, "search: a place typed into the search box")
    page.close()
