"""No import circles anywhere, and a service's rules load without any I/O library."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each package of ours, by the folder it lies in.
PACKAGES = {"zll": ROOT, "services": ROOT, "zll_contracts": ROOT / "contracts"}
IO_LIBRARIES = ("asyncpg", "fastapi", "starlette", "opentelemetry", "prometheus_client",
                "aiokafka", "faststream", "httpx", "aiosmtplib")  # fmt: skip


def module_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, parent in PACKAGES.items():
        for path in (parent / package).rglob("*.py"):
            parts = path.relative_to(parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, those under `if TYPE_CHECKING:` too: a circle the type checker
    follows is still a circle a reader has to untangle."""
    return (n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom))


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which of our modules each of our modules imports."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            elif node.module and node.level == 0:
                candidates = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            targets.update(c for c in candidates if c in modules and c != name)
        graph[name] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_ours_is_part_of_an_import_circle() -> None:
    assert circles(import_graph(module_files())) == []


def test_the_circle_finder_sees_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def domain_modules() -> list[str]:
    names = []
    for service in sorted((ROOT / "services").iterdir()):
        if (service / "domain.py").exists():
            names.append(f"services.{service.name}.domain")
        for path in sorted((service / "domain").glob("*.py")):
            names.append(f"services.{service.name}.domain.{path.stem}".removesuffix(".__init__"))
    return names


def test_every_service_has_a_domain() -> None:
    services = {p.name for p in (ROOT / "services").iterdir() if (p / "app.py").exists()}
    assert services <= {name.split(".")[1] for name in domain_modules()}


@pytest.mark.parametrize("module", domain_modules())
def test_a_services_rules_load_without_any_io_library(module: str) -> None:
    probe = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = sorted({m.split(".")[0] for m in loaded} & set(IO_LIBRARIES))
    assert offenders == [], f"importing {module} loads {offenders}"


def test_no_module_imports_another_modules_private_names() -> None:
    """A leading underscore means "this module's own": routes share what they share by name."""
    offenders = []
    for name, path in module_files().items():
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("services"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                offenders += [f"{name}: {node.module}.{p}" for p in private]
    assert offenders == []
