"""One headless Debian Chromium per test module, driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
NO_BROWSER = f"no browser: {CHROMIUM} is missing; install Debian's chromium (make browser)"
needs_browser = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_BROWSER),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip package playwright missing")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def screenshot(page: Any, name: str) -> None:
    """The README's pictures are the tests' own: each run writes docs/screenshots/<name>.png."""
    page.evaluate("document.activeElement?.blur()")  # no focus ring or caret in the picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")
