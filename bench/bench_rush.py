"""The registration rush: POST /enrolments open-loop at fixed arrival rates, spread over 200
courses and on one hot course, against the partner batch path's decisions/s of the same run.

The load comes from bench/loadgen.py (plain asyncio, open loop). That it is not the
bottleneck is measured here too: the same generator at the top rate against /healthz, the
service's trivial endpoint, must stay far below the 200 ms goal.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from pathlib import Path

import asyncpg

from bench.bench_catalog import PRODUCTION_SAMPLING
from bench.bench_enrolment import PROVIDER, courses, partner_run
from bench.harness import BenchContext, Result
from bench.loadgen import LoadResult, open_loop, request_bytes
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

BENCH = "rush"
RATES = (100, 200, 500, 1000)
TRIED = "/".join(str(rate) for rate in RATES)
GOAL_MS = 200.0
SPREAD_COURSES = 200


class ServiceCpu:
    """CPU seconds the service's process spent (user + system), from /proc, whatever else
    loads the machine. Divided by the requests of a window it includes the process's
    background work (relays, polling, sweeps): an upper bound of a request's own cost."""

    def __init__(self, pid: int) -> None:
        self._stat = Path(f"/proc/{pid}/stat")
        self._tick = os.sysconf("SC_CLK_TCK")
        self._start = self.seconds()

    def seconds(self) -> float:
        fields = self._stat.read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / self._tick  # utime, stime

    def per_request_ms(self, load: LoadResult) -> float:
        spent, self._start = self.seconds() - self._start, self.seconds()
        return spent / max(1, len(load.latencies)) * 1000.0


class MachineCpu:
    """Busy cores of the whole machine over a window (/proc/stat), and how much of it was the
    enrolment service and this load generator: at the top rates, whether the two cores were
    the limit, and whose they were."""

    def __init__(self, service: ServiceCpu) -> None:
        self._service = service
        self._start = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
        own = os.times()
        tick = os.sysconf("SC_CLK_TCK")
        return time.monotonic(), busy / tick, self._service.seconds(), own.user + own.system

    def window(self) -> tuple[float, str]:
        """Since the last window: busy cores, and whose (a label for the table)."""
        end = self._now()
        wall, busy, service, generator = (e - s for e, s in zip(end, self._start, strict=True))
        self._start = end
        rest = busy - service - generator
        return busy / wall, (
            f"{busy / wall:.2f} of {os.cpu_count()} cores busy: enrolment {service / wall:.2f},"
            f" load generator {generator / wall:.2f}, the rest (PostgreSQL, broker, other"
            f" services) {rest / wall:.2f}"
        )


async def trivial(ctx: BenchContext, base: str, seconds: int) -> list[Result]:
    """The generator against GET /healthz at the top rate: what the client and the HTTP
    stack cost without the ledger."""
    health = request_bytes("GET", f"{base}/healthz")
    cpu = ServiceCpu(ctx.stack.services["enrolment"].pid)
    load = await open_loop(base, lambda n: health, rate=max(RATES), seconds=seconds)
    cpu_ms = cpu.per_request_ms(load)
    note = f"{load.ok}/{int(load.rate * load.seconds)} ok, {load.errors} errors"
    return [
        Result(BENCH, f"load generator → GET /healthz at {max(RATES)}/s: p50", load.p(50), "ms",
               note=note),
        Result(BENCH, f"load generator → GET /healthz at {max(RATES)}/s: p99", load.p(99), "ms",
               note=note),
        Result(BENCH, "load generator: p99 of sends later than due (GET /healthz)",
               load.send_lag_p99_ms(), "ms", note="the generator's own delay"),
        Result(BENCH, "enrolment process CPU ÷ GET /healthz requests (its background work in)",
               cpu_ms, "ms", note="the HTTP stack, plus the process's own polling and relays"),
    ]  # fmt: skip


