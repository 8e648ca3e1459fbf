"""No committed version of a payload schema is broken by what the models generate today.

Compares the generated schemas with every version of `contracts/schemas/*.json` in git
history. Without git or without commits it compares with the checked-in files only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from zll_contracts.compat import breaking_changes, breaking_changes_in_set
from zll_contracts.export import CONTRACTS_DIR, checked_in, generate

SCHEMAS_DIR = CONTRACTS_DIR / "schemas"


def _git(*args: str, cwd: Path) -> str | None:
    """stdout of a git command, or None when git is missing or the command fails."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    return result.stdout if result.returncode == 0 else None


def _repo_root(directory: Path) -> Path | None:
    top = _git("rev-parse", "--show-toplevel", cwd=directory)
    return Path(top.strip()).resolve() if top else None


def committed_schemas(schemas_dir: Path = SCHEMAS_DIR) -> list[tuple[str, str, dict[str, Any]]]:
    """(commit, event type, schema) for every committed version of every schema file."""
    root = _repo_root(schemas_dir) if schemas_dir.is_dir() else None
    if root is None:  # no git, or not a repository: the checked-in files are all we have
        return []
    directory = schemas_dir.resolve().relative_to(root).as_posix()
    touched = _git("log", "--format=", "--name-only", "--", directory, cwd=root) or ""
    paths = sorted({line for line in touched.splitlines() if line.endswith(".json")})
    versions = []
    for path in paths:
        commits = (_git("log", "--format=%H", "--", path, cwd=root) or "").split()
        for commit in commits:
            text = _git("show", f"{commit}:{path}", cwd=root)
            if text is None:  # the commit that deleted the file
                continue
            versions.append((commit, Path(path).stem, json.loads(text)))
    return versions


def breaks_against_history(
    current: dict[str, dict[str, Any]], schemas_dir: Path = SCHEMAS_DIR
) -> list[str]:
    problems: list[str] = []
    for commit, event_type, old in committed_schemas(schemas_dir):
        if event_type not in current:
            problems.append(f"{commit[:10]} {event_type}: event type schema removed")
            continue
        problems += [
            f"{commit[:10]} {event_type}: {problem}"
            for problem in breaking_changes(old, current[event_type])
        ]
    return problems


def current_schemas() -> dict[str, dict[str, Any]]:
    return {
        path.removeprefix("schemas/").removesuffix(".json"): json.loads(text)
        for path, text in generate().items()
        if path.startswith("schemas/")
    }


def test_checked_in_schemas_are_what_the_generator_produces():
    assert checked_in(CONTRACTS_DIR) == generate()


def test_the_generated_schemas_break_no_checked_in_schema():
    on_disk = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in SCHEMAS_DIR.glob("*.json")
    }
    assert breaking_changes_in_set(on_disk, current_schemas()) == []


def test_the_generated_schemas_break_no_committed_schema():
    problems = breaks_against_history(current_schemas())
    assert problems == [], "breaking changes against git history:\n" + "\n".join(problems)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_history_is_read_from_every_commit(tmp_path: Path):
    """The history check itself, on a throwaway repository with two commits."""
    schemas = tmp_path / "contracts" / "schemas"
    schemas.mkdir(parents=True)
    assert committed_schemas(schemas) == []  # not a repository yet

    def commit(message: str) -> None:
        identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
        for args in (["add", "-A"], [*identity, "commit", "-q", "-m", message]):
            assert _git(*args, cwd=tmp_path) is not None

    assert _git("init", "-q", cwd=tmp_path) is not None
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "type": "object"}
    (schemas / "zll.x.v1.json").write_text(json.dumps(old))
    (schemas / "zll.gone.v1.json").write_text(json.dumps(old))
    commit("first")
    del old["properties"]["b"]
    (schemas / "zll.x.v1.json").write_text(json.dumps(old))
    (schemas / "zll.gone.v1.json").unlink()
    commit("second")

    assert len(committed_schemas(schemas)) == 3
    problems = breaks_against_history({"zll.x.v1": old}, schemas)
    assert [p.split(" ", 1)[1] for p in problems] == [
        "zll.gone.v1: event type schema removed",
        "zll.x.v1: b: property removed",
    ]
