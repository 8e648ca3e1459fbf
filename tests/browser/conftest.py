"""One headless Debian Chromium per test module, driven by Playwright; and in pytest's final
summary, when the browser tests were skipped and why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# Locally a missing browser skips these tests (named in the summary); under CI=true it fails.
needs_browser = [pytest.mark.e2e, chromium.required()]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright missing")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium.CHROMIUM, args=ARGS)
        yield launched
        launched.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def screenshot(page: Any, name: str) -> None:
    """The README's pictures are the tests' own: each run writes docs/screenshots/<name>.png."""
    page.evaluate("document.activeElement?.blur()")  # no focus ring or caret in the picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if report.nodeid.startswith("tests/browser")
    ]
    if not skipped:
        return
    reasons = sorted({_reason(report) for report in skipped})
    terminalreporter.section("browser tests SKIPPED", sep="!", red=True, bold=True)
    for reason in reasons:
        terminalreporter.line(f"{len(skipped)} skipped: {reason}", yellow=True)
    terminalreporter.line("the portal was not tested in a browser; under CI=true this fails")


def _reason(report: pytest.TestReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: <reason>").
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)
