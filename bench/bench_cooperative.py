"""Cooperative benchmarks: consortium proposals for a call over 500 members and 100 000
courses (p99 over HTTP), and the education report for a year of 200 000 enrolments.

The cooperative's own tables are filled directly with SQL (what its consumers would have
written from the topics): the figures are of the proposals and the report, not ingestion.
Baselines in the same run: GET /healthz over the same HTTP client (the floor of a request),
and one sequential scan of the enrolments (the floor of any report over them).
"""

from __future__ import annotations

import random
import time

import asyncpg
import httpx

from bench.harness import BenchContext, Result, percentile
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
        scan = await _scan(database_url)
    finally:
        ctx.stack.stop_service("cooperative")
    p99, floor99 = percentile(latencies, 99), percentile(floor, 99)
    size = f"{members} members, {courses} courses, {len(ids)} calls"
    return [
        Result(BENCH, "consortium proposals p50", percentile(latencies, 50) * 1000, "ms",
               note=size),
        Result(BENCH, "consortium proposals p99", p99 * 1000, "ms",
               baseline=f"GET /healthz p99 {floor99 * 1000:.1f} ms", ratio=p99 / floor99,
               goal="<= 500 ms", note=size),
        Result(BENCH, "education report for a year (2026), HTTP", report, "s",
               baseline=f"one scan of the enrolments {scan * 1000:.0f} ms", ratio=report / scan,
               note=f"{enrolments} enrolments over {courses} courses, median of 3"),
    ]  # fmt: skip
