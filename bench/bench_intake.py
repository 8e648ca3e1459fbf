"""Intake: a generated OpenVHS export uploaded whole, until its last course is findable.

Beside it, in the same run: a bare lxml iterparse of the same file (the floor any reader
pays), and intake's own reader alone. Peak RSS of the intake process is sampled while it
takes the upload; the file is streamed to disk and its courses staged there, so it should
not grow with the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import httpx
import psutil
from lxml import etree

from bench.harness import BenchContext, Result
from bench.openvhs_corpus import write_corpus
from services.intake import Limits
from services.intake.upload import read_whole
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

PROVIDER = "vhs-bench-intake"
_CHUNK = 1024 * 1024


def bare_iterparse(path: Path) -> int:
    """The floor: lxml walks the file and counts courses, clearing as it goes."""
    count = 0
    for _, element in etree.iterparse(str(path), events=("end",), tag="veranstaltung"):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def intake_reader(path: Path) -> int:
    """Intake's reader alone: detect, parse, map, refuse duplicates, stage the courses."""
    with path.open("rb") as stream:
        reading = read_whole(stream, PROVIDER, None, Limits())
    try:
        return len(reading.courses)
    finally:
        reading.courses.close()


def _timed(read: Callable[[Path], int], path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = read(path)
    return count, time.perf_counter() - started


async def _body(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as stream:
        while piece := stream.read(_CHUNK):
            yield piece


@contextlib.asynccontextmanager
async def peak_rss(pid: int) -> AsyncIterator[list[float]]:
    """Samples the process's RSS every 50 ms while the block runs; [peak MiB] afterwards."""
    process = psutil.Process(pid)
    peak = [process.memory_info().rss]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                peak[0] = max(peak[0], process.memory_info().rss)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(sample())
    out: list[float] = []
    try:
        yield out
    finally:
        stop.set()
        await task
        out.append(peak[0] / 2**20)


async def _until_findable(database_url: str, total: int, timeout: float) -> float:
    """When the catalog holds every course of the provider and its search backlog is empty."""
    conn = await asyncpg.connect(database_url)
    deadline = time.perf_counter() + timeout
    try:
        while True:
            stored = await conn.fetchval(
                "SELECT count(*) FROM courses WHERE provider_id = $1", PROVIDER
            )
            if stored >= total and not await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM search_backlog)"
            ):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{stored} of {total} courses stored after {timeout} s")
            await asyncio.sleep(0.25)
    finally:
        await conn.close()


async def run(ctx: BenchContext) -> list[Result]:
    total = ctx.scale(50_000, 2_000)
    stack = ctx.stack
    with tempfile.TemporaryDirectory(prefix="zll-bench-intake-") as home:
        path = Path(home) / f"openvhs-{total}.xml"
        with path.open("wb") as out:
            write_corpus(out, total)
        size_mb = path.stat().st_size / 2**20
        bare, bare_s = _timed(bare_iterparse, path)
        read, read_s = _timed(intake_reader, path)
        if (bare, read) != (total, total):
            raise RuntimeError(f"expected {total} courses, iterparse {bare}, intake {read}")

        for service in ("catalog", "intake"):
            stack.start_service(service)
        for service in ("catalog", "intake"):
            stack.wait_ready(service)
        operator = {"Authorization": f"Bearer {mint_token(Settings(), role='operator', sub='b')}"}
        try:
            async with httpx.AsyncClient(headers=operator, timeout=900) as http:
                registered = await http.put(
                    f"{stack.layout.url('catalog')}/providers/{PROVIDER}",
                    json={"name": "vhs Bench", "kind": "volkshochschule", "municipality": "Kassel"},
                )
                registered.raise_for_status()
                rss_before = psutil.Process(stack.services["intake"].pid).memory_info().rss
                started = time.perf_counter()
                async with peak_rss(stack.services["intake"].pid) as peak:
                    answer = await http.post(
                        f"{stack.layout.url('intake')}/providers/{PROVIDER}/imports",
                        content=_body(path),
                        headers={"Content-Type": "application/xml"},
                    )
                    answered = time.perf_counter()
                answer.raise_for_status()
                if answer.json()["counts"]["new"] != total:
                    raise RuntimeError(f"import took {answer.json()['counts']}, not {total} new")
                findable = await _until_findable(stack.database_url("catalog"), total, 900)
        finally:
            for service in ("intake", "catalog"):
                stack.stop_service(service)

    iterparse_rate = total / bare_s
    baseline = f"bare lxml iterparse of the same file {iterparse_rate:,.0f} courses/s"
    return [
        Result(
            "intake", f"read {total:,}-course OpenVHS ({size_mb:.0f} MB): parse, map, stage",
            total / read_s, "courses/s", baseline=baseline, ratio=(total / read_s) / iterparse_rate,
        ),
        Result(
            "intake", f"upload → report (201), {total:,} new courses", total / (answered - started),
            "courses/s", baseline=baseline, ratio=(total / (answered - started)) / iterparse_rate,
            note=f"{answered - started:.1f} s",
        ),
        Result(
            "intake", "upload → last course findable in search", total / (findable - started),
            "courses/s", baseline=baseline, ratio=(total / (findable - started)) / iterparse_rate,
            note=f"{findable - started:.1f} s from the first byte sent",
        ),
        Result(
            "intake", "peak RSS of intake while taking the upload", peak[0], "MiB",
            baseline=f"before the upload {rss_before / 2**20:.0f} MiB",
            ratio=peak[0] / (rss_before / 2**20), note=f"file {size_mb:.0f} MB",
        ),
    ]  # fmt: skip
