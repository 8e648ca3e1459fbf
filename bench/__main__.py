"""Run the benchmarks: `python -m bench [name …]` (all of bench/bench_*.py by default)."""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from rich.console import Console
from rich.table import Table

import bench
from bench import record
from bench.harness import BenchContext, Result, exit_status, failures, measure_baseline
from zll.devstack.stack import DevStack, StackLayout
from zll.platform.settings import SERVICE_NAMES
from zll.run_records import commit

console = Console()


def main(names: list[str]) -> int:
    """Runs the chosen benchmarks, writes RESULTS.md; 1 if any of them failed."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    modules = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    chosen = [m for m in modules if not names or m.removeprefix("bench_") in names]
    started, code, clock = datetime.now(UTC), commit(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zll-bench-") as home:
        stack = DevStack(StackLayout(home=Path(home), kafka_port=_free_port(), ports=_ports()))
        try:
            with console.status("starting PostgreSQL and the broker…"):
                stack.start_infra()
            results = asyncio.run(_run(stack, chosen))
        finally:
            stack.stop()
        kept = keep_logs(stack.layout.logs, results, KEPT_LOGS)
    _report(results)
    run = record.Run(
        started=started,
        commit=code,
        seconds=time.monotonic() - clock,
        cores=os.cpu_count() or 0,
        benches=[m.removeprefix("bench_") for m in chosen],
        full=chosen == modules and os.environ.get("ZLL_BENCH_QUICK") != "1",
    )
    written = record.write(run, results)
    console.print(
        f"written to {written.relative_to(record.ROOT)}" + (" and the README" if run.full else "")
    )
    for failure in failures(results):
        console.print(f"[bold red]FAILED[/] {failure.bench}: {failure.note}")
    if kept:
        console.print(f"the run's service logs are kept in {kept.relative_to(record.ROOT)}")
    return exit_status(results)


# A failure names a log in the run's temporary folder, which is gone when the run ends.
KEPT_LOGS = record.ROOT / ".zll" / "bench-logs"


def keep_logs(logs: Path, results: list[Result], into: Path) -> Path | None:
    """When a benchmark failed, copy the run's service logs to `into` (replacing the last
    failed run's): the folder the failure points to is deleted with the run."""
    if not failures(results) or not logs.is_dir():
        return None
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(logs, into)
    return into


async def _run(stack: DevStack, modules: list[str]) -> list[Result]:
    ctx = BenchContext(stack=stack, baseline=await measure_baseline(stack.bootstrap, 20_000))
    results = [
        Result("baseline", "raw aiokafka produce", ctx.baseline.produce_per_s, "msg/s"),
        Result(
            "baseline",
            "raw aiokafka consume + JSON parse + commit",
            ctx.baseline.consume_per_s,
            "msg/s",
        ),
    ]
    return results + await run_each(ctx, modules, importlib.import_module)


async def run_each(
    ctx: BenchContext, modules: list[str], load: Callable[[str], ModuleType]
) -> list[Result]:
    """Each benchmark module's results; a module that raises gives one failed row instead."""
    results: list[Result] = []
    for name in modules:
        console.print(f"[bold]{name}[/]…")
        try:
            results += await load(f"bench.{name}").run(ctx)
        except Exception as error:  # one broken bench must not lose the others' figures
            console.print_exception()
            bench_name = name.removeprefix("bench_")
            results.append(Result(bench_name, "FAILED", 0, "", note=repr(error), failed=True))
    return results


def _report(results: list[Result]) -> None:
    table = Table(title="ZLL benchmarks")
    for column in ("bench", "metric", "value", "baseline", "ratio", "goal"):
        table.add_column(column)
    for r in results:
        ratio = f"{r.ratio:.3g}×" if r.ratio is not None else ""
        table.add_row(r.bench, r.metric, f"{r.value:,.1f} {r.unit}", r.baseline, ratio, r.goal)
    console.print(table)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ports() -> dict[str, int]:
    return {name: _free_port() for name in SERVICE_NAMES}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
