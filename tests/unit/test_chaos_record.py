"""The README's chaos section is the latest run's record (docs/chaos.md), never a copy by hand."""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from chaos import record
from chaos.checks import Findings
from zll.run_records import commit


def test_the_readme_section_is_the_recorded_run() -> None:
    readme = record.readme_section(record.README.read_text())
    assert readme == record.recorded_section(record.RECORD.read_text())
    assert "on commit `" in readme
    assert "| sent | accepted |" in readme


def run(findings: Findings) -> record.Run:
    return record.Run(
        started=datetime(2026, 12, 4, 5, 30, tzinfo=UTC),
        commit="abc1234+dirty",
        seconds=300,
        load="120 s at 20 op/s, seed 1",
        sent=2000,
        accepted=1800,
        faults=[("kill", "notify", 68.0, 19.5, 20.1)],
        findings=findings,
    )


def test_a_run_regenerates_the_file_and_the_readme_section(tmp_path: Path) -> None:
    readme, doc = tmp_path / "README.md", tmp_path / "chaos.md"
    readme.write_text(
        "# ZLL\n\nbefore\n<!-- chaos:begin -->\nold table\n<!-- chaos:end -->\nafter\n"
    )
    found = Findings()
    found.not_promoted.append("p:c0: 1 of 2 seats held while 1 wait")
    record.write(run(found), doc, readme)

    text = readme.read_text()
    assert text.startswith("# ZLL\n\nbefore\n<!-- chaos:begin -->\n")
    assert text.endswith("<!-- chaos:end -->\nafter\n")
    assert "old table" not in text
    section = record.readme_section(text)
    assert section == record.recorded_section(doc.read_text())
    assert "Run of 2026-12-04 05:30 UTC on commit `abc1234+dirty`, 5.0 min" in section
    assert "**VIOLATED**" in section
    assert "| 2000 | 1800 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |" in section
    assert "| kill | notify | 68 s | 19.5 s | 20.1 s |" in section
    assert "- not_promoted: p:c0: 1 of 2 seats held while 1 wait" in section


def test_a_clean_run_says_every_invariant_held() -> None:
    assert "every invariant held" in record.section(run(Findings()))
    assert Counter(record.section(run(Findings())).split("|"))[" 0 "] == 8


def test_the_commit_names_head_and_a_dirty_tree(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(tmp_path), *args], capture_output=True, text=True)
        return done.stdout.strip()

    git("init", "-q")
    (tmp_path / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "a")
    head = git("rev-parse", "--short", "HEAD")
    assert commit(tmp_path) == head
    (tmp_path / "a.txt").write_text("b\n")
    assert commit(tmp_path) == f"{head}+dirty"
