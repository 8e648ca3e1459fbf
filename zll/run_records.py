"""What a run (`make chaos`, `make bench`) records about itself, and the README section it owns.

A figure in the README is only as good as the run it came from, so each run writes its own
record file and regenerates the README's section between its two markers; a unit test per
run holds the two equal. Nobody pastes a figure by hand.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def commit(root: Path = ROOT) -> str:
    """`git rev-parse --short HEAD`, with "+dirty" when the tree has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain") else "")


def between(text: str, begin: str, end: str) -> str:
    """What stands between the two markers, without the blank lines around it."""
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[start:stop].strip("\n") + "\n"


def replace_between(path: Path, begin: str, end: str, body: str) -> None:
    """Rewrite the part of `path` between the markers with `body`; the rest stays as it was."""
    text = path.read_text()
    start, stop = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:start] + "\n" + body + text[stop:])
