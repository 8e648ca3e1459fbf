"""Credits: recognition check over HTTP, and status-list checks beside bare signature checks."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from joserfc.jwk import OKPKey
from zll_contracts.topics import CATALOG_COURSES, PROVIDER_ENROLMENTS

from bench.bench_enrolment import publish, until
from bench.harness import BenchContext, Result, percentile
from services.enrolment import credentials, status_list
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

BENCH = "credits"
SKILLS = [f"http://data.europa.eu/esco/skill/bench-{n}" for n in range(20)]
TARGET_PROVIDER = "bz-bench"


def status_run(ctx: BenchContext) -> list[Result]:
    """N credentials against one cached list (decoded once) vs. the signatures alone."""
    count = ctx.scale(10_000, 1_000)
    key = OKPKey.generate_key("Ed25519")
    kid, keys = key.thumbprint(), {key.thumbprint(): key}
    issuer = credentials.Issuer("https://zll.example/regions/bench", "Bench", "https://zll")
    now = datetime.now(UTC)
    modules = [{"module_id": "m1", "title": "M", "workload_hours": 10, "eqf_level": 3,
                "skills": [], "certificate": "attendance"}]  # fmt: skip
    tokens = []
    for n in range(count):
        entries = status_list.entries(issuer.public_url, status_list.Position.of(n))
        passed = credentials.Passed(f"c{n}", f"l{n}", "p:c", "C", "p", modules, now, now, entries)
        tokens.append(credentials.sign(credentials.build_credential(passed, issuer), key, kid))
    revoked = {status_list.Position.of(n).index for n in range(0, count, 97)}
    lists = {
        status_list.list_url(issuer.public_url, purpose, 0): status_list.list_credential(
            url=status_list.list_url(issuer.public_url, purpose, 0), purpose=purpose,
            issuer={"id": issuer.id}, set_bits=revoked if purpose == "revocation" else [],
            now=now,
        )
        for purpose in status_list.PURPOSES
    }  # fmt: skip

    for token in tokens[:500]:  # warm up, so neither run pays for first use
        verdict = credentials.verify(token, keys)
        assert verdict.credential is not None
        status_list.check(verdict.credential, lists, now)
    start = time.perf_counter()
    bare = sum(credentials.verify(t, keys).valid for t in tokens)
    bare_rate = count / (time.perf_counter() - start)

    start = time.perf_counter()
    failed = 0
    for token in tokens:
        verdict = credentials.verify(token, keys)
        assert verdict.credential is not None
        failed += status_list.check(verdict.credential, lists, now) is not None
    full_rate = count / (time.perf_counter() - start)
    expected = len(range(0, count, 97))
    return [
        Result(BENCH, f"verify {count:,} VC-JWTs, signature only", bare_rate, "credentials/s",
               note=f"{bare} valid"),
        Result(BENCH, f"verify {count:,} VC-JWTs + revocation/suspension bits (one cached list)",
               full_rate, "credentials/s", baseline="signature only",
               ratio=full_rate / bare_rate, note=f"{failed} revoked (expected {expected})",
               failed=failed != expected),
    ]  # fmt: skip


def _course(provider: str, code: str, modules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "course_id": f"{provider}:{code}", "provider_id": provider, "revision": 1,
        "title": f"Bench {code}", "format": "online", "start_date": "2027-01-01",
        "end_date": "2099-12-31", "capacity": 100, "price_eur": 0, "funding": [],
        "target_groups": ["working-age"], "published_at": datetime.now(UTC).isoformat(),
        "modules": modules,
    }  # fmt: skip


def _module(module_id: str, n: int) -> dict[str, Any]:
    return {"module_id": module_id, "title": f"Modul {n}", "workload_hours": 10 + n % 30,
            "eqf_level": 2 + n % 5, "skills": [SKILLS[n % 20], SKILLS[(n * 7) % 20]],
            "certificate": "module-certificate"}  # fmt: skip


async def seed_learner(ctx: BenchContext, db: asyncpg.Pool, learner: str, run: str) -> list[str]:
    """50 courses at 5 providers, each passed by the learner: 50 certificates."""
    sources = [(f"vhs-bench-{n % 5}", f"src-{run}-{n}", n) for n in range(50)]
    catalog = [("zll.catalog.course-published.v1", f"{p}:{c}", _course(p, c, [_module("m1", n)]))
               for p, c, n in sources]  # fmt: skip
    await publish(ctx, CATALOG_COURSES, catalog, "/services/catalog")
    ids = [f"{p}:{c}" for p, c, _ in sources]

    async def known() -> bool:
        found = await db.fetchval("SELECT count(*) FROM courses WHERE course_id = ANY($1)", ids)
        return bool(found == len(ids))

    await until(known)
    now = datetime.now(UTC).isoformat()
    for provider in {p for p, _, _ in sources}:
        own = [(p, c) for p, c, _ in sources if p == provider]
        enrolments = {c: str(uuid.uuid4()) for _, c in own}
        requests = [("zll.enrolment.requested.v1", f"{p}:{c}", {
            "enrolment_id": enrolments[c], "course_id": f"{p}:{c}", "learner_id": learner,
            "requested_at": now}) for p, c in own]  # fmt: skip
        done = [("zll.enrolment.completed.v1", f"{p}:{c}", {
            "enrolment_id": enrolments[c], "modules_passed": ["m1"], "completed_at": now})
            for p, c in own]  # fmt: skip
        await publish(ctx, PROVIDER_ENROLMENTS, requests + done, f"/providers/{provider}")

    async def certified() -> bool:
        found = await db.fetchval(
            "SELECT count(*) FROM certificates WHERE learner_id = $1", learner
        )
        return bool(found == 50)

    await until(certified)
    return ids


async def recognition_run(ctx: BenchContext, db: asyncpg.Pool) -> list[Result]:
    run, learner = uuid.uuid4().hex[:6], f"bench-learner-{uuid.uuid4().hex[:6]}"
    sources = await seed_learner(ctx, db, learner, run)
    code = f"target-{run}"
    target = f"{TARGET_PROVIDER}:{code}"
    modules = [_module(f"t{n}", n) for n in range(10)]
    await publish(ctx, CATALOG_COURSES, [("zll.catalog.course-published.v1", target,
                                          _course(TARGET_PROVIDER, code, modules))],
                  "/services/catalog")  # fmt: skip

    async def known() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM courses WHERE course_id = $1", target))

    await until(known)
    provider = {"Authorization": "Bearer "
                + mint_token(Settings(), role="provider", sub=TARGET_PROVIDER)}  # fmt: skip
    me = {"Authorization": "Bearer " + mint_token(Settings(), role="learner", sub=learner)}
    async with httpx.AsyncClient(base_url=ctx.stack.layout.url("enrolment"), timeout=30) as api:
        for n in range(100):  # 100 rules: 10 named modules, 90 skill/level/workload rules
            rule: dict[str, Any] = {"module_id": f"t{n % 10}"}
            if n < 10:
                provider_id, course_id = sources[n * 5].split(":", 1)[0], sources[n * 5]
                rule["named"] = {"provider_id": provider_id, "course_id": course_id,
                                 "module_id": "m1"}  # fmt: skip
            else:
                rule |= {"skills": [SKILLS[n % 20]], "min_eqf_level": 1 + n % 6,
                         "min_workload_hours": n % 25, "max_age_years": 5}  # fmt: skip
                rule["min_workload_hours"] = rule["min_workload_hours"] or None
            answer = await api.put(f"/courses/{target}/recognitions/r{n}", json=rule,
                                   headers=provider)  # fmt: skip
            answer.raise_for_status()
        path = f"/learners/{learner}/recognition?course_id={target}"
        checks, seats = [], []
        covered = 0
        for _ in range(ctx.scale(500, 50)):
            start = time.perf_counter()
            answer = await api.get(path, headers=me)
            checks.append(time.perf_counter() - start)
            answer.raise_for_status()
            covered = len(answer.json()["covered"])
            start = time.perf_counter()
            (await api.get(f"/courses/{target}/seats")).raise_for_status()
            seats.append(time.perf_counter() - start)
    ms, p99_seats = 1000.0, percentile(seats, 99)
    return [
        Result(BENCH, "recognition check, 50 certificates × 10 modules × 100 rules: p50",
               percentile(checks, 50) * ms, "ms", note=f"{covered} of 10 modules covered"),
        Result(BENCH, "recognition check, 50 certificates × 10 modules × 100 rules: p99",
               percentile(checks, 99) * ms, "ms",
               baseline=f"GET /courses/{{id}}/seats p99 {p99_seats * ms:.1f} ms",
               ratio=percentile(checks, 99) / p99_seats, failed=covered == 0),
    ]  # fmt: skip


async def run(ctx: BenchContext) -> list[Result]:
    results = status_run(ctx)
    ctx.stack.start_service("enrolment")
    try:
        ctx.stack.wait_ready("enrolment")
        db = await asyncpg.create_pool(ctx.stack.database_url("enrolment"), min_size=1, max_size=2)
        assert db is not None
        try:
            results += await recognition_run(ctx, db)
        finally:
            await db.close()
        return results
    finally:
        ctx.stack.stop_service("enrolment")
