"""The portal with the keyboard only, and axe-core on the pages and states the enrolment test
does not reach: a course signed out, an error, English, recommendations, the counsellor's round."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser import axe
from tests.browser.conftest import needs_browser
from tests.browser.test_portal import LIVE, no_raw_values, publish_course, sign_in, sync_api
from zll.devstack.stack import DevStack

pytestmark = needs_browser
NAME = """() => { const e = document.activeElement;
  return (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent)
          || e.textContent || '').trim(); }"""
FOCUS_SHOWN = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""
FOCUSED = f"() => [({NAME})(), ({FOCUS_SHOWN})()]"


def tab_to(page: Any, name: str, *, back: bool = False) -> None:
    """Presses Tab (Shift+Tab) until the element of that name has the focus, which must show."""
    for _ in range(80):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused, shown = page.evaluate(FOCUSED)
        if focused == name:
            assert shown, f"the focus on {name!r} is not visible"
            return
    raise AssertionError(f"{name!r} cannot be reached with the keyboard")


def csv(name: str, text: str) -> dict[str, Any]:
    return {"name": f"{name}.csv", "mimeType": "text/csv", "buffer": text.encode()}


def wait_for_catalog(region: DevStack, course_id: str) -> None:
    deadline = time.monotonic() + 20
    while httpx.get(f"{region.layout.url('catalog')}/courses/{course_id}").status_code != 200:
        assert time.monotonic() < deadline, "the partner's course never reached the catalog"
        time.sleep(0.1)


def test_a_learner_enrols_and_cancels_with_the_keyboard_only(
    region: DevStack, browser: Any
) -> None:
    course_id, title, town = publish_course(region)
    wait_for_catalog(region, course_id)
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{region.web_url}/#/lernen")
    page.wait_for_selector("#signin-learner")
    assert page.evaluate(NAME) == "Kennung", "the sign-in form does not take the focus"
    page.keyboard.press("Control+A")
    page.keyboard.type(f"kim-{uuid.uuid4().hex[:6]}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#enrolments")

    tab_to(page, "Kurse finden", back=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("select[name=municipality]")
    tab_to(page, "Suchbegriff")
    page.keyboard.type("Pflegekräfte")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"option[value='{town}']", state="attached")
    tab_to(page, "Ort")
    for _ in range(200):  # arrow keys move through the places, as a keyboard user does
        if page.evaluate("document.activeElement.value") == town:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == town
    tab_to(page, "Suchen")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#search-status")).to_have_text("1 Kurs gefunden")
    tab_to(page, title)
    page.keyboard.press("Enter")
    page.wait_for_selector("#enrol")
    tab_to(page, "Jetzt anmelden")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#enrolment-outcome")).to_have_text("Bestätigt", timeout=LIVE)
    confirmation = page.locator("#notifications li[data-kind='enrolment.confirmed']")
    sync_api.expect(confirmation).to_contain_text(title, timeout=LIVE)  # no refresh after this

    tab_to(page, "Mein Lernen", back=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#enrolments li[data-course='{course_id}']")
    tab_to(page, f"Stornieren: {title}")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#enrolments")).to_contain_text("Storniert")
    context.close()


def test_every_other_page_and_state_has_no_serious_violation(
    region: DevStack, browser: Any
) -> None:
    course_id, title, _ = publish_course(region)
    wait_for_catalog(region, course_id)
    web = region.web_url
    context = browser.new_context(locale="de-DE")
    page = context.new_page()

    page.goto(f"{web}/#/kurs/{quote(course_id)}")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(title)
    sync_api.expect(page.locator("main")).to_contain_text("Zum Anmelden bitte")
    no_raw_values(page)
    axe.check(page, "course: not signed in")

    page.goto(f"{web}/#/kurs/gibt-es-nicht")
    sync_api.expect(page.get_by_role("alert")).to_contain_text("Fehler")
    axe.check(page, "course: unknown (an error message)")

    page.goto(f"{web}/#/")
    page.get_by_label("Sprache").select_option("en")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Find courses")
    sync_api.expect(page.locator("#search-status")).to_contain_text("found")
    assert page.evaluate("document.documentElement.lang") == "en"
    axe.check(page, "search in English")
    page.get_by_label("Language").select_option("de")

    sign_in(page, web, f"rita-{uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Empfehlungen zeigen").click()
    sync_api.expect(page.locator("#recommendations h3").first).to_have_text("Empfehlungen")
    no_raw_values(page)
    axe.check(page, "learner: recommendations and the skill gap")

    page.get_by_role("link", name="Beratung").click()
    page.wait_for_selector("#signin-counsellor")
    axe.check(page, "counsellor: sign-in form")
    page.get_by_label("Kennung").fill("berater-1")
    page.get_by_role("button", name="Anmelden").click()
    offers = f"angebot,plätze\n{course_id},1\n"
    applications = f"lernende,wunsch1\nlena,{course_id}\nben,{course_id}\n"
    page.get_by_label("Angebote (CSV: angebot,plätze)").set_input_files(csv("angebote", offers))
    page.get_by_label("Bewerbungen (CSV: lernende,wunsch1,wunsch2,…)").set_input_files(
        csv("bewerbungen", applications)
    )
    page.get_by_role("button", name="Runde berechnen").click()
    result = page.locator("#round-result")
    sync_api.expect(result.get_by_role("row", name="lena")).to_contain_text(course_id)
    sync_api.expect(result).to_contain_text("Ohne Platz: 1")
    axe.check(page, "counsellor: the round's result")
    context.close()


def test_the_check_fails_on_a_serious_violation(browser: Any) -> None:
    """The axe check is not vacuous: an image without alt text and unreadable text fail it."""
    page = browser.new_page()
    page.set_content(
        '<html lang="de"><title>t</title><main><img src="x.png">'
        '<p style="color:#eee;background:#fff">kaum lesbar</p></main></html>'
    )
    with pytest.raises(AssertionError) as failed:
        axe.check(page, "a page built to fail")
    assert "critical image-alt" in str(failed.value)
    assert "serious color-contrast" in str(failed.value)
    page.close()
