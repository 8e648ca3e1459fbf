"""The latest full `make bench` run: bench/RESULTS.md, and the README section quoting it.

Written by the run itself, never by hand: only a full run (every benchmark, full sizes) writes
bench/RESULTS.md and regenerates the README's section between `<!-- bench:begin -->` and
`<!-- bench:end -->`; tests/unit/test_bench_record.py holds the two equal. A partial or quick
run (`BENCH=…`, `ZLL_BENCH_QUICK=1`) writes .zll/bench-partial.md instead, so its figures can
never pass for the README's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.harness import Result, failures
from zll.run_records import README, ROOT, between, replace_between

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
RESULTS = ROOT / "bench" / "RESULTS.md"
PARTIAL = ROOT / ".zll" / "bench-partial.md"
TITLE = (
    "# Benchmark results\n\n"
    "Written by `make bench` (bench/record.py) from one full run; do not edit.\n\n"
)


@dataclass(frozen=True)
class Run:
    """One run as recorded: when, on what code and machine, how long, which benchmarks."""

    started: datetime
    commit: str
    seconds: float  # wall time from the stack's start to the last benchmark's end
    cores: int
    benches: Sequence[str]
    full: bool  # every benchmark at full size: only such a run is the README's


def section(run: Run, results: Sequence[Result]) -> str:
    """The markdown the record and the README both carry."""
    broken = failures(list(results))
    verdict = f"**{len(broken)} FAILED**" if broken else "none failed"
    lines = [
        f"Run of {run.started:%Y-%m-%d %H:%M} UTC on commit `{run.commit}`, {run.cores} cores,"
        f" {run.seconds / 60:.1f} min in all; benchmarks {', '.join(run.benches)}; {verdict}.",
        "",
        "| bench | metric | value | baseline | ratio | goal |",
        "|---|---|---|---|---|---|",
        *(_row(r) for r in results),
    ]
    if broken:
        lines += ["", *(f"- FAILED {r.bench}: {r.note}" for r in broken)]
    return "\n".join(lines) + "\n"


def _row(r: Result) -> str:
    ratio = f"{r.ratio:.3g}×" if r.ratio is not None else ""
    cells = (r.bench, r.metric, f"{r.value:,.1f} {r.unit}".strip(), r.baseline, ratio, r.goal)
    return "| " + " | ".join(cells) + " |"


def readme_section(readme: str) -> str:
    return between(readme, BEGIN, END)


def recorded_section(record: str) -> str:
    return record.removeprefix(TITLE)


def write(
    run: Run,
    results: Sequence[Result],
    record: Path = RESULTS,
    readme: Path = README,
    partial: Path = PARTIAL,
) -> Path:
    """A full run: RESULTS.md anew and the README's section from it. Otherwise the partial file."""
    body = section(run, results)
    if not run.full:
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text("# A partial benchmark run (not the README's)\n\n" + body)
        return partial
    record.write_text(TITLE + body)
    replace_between(readme, BEGIN, END, body)
    return record
