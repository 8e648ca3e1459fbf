"""No committed version of a payload schema is broken by what the models generate today.

Compares the generated schemas with every version of `contracts/schemas/*.json` in git
history. Without that history (no git, not a repository, a shallow clone, no committed
schema) the check cannot be made: it is skipped with the reason (never passed vacuously), and
the skip stands in pytest's summary.
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


def history_missing(schemas_dir: Path = SCHEMAS_DIR) -> str | None:
    """Why the schemas' git history cannot be compared with, or None when it can."""
    if shutil.which("git") is None:
        return "git is not installed: no history to compare the schemas with"
    root = _repo_root(schemas_dir) if schemas_dir.is_dir() else None
    if root is None:
        return f"{schemas_dir} is not in a git repository: no history to compare with"
    if (_git("rev-parse", "--is-shallow-repository", cwd=root) or "").strip() == "true":
        return "a shallow clone: older schema versions are missing (git fetch --unshallow)"
    if not committed_schemas(schemas_dir):
        return f"no version of {schemas_dir.name}/*.json is committed yet"
    return None


def require_history(schemas_dir: Path = SCHEMAS_DIR) -> None:
    """Skip the calling test, with the reason, when there is no history to compare with.

    Not a failure under CI either: a CI that clones shallowly would otherwise fail every
    run for a reason no change can fix; the skip and its reason stand in the summary.
    """
    reason = history_missing(schemas_dir)
    if reason is not None:
        pytest.skip(reason)


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
    require_history()
    problems = breaks_against_history(current_schemas())
    assert problems == [], "breaking changes against git history:\n" + "\n".join(problems)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_history_is_read_from_every_commit(tmp_path: Path):
    """The history check itself, on a throwaway repository with two commits."""
    schemas = tmp_path / "contracts" / "schemas"
    schemas.mkdir(parents=True)
    assert committed_schemas(schemas) == []  # not a repository yet
    assert "not in a git repository" in (history_missing(schemas) or "")

    def commit(message: str) -> None:
        identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
        for args in (["add", "-A"], [*identity, "commit", "-q", "-m", message]):
            assert _git(*args, cwd=tmp_path) is not None

    assert _git("init", "-q", cwd=tmp_path) is not None
    assert "is committed yet" in (history_missing(schemas) or "")
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "type": "object"}
    (schemas / "zll.x.v1.json").write_text(json.dumps(old))
    (schemas / "zll.gone.v1.json").write_text(json.dumps(old))
    commit("first")
    del old["properties"]["b"]
    (schemas / "zll.x.v1.json").write_text(json.dumps(old))
    (schemas / "zll.gone.v1.json").unlink()
    commit("second")

    assert len(committed_schemas(schemas)) == 3
    assert history_missing(schemas) is None
    problems = breaks_against_history({"zll.x.v1": old}, schemas)
    assert [p.split(" ", 1)[1] for p in problems] == [
        "zll.gone.v1: event type schema removed",
        "zll.x.v1: b: property removed",
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_without_history_the_check_skips_with_the_reason(tmp_path: Path) -> None:
    """A shallow clone (as CI checkouts often are) has no older versions to compare with."""
    origin = tmp_path / "origin"
    schemas = origin / "contracts" / "schemas"
    schemas.mkdir(parents=True)
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.org"]
    assert _git("init", "-q", cwd=origin) is not None
    for version in ("a", "b"):
        (schemas / "zll.x.v1.json").write_text(json.dumps({"title": version}))
        assert _git("add", "-A", cwd=origin) is not None
        assert _git(*identity, "commit", "-q", "-m", version, cwd=origin) is not None
    clone = tmp_path / "clone"
    shallow = ["clone", "-q", "--depth", "1", origin.as_uri(), str(clone)]
    assert _git(*shallow, cwd=tmp_path) is not None
    cloned = clone / "contracts" / "schemas"

    require_history(schemas)  # the full history: nothing to say
    with pytest.raises(pytest.skip.Exception, match="shallow clone"):
        require_history(cloned)
