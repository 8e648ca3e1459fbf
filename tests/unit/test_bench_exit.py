"""`make bench` fails when a benchmark fails: a FAILED row in a green run is easy to miss."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from bench.__main__ import keep_logs, run_each
from bench.harness import Baseline, BenchContext, Result, exit_status
from zll.devstack.stack import DevStack, StackLayout


def bench_module(run: Any) -> ModuleType:
    module = ModuleType("bench.fake")
    module.run = run  # type: ignore[attr-defined]
    return module


async def measures(ctx: BenchContext) -> list[Result]:
    return [Result("fake", "rows per s", 1234.0, "rows/s")]


async def differs(ctx: BenchContext) -> list[Result]:
    raise AssertionError("our round differs from the matching library's answer")


def context(tmp_path: Path) -> BenchContext:
    # Never started: run_each only hands the context to the benchmarks.
    stack = DevStack(StackLayout(home=tmp_path, kafka_port=1, ports={}))
    return BenchContext(stack=stack, baseline=Baseline())


async def test_a_run_where_every_benchmark_measured_exits_zero(tmp_path: Path) -> None:
    modules = {"bench.bench_a": bench_module(measures), "bench.bench_b": bench_module(measures)}
    results = await run_each(context(tmp_path), ["bench_a", "bench_b"], modules.__getitem__)
    assert [r.metric for r in results] == ["rows per s", "rows per s"]
    assert exit_status(results) == 0


async def test_a_benchmark_that_raises_keeps_the_others_figures_and_fails_the_run(
    tmp_path: Path,
) -> None:
    modules = {"bench.bench_a": bench_module(differs), "bench.bench_b": bench_module(measures)}
    results = await run_each(context(tmp_path), ["bench_a", "bench_b"], modules.__getitem__)
    failed = [r for r in results if r.failed]
    assert [(r.bench, r.metric) for r in failed] == [("a", "FAILED")]
    assert "differs from the matching library" in failed[0].note
    assert [r.bench for r in results if not r.failed] == ["fake"]
    assert exit_status(results) == 1


def test_a_failed_run_keeps_its_service_logs(tmp_path: Path) -> None:
    logs = tmp_path / "run" / "logs"
    logs.mkdir(parents=True)
    (logs / "catalog.log").write_text("catalog: address already in use\n")
    failed = [Result("consumers", "FAILED", 0.0, "", failed=True, note="catalog is not ready")]

    kept = keep_logs(logs, failed, tmp_path / "kept")

    assert kept is not None
    assert (kept / "catalog.log").read_text() == "catalog: address already in use\n"


def test_a_green_run_keeps_no_logs(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    ok = [Result("fake", "rows per s", 1234.0, "rows/s")]

    assert keep_logs(logs, ok, tmp_path / "kept") is None
    assert not (tmp_path / "kept").exists()
