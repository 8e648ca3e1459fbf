"""The record of the latest `make chaos` run: docs/chaos.md, and the README section quoting it.

Written by the run itself, never by hand: the README shows the run's date, commit, length,
faults and findings between its `<!-- chaos:begin -->` and `<!-- chaos:end -->` markers, and
tests/unit/test_chaos_record.py holds the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chaos.checks import Findings
from zll.run_records import README, ROOT, between, replace_between

BEGIN, END = "<!-- chaos:begin -->", "<!-- chaos:end -->"
RECORD = ROOT / "docs" / "chaos.md"
TITLE = "# The latest chaos run\n\nWritten by `make chaos` (chaos/record.py); do not edit.\n\n"


@dataclass(frozen=True)
class Run:
    """One run as recorded: when, on what code, how long, what was done to it, what it found."""

    started: datetime
    commit: str
    seconds: float  # wall time of the whole run, stack start to last check
    load: str  # e.g. "120 s at 20 op/s, seed 1"
    sent: int
    accepted: int
    faults: Sequence[tuple[str, str, float, float, float]]  # kind, target, at, ready, end to end
    findings: Findings
    quiet_after: float = 0.0  # seconds from the load's end until the region was quiet
    events: int = 0  # distinct events on zll.enrolments.v1


def section(run: Run) -> str:
    """The markdown both files carry."""
    counts = run.findings.counts()
    verdict = "every invariant held" if not any(counts.values()) else "**VIOLATED**"
    found = run.findings
    lines = [
        f"Run of {run.started:%Y-%m-%d %H:%M} UTC on commit `{run.commit}`,"
        f" {run.seconds / 60:.1f} min in all; load {run.load}, {len(run.faults)} faults;"
        f" quiet {run.quiet_after:.1f} s after the load; {run.events} distinct events on"
        f" `zll.enrolments.v1` ({found.redelivered_copies} redelivered copies);"
        f" {found.confirmations} confirmations replayed, {found.bound_by_decrease} of them held"
        f" to a capacity decrease seen in force; {verdict}.",
        "",
        "| sent | accepted | " + " | ".join(counts) + " |",
        "|---" * (2 + len(counts)) + "|",
        f"| {run.sent} | {run.accepted} | " + " | ".join(str(n) for n in counts.values()) + " |",
        "",
        "| fault | target | at | ready after | end to end after |",
        "|---|---|---|---|---|",
        *(f"| {k} | {t} | {a:.0f} s | {r:.1f} s | {e:.1f} s |" for k, t, a, r, e in run.faults),
    ]
    details = run.findings.details()
    if details:
        lines += ["", *(f"- {name}: {detail}" for name, detail in details[:20])]
    return "\n".join(lines) + "\n"


def readme_section(readme: str) -> str:
    """What stands between the README's markers."""
    return between(readme, BEGIN, END)


def recorded_section(record: str) -> str:
    return record.removeprefix(TITLE)


def write(run: Run, record: Path = RECORD, readme: Path = README) -> None:
    """docs/chaos.md anew, and the README's section regenerated from it."""
    body = section(run)
    record.write_text(TITLE + body)
    replace_between(readme, BEGIN, END, body)
