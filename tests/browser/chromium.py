"""Whether the browser tests can run here, and what to do when they cannot.

Locally a missing Chromium or Playwright skips them, named in pytest's final summary (see
conftest.py); under CI=true it fails the run, so a CI image without a browser cannot stay
green while the portal goes untested.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# ZLL_CHROMIUM points at another Chromium build (and lets the tests of this rule fake a
# missing one); Debian's is the default, as `make browser` installs it.
CHROMIUM = os.environ.get("ZLL_CHROMIUM", "/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "no browser: the pip package playwright is missing (make install)"
    if not Path(CHROMIUM).exists():
        return f"no browser: {CHROMIUM} is missing; install Debian's chromium (make browser)"
    return None


def required() -> pytest.MarkDecorator:
    """The mark of a browser test module: skip it locally, fail its collection under CI=true."""
    reason = missing()
    if reason is not None and in_ci():
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    return pytest.mark.skipif(reason is not None, reason=reason or "")
