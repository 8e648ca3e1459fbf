"""A machine without Chromium skips the browser tests loudly, and CI fails instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_browser_tests(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["ZLL_CHROMIUM"] = str(ROOT / "no-such-chromium")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_locally_a_missing_chromium_is_a_skip_named_in_the_final_summary() -> None:
    run = run_browser_tests(ci=None)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout[run.stdout.index("browser tests SKIPPED") :]
    assert "no-such-chromium is missing" in summary


def test_under_ci_a_missing_chromium_fails_the_run() -> None:
    run = run_browser_tests(ci="true")
    said = run.stdout + run.stderr  # the check runs when tests/browser/conftest.py loads
    assert run.returncode != 0, said
    assert "CI=true and the browser tests cannot run" in said
    assert "no-such-chromium is missing" in said
