"""Cooperative benchmarks: consortium proposals for a call over 500 members and 100 000
courses (p99 over HTTP), and the education report for a year of 200 000 enrolments: over
HTTP, computed from the service's own tables (the same function, called on a connection
with no HTTP around it), and drawn by the portal in headless Chromium (from navigation start
to the animation frame in which the report's pictures — the table-map of municipalities and
the bars by life phase — are in the page; `performance.now()` there, so the figure includes
loading the portal, fetching the report and drawing it, not Chromium's start).

The cooperative's own tables are filled directly with SQL (what its consumers would have
written from the topics): the figures are of the proposals and the report, not ingestion.
Baselines in the same run: GET /healthz over the same HTTP client (the floor of a request),
and one sequential scan of the enrolments (the floor of any report over them).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import asyncpg
import httpx

from bench.harness import BenchContext, Result, percentile
from services.cooperative.api_reports import education
from services.cooperative.domain.report import period
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

BENCH = "cooperative"
SKILL = "http://data.europa.eu/esco/skill/bench-"
GROUPS = [
    "S1 communication",
    "S2 information",
    "S3 caring",
    "S4 management",
    "S5 computers",
    "S6 handling",
    "S7 constructing",
    "S8 machinery",
    "K07 engineering",
    "L languages",
]
TOWNS = [
    "Kassel", "Baunatal", "Vellmar", "Hofgeismar", "Wolfhagen", "Kaufungen", "Lohfelden",
    "Fuldatal", "Calden", "Zierenberg", "Detmold", "Lemgo", "Bad Salzuflen", "Lage",
    "Blomberg", "Horn-Bad Meinberg", "Oerlinghausen", "Leopoldshöhe", "Extertal", "Barntrup",
    ]  # fmt: skip

_COURSES = """
INSERT INTO offered_courses (course_id, provider_id, revision, live, title, municipality, skills,
    field, target_groups, capacity, start_date, end_date)
SELECT 'bench-m' || (i % $1) || ':c' || i, 'bench-m' || (i % $1), 1, true, 'Kurs ' || i,
       CASE WHEN i % 10 = 0 THEN 'online' ELSE ($2::text[])[1 + (i * 7) % array_length($2, 1)] END,
       ARRAY[$3 || (i % 300), $3 || ((i * 13) % 300)],
       ($5::text[])[1 + i % array_length($5, 1)],
       CASE i % 5 WHEN 0 THEN ARRAY['working-age'] WHEN 1 THEN ARRAY['working-age', 'senior']
                  WHEN 2 THEN ARRAY['transition'] WHEN 3 THEN ARRAY['school']
                  ELSE ARRAY['senior'] END,
       10 + i % 21, DATE '2025-01-06' + (i % 700), DATE '2025-01-06' + (i % 700) + 60
FROM generate_series(1, $4) AS i
"""
_ENROLMENTS = """
INSERT INTO participations (enrolment_id, course_id, learner_id, status, ever_waitlisted,
    certificates, certified_at, occurred_at)
SELECT gen_random_uuid(), 'bench-m' || (c % $1) || ':c' || c, 'l' || (i * 7919 % 90000),
       CASE WHEN i % 20 = 0 THEN 'cancelled' WHEN i % 10 = 1 THEN 'waitlisted'
            ELSE 'confirmed' END,
       i % 10 = 1, CASE WHEN i % 5 < 3 THEN 1 ELSE 0 END,
       CASE WHEN i % 5 < 3 THEN TIMESTAMPTZ '2026-06-01' END, TIMESTAMPTZ '2026-01-15'
FROM (SELECT i, 1 + (i * 104729) % $2 AS c FROM generate_series(1, $3::bigint) AS i) AS x
"""


async def _fill(database_url: str, members: int, courses: int, enrolments: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("TRUNCATE offered_courses, participations, members")
        await conn.execute(_COURSES, members, TOWNS, SKILL, courses, GROUPS)
        await conn.execute(_ENROLMENTS, members, courses, enrolments)
        await conn.executemany(
            "INSERT INTO members (provider_id, name, kind) VALUES ($1, $2, $3)",
            [(f"bench-m{i}", f"Mitglied {i}", "chamber" if i % 25 == 0 else "volkshochschule")
             for i in range(members)],
        )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _call(rng: random.Random) -> dict[str, object]:
    return {
        "title": "Bench-Aufruf",
        "skills": [f"{SKILL}{s}" for s in rng.sample(range(300), rng.randint(2, 5))],
        "municipalities": rng.sample(TOWNS, rng.randint(2, 4)),
        "target_groups": rng.sample(["working-age", "senior", "transition"], rng.randint(0, 2)),
        "starts_on": "2027-01-01", "ends_on": "2027-12-31",
        "min_members": 3, "chamber_required": rng.random() < 0.5,
    }  # fmt: skip


async def _timed(client: httpx.AsyncClient, path: str, **params: str) -> float:
    began = time.perf_counter()
    response = await client.get(path, params=params)
    elapsed = time.perf_counter() - began
    response.raise_for_status()
    return elapsed


async def _scan(database_url: str) -> float:
    conn = await asyncpg.connect(database_url)
    try:
        began = time.perf_counter()
        await conn.fetchval("SELECT count(DISTINCT learner_id) FROM participations")
        return time.perf_counter() - began
    finally:
        await conn.close()


async def _computed(database_url: str, year: str) -> float:
    """The report computed from the service's own tables, without HTTP: median of 3."""
    conn = await asyncpg.connect(database_url)
    try:
        times = []
        for _ in range(3):
            began = time.perf_counter()
            await education(conn, period(year), 2)
            times.append(time.perf_counter() - began)
        return sorted(times)[1]
    finally:
        await conn.close()


