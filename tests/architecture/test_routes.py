"""Routes reach the database through `db: Db` only: no transaction, pool or unit of work by hand.

A route that opened its own transaction had to remember to flush its staged events; one that
forgot dropped them without a trace. `db.unit_of_work()` writes and commits them itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTE_MODULES = sorted((ROOT / "services").glob("*/api*.py"))


def hand_managed(source: str) -> list[str]:
    """Each place in `source` that manages a transaction, the pool or a unit of work itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        call = node.func if isinstance(node, ast.Call) else None
        if isinstance(call, ast.Attribute) and call.attr in {"transaction", "acquire", "flush"}:
            found.append(f"line {node.lineno}: .{call.attr}()")
        if isinstance(call, ast.Name) and call.id == "UnitOfWork":
            found.append(f"line {node.lineno}: UnitOfWork(...)")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "pool"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "state"
        ):
            found.append(f"line {node.lineno}: app.state.pool")
    return found


@pytest.mark.parametrize("module", ROUTE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_route_manages_a_transaction_by_hand(module: Path) -> None:
    assert hand_managed(module.read_text()) == []


def test_the_check_sees_a_route_that_does() -> None:
    route = (
        "async def cancel(request):\n"
        "    async with request.app.state.pool.acquire() as conn, conn.transaction():\n"
        "        uow = UnitOfWork(conn, 's')\n"
        "        await uow.flush()\n"
    )
    assert len(hand_managed(route)) == 5


def test_tests_drive_services_through_their_real_wiring() -> None:
    """Handlers are exercised by zll.platform.testing.Feed (the service's own definition and
    the real consumer), not by a harness that imitates the consumer; only the consumer's own
    tests build one."""
    own_tests = {"test_plumbing.py"}
    imitations = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path.name not in own_tests
        and "architecture" not in path.parts
        and ("BatchConsumer(" in path.read_text() or "UnitOfWork(" in path.read_text())
    ]
    assert imitations == []
