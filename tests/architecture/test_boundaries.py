"""Services import the contract and the shared plumbing, never each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "app.py").exists())


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Every module each Python file under `folder` imports, by path relative to the repo."""
    return {str(Path(p).relative_to(ROOT)): names for p, names in _imports_under(folder).items()}


def _imports_under(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path)] = names
    return found


def test_there_are_six_services() -> None:
    assert SERVICES == ["catalog", "cooperative", "enrolment", "intake", "matching", "notify"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_imports_another_service(service: str) -> None:
    others = [f"services.{s}" for s in SERVICES if s != service]
    offenders = {
        path: sorted(n for n in names if any(n == o or n.startswith(o + ".") for o in others))
        for path, names in imported_modules(ROOT / "services" / service).items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_uses_only_the_shared_plumbing_of_zll(service: str) -> None:
    """Not the dev stack, the CLI or the demo: a service must run the same on a real cluster."""
    offenders = {
        path: sorted(n for n in names if n.startswith("zll.") and not n.startswith("zll.platform"))
        for path, names in imported_modules(ROOT / "services" / service).items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_the_plumbing_knows_no_service() -> None:
    offenders = {
        path: sorted(n for n in names if n.startswith("services"))
        for path, names in imported_modules(ROOT / "zll" / "platform").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_the_contract_installs_on_its_own() -> None:
    """Partners install zll-contracts alone: it may import only pydantic, cloudevents, stdlib."""
    offenders = {
        path: sorted(
            n for n in names if n.split(".")[0] in {"zll", "services", "fastapi", "asyncpg"}
        )
        for path, names in imported_modules(ROOT / "contracts" / "zll_contracts").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The guard itself works: a file that imports another service is found."""
    (tmp_path / "bad.py").write_text(
        "from services.enrolment import store\nimport services.matching\n"
    )
    found = {Path(p).name: n for p, n in _imports_under(tmp_path).items()}
    assert found == {"bad.py": {"services.enrolment", "services.matching"}}
