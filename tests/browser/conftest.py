"""Says in pytest's final summary when the browser tests were skipped, and why."""

from __future__ import annotations

import pytest


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
