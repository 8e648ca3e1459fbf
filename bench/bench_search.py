"""Search as a learner types it, at scale: ingestion beside PostgreSQL's own rate of storing
and indexing the same rows, then search (compounds and typos on), suggestions over HTTP.

Titles are the 200 real course titles of tests/data/course_titles.txt, each with a town;
the 1 000 queries are written from them: whole words, compound parts ("buchhaltung" for
Finanzbuchhaltung), words with one or two typos, two-word queries, with filters.
Radius queries: a postcode anywhere in Germany with 10, 25 or 50 km, half with words.
Size: ctx.scale(1 000 000, 5 000), or ZLL_BENCH_SEARCH_COURSES=N.
"""

from __future__ import annotations

import asyncio
import os
import random
import string
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from zll_contracts.payloads import CourseUpserted
from zll_contracts.topics import PROVIDER_COURSES

from bench.bench_catalog import (
    FUNDING,
    PRODUCTION_SAMPLING,
    SKILLS,
    _analyze,
    _last_keys,
    _register,
    _watch_ingestion,
    wait_until_ranked,
)
from bench.harness import BenchContext, Result, percentile
from services.catalog import compounds, domain
from services.catalog.indexer import _INDEX_LIVE
from zll.demo.loader import publish_courses
from zll.platform import db, geography
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

TITLES = [
    line
    for line in (Path(__file__).parents[1] / "tests/data/course_titles.txt")
    .read_text()
    .splitlines()
    if line and not line.startswith("#")
]
TOWNS = ["Kassel", "Baunatal", "Detmold", "Lemgo", "Hamburg", "München", "Leipzig", "Freiburg",
         "Schwerin", "Trier", "Görlitz", "Flensburg", "Passau", "Bielefeld", "Erfurt"]  # fmt: skip
# A postcode in or near each town: "Excel 34117 25 km".
POSTCODES = ["34117", "34225", "32756", "32657", "20095", "80331", "04109", "79098", "19053",
             "54290", "02826", "24937", "94032", "33602", "99084", "50667", "01067"]  # fmt: skip
MIGRATIONS = Path(__file__).parents[1] / "services/catalog/migrations"


def synthetic_course(n: int, providers: list[str], rng: random.Random) -> dict[str, Any]:
    provider = providers[n % len(providers)]
    title = rng.choice(TITLES)
    start = 1 + rng.randrange(300)
    return {
        "course_id": f"{provider}:s{n}",
        "provider_id": provider,
        "revision": 1,
        "title": title,
        "description": f"{title}: Grundlagen, Übungen und Praxis in kleinen Gruppen.",
        "format": "onsite",
        "location": {"municipality": rng.choice(TOWNS)},
        "start_date": f"2027-{1 + start // 28 % 12:02d}-{1 + start % 28:02d}",
        "end_date": "2027-12-31",
        "capacity": 12,
        "price_eur": rng.randrange(0, 2000),
        "funding": rng.sample(FUNDING, rng.randrange(0, 2)),
        "target_groups": ["working-age"],
        "modules": [{"module_id": "m1", "title": title.split()[0], "workload_hours": 40,
                     "eqf_level": 1 + n % 6, "skills": [rng.choice(SKILLS)],
                     "certificate": "module-certificate"}],
    }  # fmt: skip


def typo(word: str, rng: random.Random, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(1, len(word) - 1)
        op = rng.choice("dsi")
        letter = rng.choice(string.ascii_lowercase)
        word = word[:i] + (letter if op != "d" else "") + word[i + (op != "i") :]
    return word


def query_words(rng: random.Random) -> str:
    """A learner's words: a title word, a compound part, or one with typos (as allowed)."""
    words = [w for w in compounds.tokens(rng.choice(TITLES)) if len(w) >= 4]
    word = rng.choice(words)
    kind = rng.random()
    if kind < 0.3 and compounds.spans(word):
        word = rng.choice([s for s in compounds.spans(word) if len(s) >= 4] or [word])
    elif kind < 0.6 and len(word) >= 5:
        word = typo(word, rng, 1 if len(word) <= 8 else 2)
    if rng.random() < 0.2:
        word += " " + rng.choice(words)
    return word


def search_params(rng: random.Random) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": 20, "q": query_words(rng)}
    if rng.random() < 0.5:
        name, value = rng.choice([("municipality", rng.choice(TOWNS)),
                                  ("eqf_level", rng.randrange(1, 7)),
                                  ("max_price", rng.randrange(100, 2000))])  # fmt: skip
        params[name] = value
    return params


def radius_params(rng: random.Random) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": 20, "near": rng.choice(POSTCODES),
                              "radius_km": rng.choice([10, 25, 50])}  # fmt: skip
    if rng.random() < 0.5:
        params["q"] = query_words(rng)
    return params


