"""The README's benchmark table is the latest full run's record (bench/RESULTS.md), not a copy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench import record
from bench.harness import Result

RESULTS = [
    Result("baseline", "raw aiokafka consume", 120_000.0, "msg/s"),
    Result("enrolment", "decisions", 3_000.0, "decisions/s", baseline="raw consume", ratio=0.025),
]


def a_run(*, full: bool) -> record.Run:
    started = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    return record.Run(started, "abc1234", 1_260.0, 2, ["catalog", "enrolment"], full=full)


def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{record.BEGIN}\nold figures\n{record.END}\nrest\n")
    return tmp_path / "RESULTS.md", readme, tmp_path / "partial.md"


def test_the_readme_quotes_the_recorded_run() -> None:
    readme = record.readme_section(record.README.read_text())
    assert readme == record.recorded_section(record.RESULTS.read_text())


def test_a_full_run_rewrites_its_record_and_the_readme_section_only(tmp_path: Path) -> None:
    results, readme, partial = files(tmp_path)
    record.write(a_run(full=True), RESULTS, results, readme, partial)
    text = readme.read_text()
    assert text.startswith("intro\n")
    assert text.endswith(f"{record.END}\nrest\n")
    assert "old figures" not in text
    assert record.readme_section(text) == record.recorded_section(results.read_text())
    assert "2026-12-04 12:30 UTC on commit `abc1234`, 2 cores, 21.0 min" in text
    assert "| enrolment | decisions | 3,000.0 decisions/s | raw consume | 0.025× |  |" in text
    assert not partial.exists()


def test_a_partial_run_never_passes_for_the_readmes(tmp_path: Path) -> None:
    results, readme, partial = files(tmp_path)
    written = record.write(a_run(full=False), RESULTS, results, readme, partial)
    assert written == partial
    assert "3,000.0 decisions/s" in partial.read_text()
    assert not results.exists()
    assert "old figures" in readme.read_text()


def test_a_failed_benchmark_is_named_in_the_record(tmp_path: Path) -> None:
    results, readme, partial = files(tmp_path)
    broken = Result("matching", "FAILED", 0, "", note="differs from the library", failed=True)
    record.write(a_run(full=True), [*RESULTS, broken], results, readme, partial)
    assert "**1 FAILED**" in results.read_text()
    assert "- FAILED matching: differs from the library" in results.read_text()