async def rush(
    ctx: BenchContext,
    db: asyncpg.Pool,
    base: str,
    label: str,
    n_courses: int,
    seconds: int,
    rates: tuple[int, ...] = RATES,
) -> tuple[list[Result], float]:
    """Every rate in turn on fresh courses; the rows, and the highest rate within the goal."""
    token = mint_token(Settings(), role="counsellor", sub="bench-rush")
    headers = {"Authorization": f"Bearer {token}"}
    rows: list[Result] = []
    best = 0.0
    cpu = ServiceCpu(ctx.stack.services["enrolment"].pid)
    machine = MachineCpu(cpu)
    for rate in rates:
        run = f"rush-{label}-{rate}-{uuid.uuid4().hex[:6]}"
        codes = [f"{run}-{n}" for n in range(n_courses)]
        capacity = max(1, rate * seconds // n_courses // 2)  # half of the learners get a seat
        await courses(ctx, db, {c: capacity for c in codes})

        def post(n: int, codes: list[str] = codes, run: str = run) -> bytes:
            body = {"course_id": f"{PROVIDER}:{codes[n % len(codes)]}", "learner_id": f"{run}-{n}"}
            return request_bytes(
                "POST", f"{base}/enrolments", body=json.dumps(body).encode(), headers=headers
            )

        cpu.per_request_ms(LoadResult(rate, seconds))  # from here
        machine.window()
        load = await open_loop(base, post, rate=rate, seconds=seconds)
        load.machine_cores, load.machine = machine.window()
        load.cpu_ms = cpu.per_request_ms(load)
        problems = await overbooked(db, [f"{PROVIDER}:{c}" for c in codes], capacity)
        within = load.p(99) <= GOAL_MS and load.ok == int(rate * seconds)
        if within:
            best = float(rate)
        rows += _rows(label, n_courses, load, problems)
    return rows, best


def _rows(label: str, n_courses: int, load: LoadResult, problems: list[str]) -> list[Result]:
    where = f"over {n_courses} courses" if n_courses > 1 else "on one hot course"
    wanted = int(load.rate * load.seconds)
    if load.ok < wanted:
        where += f" ({wanted - load.ok} of {wanted} unanswered or failed)"
    note = (
        f"{load.ok}/{wanted} answered 2xx, {load.errors} errors, statuses {load.statuses};"
        f" ledger {'; '.join(problems) or 'ok'}; send lag p99 {load.send_lag_p99_ms():.1f} ms"
    )
    failed = bool(problems)
    return [
        Result(BENCH, f"POST /enrolments {where} at {int(load.rate)}/s: p50", load.p(50), "ms",
               failed=failed, note=note),
        Result(BENCH, f"POST /enrolments {where} at {int(load.rate)}/s: p99", load.p(99), "ms",
               goal=f"≤ {GOAL_MS:.0f} ms", failed=failed, note=note),
        Result(BENCH, f"… at {int(load.rate)}/s: enrolment process CPU ÷ requests (background in)",
               load.cpu_ms, "ms",
               note="all the process spent in the window (relays, polling, sweeps too) over"
               " the requests: at low rates the fixed background cost dominates"),
        Result(BENCH, f"… at {int(load.rate)}/s: the machine: {load.machine}",
               load.machine_cores, "cores"),
    ]  # fmt: skip


async def overbooked(db: asyncpg.Pool, ids: list[str], capacity: int) -> list[str]:
    """No course over capacity, and in arrival order every confirmed before every waitlisted."""
    rows = await db.fetch(
        "SELECT course_id, array_agg(status ORDER BY seq) AS statuses FROM enrolments"
        " WHERE course_id = ANY($1) GROUP BY course_id",
        ids,
    )
    problems = []
    for row in rows:
        statuses = list(row["statuses"])
        confirmed = statuses.count("confirmed")
        if confirmed > capacity:
            problems.append(f"{row['course_id']} overbooked ({confirmed}/{capacity})")
        if statuses != sorted(statuses):  # 'confirmed' < 'waitlisted'
            problems.append(f"{row['course_id']} not first come first served")
    return problems


def start_enrolment(ctx: BenchContext, **env: str) -> None:
    # Sampled as infra/k8s/config.yaml samples in production; the dev stack traces everything.
    extra = PRODUCTION_SAMPLING | env
    ctx.stack.extra_env.update(extra)
    try:
        ctx.stack.start_service("enrolment")
    finally:
        for name in extra:
            ctx.stack.extra_env.pop(name)
    ctx.stack.wait_ready("enrolment")


async def run(ctx: BenchContext) -> list[Result]:
    seconds = ctx.scale(10, 3)
    start_enrolment(ctx)
    try:
        results = await group_commit_runs(ctx, seconds)
    finally:
        ctx.stack.stop_service("enrolment")
    # The door as it was: one transaction (and one lock of the course) per request.
    start_enrolment(ctx, ZLL_ENROLMENT_HTTP_BATCH_MAX="1")
    try:
        results += await one_per_transaction(ctx, seconds, results)
    finally:
        ctx.stack.stop_service("enrolment")
    return results


async def one_per_transaction(
    ctx: BenchContext, seconds: int, batched: list[Result]
) -> list[Result]:
    """The hot course at 200/s with every batch one request long: the baseline of the door."""
    db = await asyncpg.create_pool(ctx.stack.database_url("enrolment"), min_size=1, max_size=2)
    assert db is not None
    try:
        base = ctx.stack.layout.url("enrolment")
        rows, _ = await rush(ctx, db, base, "single", 1, seconds, rates=(200,))
    finally:
        await db.close()
    wanted = "POST /enrolments on one hot course at 200/s: p99"
    ours = next((r.value for r in batched if r.metric == wanted), None)
    p99 = rows[1]
    return [
        Result(BENCH, "one transaction per request (HTTP_BATCH_MAX=1), hot course at 200/s: p99",
               p99.value, "ms", baseline="the same with group commit (p99, same run)",
               ratio=p99.value / ours if ours else None, note=p99.note),
        Result(BENCH, "… one transaction per request: enrolment process CPU ÷ requests",
               rows[2].value, "ms"),
    ]  # fmt: skip


async def group_commit_runs(ctx: BenchContext, seconds: int) -> list[Result]:
    base = ctx.stack.layout.url("enrolment")
    db = await asyncpg.create_pool(ctx.stack.database_url("enrolment"), min_size=1, max_size=2)
    assert db is not None
    try:
        partner = await partner_run(
            ctx, db, "rush-batch", SPREAD_COURSES, ctx.scale(10_000, 2_000), capacity=25
        )
        # The partner door measured in this run, as this bench's baseline: its row says so
        # (under `enrolment` it read as a second, different enrolment figure).
        batch = [
            dataclasses.replace(r, bench=BENCH, metric=f"baseline in this run: {r.metric}")
            for r in partner
        ]
        per_s = batch[0].value
        results = batch + await trivial(ctx, base, seconds)
        for label, n_courses in (("spread", SPREAD_COURSES), ("hot", 1)):
            rows, best = await rush(ctx, db, base, label, n_courses, seconds)
            where = f"over {n_courses} courses" if n_courses > 1 else "on one hot course"
            results += rows
            results.append(
                Result(
                    BENCH,
                    f"highest rate {where} with p99 ≤ {GOAL_MS:.0f} ms (of {TRIED} req/s)",
                    best,
                    "req/s",
                    baseline=f"partner door {per_s:,.0f} decisions/s, same run",
                    ratio=best / per_s if per_s else None,
                    goal="≥ 1000 spread, ≥ 500 hot",
                )
            )
    finally:
        await db.close()
    return results