def suggest_prefix(rng: random.Random) -> str:
    words = [rng.choice(TITLES), rng.choice(TOWNS), *compounds.tokens(rng.choice(TITLES))]
    word = rng.choice([w for w in words if len(w) >= 3])
    return word[: rng.randrange(2, min(len(word), 9) + 1)]


async def _timed(
    http: httpx.AsyncClient, path: str, params: list[dict[str, Any]]
) -> tuple[list[float], list[float]]:
    """Latencies of GETs of `path`, each right after a GET /healthz of the same service (the
    floor of a request: the machine, the HTTP stack, the event loop) timed the same way."""
    for p in params[:20]:  # warm-up: connections, prepared statements
        await http.get(path, params=p)
        await http.get("/healthz")
    latencies, floor = [], []
    for p in params:
        start = time.perf_counter()
        (await http.get("/healthz")).raise_for_status()
        middle = time.perf_counter()
        response = await http.get(path, params=p)
        latencies.append((time.perf_counter() - middle) * 1000)
        floor.append((middle - start) * 1000)
        response.raise_for_status()
    return latencies, floor


async def _background(url: str) -> dict[str, int]:
    """The catalog's work still pending: events its outbox relay has yet to publish, courses
    its search indexer has yet to index, and autovacuum workers busy in its database."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM outbox) AS outbox,"
            " (SELECT count(*) FROM search_backlog) AS indexer,"
            " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            "  AND datname = current_database()) AS autovacuum"
        )
        assert row is not None
        return dict(row)
    finally:
        await conn.close()


async def _settle(url: str, timeout: float) -> float:
    """Seconds until the catalog is idle: its outbox published, its search backlog empty, the
    bulk load vacuumed and analysed (VACUUM ANALYZE, as autovacuum would do to a table grown
    by far more than 20 %; the bench does it itself so as not to wait for autovacuum's minute,
    nor to time queries while autovacuum reads the tables), and its dirty pages written (a
    CHECKPOINT, which the server would otherwise spread over the minutes the queries are
    timed in: at 1 000 000 courses, gigabytes)."""
    start = time.perf_counter()
    while (pending := await _background(url))["outbox"] or pending["indexer"]:
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"the catalog still busy after {timeout} s: {pending}")
        await asyncio.sleep(0.5)
    conn = await asyncpg.connect(url)
    try:
        # An autovacuum worker on the same table gives way to it (it cancels itself).
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return time.perf_counter() - start


async def database_ceiling(url: str, courses: list[dict[str, Any]]) -> float:
    """Courses/s PostgreSQL itself stores and indexes: COPY of the same stored rows, then
    the indexer's statement with the compound parts made beforehand (no Python, no broker)."""
    await db.ensure_database(url)
    pool = await db.open_pool(url, max_size=2)
    try:
        await db.migrate(pool, MIGRATIONS)
        now = datetime.now(UTC)
        rows = []
        for c in courses:
            published = domain.publish(CourseUpserted.model_validate(c), now)
            rows.append((c["course_id"], c["provider_id"], 1, "live", published.model_dump_json()))
        parts = [(compounds.index_text(c["title"], c["modules"][0]["title"]),
                  compounds.index_text(c["description"]),
                  geography.locate(c["location"]["municipality"])) for c in courses]  # fmt: skip
        async with pool.acquire() as conn:
            providers = sorted({c["provider_id"] for c in courses})
            await conn.executemany(
                "INSERT INTO providers (provider_id, name, kind, municipality)"
                " VALUES ($1, $1, 'volkshochschule', 'Kassel')",
                [(p,) for p in providers],
            )
            start = time.perf_counter()
            await conn.copy_records_to_table(
                "courses", records=rows,
                columns=["course_id", "provider_id", "revision", "status", "document"],
            )  # fmt: skip
            for i in range(0, len(courses), 1000):
                ids = [c["course_id"] for c in courses[i : i + 1000]]
                batch = parts[i : i + 1000]
                lats = [p[2][0] if p[2] else None for p in batch]
                lons = [p[2][1] if p[2] else None for p in batch]
                await conn.execute(_INDEX_LIVE, ids, ids, [p[0] for p in batch],
                                   [p[1] for p in batch], lats, lons)  # fmt: skip
            return len(courses) / (time.perf_counter() - start)
    finally:
        await pool.close()