CHROMIUM = "/usr/bin/chromium"  # Debian's, as `make browser` installs it (tests/browser)
_DRAWN = """() => document.querySelector('#municipalities li')
    && document.querySelector('#life-phases li') && performance.now()"""


def _have_chromium() -> bool:
    return Path(CHROMIUM).exists()


async def _rendered(url: str) -> float | None:
    """Navigation start → the report's pictures in the page, in headless Chromium, median of
    3 fresh browser contexts (no cache); None when no Chromium or Playwright is installed."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return None
    if not _have_chromium():
        return None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            times = []
            for _ in range(3):
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                page = await context.new_page()
                await page.goto(url)
                drawn = await page.wait_for_function(_DRAWN, polling="raf", timeout=120_000)
                times.append(float(await drawn.json_value()) / 1000)
                await context.close()
            return sorted(times)[1]
        finally:
            await browser.close()


async def run(ctx: BenchContext) -> list[Result]:
    members, courses = ctx.scale(500, 100), ctx.scale(100_000, 5_000)
    enrolments, calls = ctx.scale(200_000, 10_000), ctx.scale(200, 30)
    rng = random.Random(19)
    ctx.stack.start_service("cooperative")
    try:
        ctx.stack.wait_ready("cooperative")
        database_url = ctx.stack.database_url("cooperative")
        await _fill(database_url, members, courses, enrolments)
        token = mint_token(Settings(), role="operator", sub="bench")
        async with httpx.AsyncClient(
            base_url=ctx.stack.layout.url("cooperative"),
            headers={"Authorization": f"Bearer {token}"}, timeout=120,
        ) as client:  # fmt: skip
            floor = [await _timed(client, "/healthz") for _ in range(calls)]
            ids = []
            for _ in range(calls):
                opened = await client.post("/calls", json=_call(rng))
                opened.raise_for_status()
                ids.append(opened.json()["call_id"])
            latencies = [await _timed(client, f"/calls/{i}/proposals") for i in ids]
            report = sorted([await _timed(client, "/reports/education", period="2026")
                             for _ in range(3)])[1]  # fmt: skip
            drawn = await _rendered(f"{ctx.stack.web_url}/#/bericht?zeitraum=2026")
        scan = await _scan(database_url)
        computed = await _computed(database_url, "2026")
    finally:
        ctx.stack.stop_service("cooperative")
    p99, floor99 = percentile(latencies, 99), percentile(floor, 99)
    size = f"{members} members, {courses} courses, {len(ids)} calls"
    results = [
        Result(BENCH, f"consortium proposals p50 ({size})", percentile(latencies, 50) * 1000, "ms",
               note=size),
        Result(BENCH, f"consortium proposals p99 ({size})", p99 * 1000, "ms",
               baseline=f"GET /healthz p99 {floor99 * 1000:.1f} ms", ratio=p99 / floor99,
               goal="<= 500 ms", note=size),
        Result(BENCH, f"education report for 2026 ({enrolments} enrolments), HTTP, median of 3",
               report, "s",
               baseline=f"one scan of the enrolments {scan * 1000:.0f} ms", ratio=report / scan,
               note=f"{enrolments} enrolments over {courses} courses, median of 3"),
        Result(BENCH, f"education report for 2026 ({enrolments} enrolments), from its tables",
               computed, "s", baseline=f"one scan of the enrolments {scan * 1000:.0f} ms",
               ratio=computed / scan, note="no HTTP; median of 3"),
    ]  # fmt: skip
    if drawn is None:  # named in the bench's output, not as a figure of 0 s
        print("cooperative: the report page was not drawn: no Chromium/Playwright (make browser)")
    else:
        results.append(Result(
            BENCH, f"education report page ({enrolments} enrolments) drawn in Chromium", drawn, "s",
            baseline=f"the report over HTTP {report:.2f} s", ratio=drawn / report,
            note="navigation start to the report's pictures in the page; median of 3",
        ))  # fmt: skip
    return results