async def run(ctx: BenchContext) -> list[Result]:
    total = int(os.environ.get("ZLL_BENCH_SEARCH_COURSES") or ctx.scale(1_000_000, 5_000))
    rng = random.Random(18)
    providers = [f"bench-suche-{n}" for n in range(50)]
    stack = ctx.stack
    base_url = stack.layout.url("catalog")
    token = mint_token(Settings(), role="operator", sub="bench")
    stack.start_service("catalog")
    stack.wait_ready("catalog")
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as http:
        await _register(http, providers)
    await wait_until_ranked(stack.database_url("catalog"), 3600)
    stack.stop_service("catalog")
    courses = [synthetic_course(n, providers, rng) for n in range(total)]
    await publish_courses(stack.bootstrap, courses)
    last_keys = await _last_keys(stack.bootstrap, PROVIDER_COURSES)

    stack.extra_env.update(PRODUCTION_SAMPLING)
    stack.start_service("catalog")
    first_keys = [str(c["course_id"]) for c in courses[:100]]
    times = await _watch_ingestion(
        stack.database_url("catalog"), first_keys, last_keys, total, 3600
    )
    for name in PRODUCTION_SAMPLING:
        stack.extra_env.pop(name)
    findable_rate = total / max(times.findable - times.first, 1e-9)
    stack.wait_ready("catalog")
    url = stack.database_url("catalog")
    await _analyze(url)
    queries = ctx.scale(1_000, 200)
    searches = [search_params(rng) for _ in range(queries)]
    prefixes = [{"q": suggest_prefix(rng)} for _ in range(queries)]
    radii = [radius_params(rng) for _ in range(queries)]
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            # The same prefixes twice: first at once, while the catalog is still publishing
            # what it stored (as this bench timed them until 2026-12-04), then once idle.
            busy = await _background(url)
            suggested_busy, floor_busy = await _timed(http, "/courses/suggest", prefixes)
            settled = await _settle(url, 3600)
            rss_mb = psutil.Process(stack.services["catalog"].pid).memory_info().rss / 2**20
            index_mb = await _index_size(url)
            searched, floor_searched = await _timed(http, "/courses", searches)
            suggested, floor_suggested = await _timed(http, "/courses/suggest", prefixes)
            near, floor_near = await _timed(http, "/courses", radii)
    finally:
        stack.stop_service("catalog")
    ceiling = await database_ceiling(stack.database_url("search_ceiling"), courses)
    n = f"{total:,}"
    return [
        Result("search", f"ingest {n} courses until findable (compound parts, words)",
               findable_rate, "courses/s",
               baseline=f"PostgreSQL COPY + index SQL of the same rows {ceiling:,.0f} courses/s",
               ratio=findable_rate / ceiling,
               note="the rest: broker, JSON, validation, outbox, splitting in Python"),
        Result("search", f"search p50 at {n} ({queries} queries, compounds + typos, HTTP)",
               percentile(searched, 50), "ms"),
        _p99(f"search p99 at {n} ({queries} queries, compounds + typos, HTTP)",
             searched, floor_searched, goal="≤ 50 ms"),
        Result("search", f"suggest p50 at {n} ({queries} prefixes, HTTP)",
               percentile(suggested, 50), "ms"),
        _p99(f"suggest p99 at {n} ({queries} prefixes, HTTP)",
             suggested, floor_suggested, goal="≤ 20 ms"),
        _p99(f"… suggest p99 right after findable, {busy['outbox']:,} events still to publish"
             f", {busy['autovacuum']} autovacuum workers",
             suggested_busy, floor_busy),
        Result("search", f"findable → idle at {n} (outbox published, VACUUM ANALYZE, CHECKPOINT)",
               settled, "s"),
        Result("search", f"radius p50 at {n} ({queries} postcode + km, half with words, HTTP)",
               percentile(near, 50), "ms"),
        _p99(f"radius p99 at {n} ({queries} postcode + km, half with words, HTTP)",
             near, floor_near, goal="≤ 50 ms"),
        Result("search", f"catalog RSS at {n}", rss_mb, "MiB"),
        Result("search", f"search tables + indexes at {n}", index_mb, "MiB"),
    ]  # fmt: skip


def _p99(metric: str, latencies: list[float], floor: list[float], goal: str = "") -> Result:
    p99, floor99 = percentile(latencies, 99), percentile(floor, 99)
    return Result("search", metric, p99, "ms", baseline=f"GET /healthz p99 {floor99:.1f} ms",
                  ratio=p99 / floor99, goal=goal)  # fmt: skip


async def _index_size(url: str) -> float:
    conn = await asyncpg.connect(url)
    try:
        size = await conn.fetchval(
            "SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['course_ranking',"
            " 'course_text', 'search_words', 'search_suggestions',"
            " 'search_rank_vectors']::regclass[]) t"
        )
        return float(size) / 2**20
    finally:
        await conn.close()
