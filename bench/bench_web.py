"""Live streams: 2 000 learners with notify's Server-Sent-Event stream open at once.

What an open, idle stream costs the notify process (memory, threads, PostgreSQL
connections, CPU), and how fast a notification reaches its stream: from the moment the
enrolment's outcome is handed to the producer on `zll.enrolments.v1` (as the enrolment
service publishes it) until the SSE client has parsed the message. The baseline, in the same
run, is the same deliveries at the same rate with one stream open. The client is one asyncio
process with one httpx connection per stream; each stream is opened as the portal opens it,
with a stream ticket traded for the learner's bearer token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import psutil
from rich.console import Console
from zll_contracts import new_event, to_record
from zll_contracts.topics import ENROLMENTS

from bench.harness import BenchContext, Result, percentile
from zll.devstack.sse import sse_messages
from zll.platform.auth import mint_token
from zll.platform.kafka import new_producer
from zll.platform.settings import Settings

BENCH = "web"
RATE = 100  # outcomes per second while measuring delivery: latency, not a queue
IDLE_SECONDS = 5  # how long the open streams sit idle before notify is measured
# Sockets and files either process needs besides the streams (pool, broker, logs, libraries).
SPARE_FILES = 512
console = Console()


@dataclass
class Listener:
    """The browser side: one task per open stream, each notification timestamped on arrival."""

    http: httpx.AsyncClient
    arrivals: dict[str, float] = field(default_factory=dict)  # enrolment id → epoch seconds
    strays: int = 0  # notifications for an enrolment nobody sent in this run, or twice
    broken: int = 0  # streams that ended while they should have stayed open
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    expected: set[str] = field(default_factory=set)
    everything: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self, learner: str) -> None:
        """Trade the learner's token for a ticket, open the stream, return once it is live."""
        bearer = {"Authorization": f"Bearer {mint_token(Settings(), role='learner', sub=learner)}"}
        path = f"/learners/{learner}/notifications"
        answer = await self.http.post(f"{path}/stream-ticket", headers=bearer)
        answer.raise_for_status()
        live: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.tasks.append(
            asyncio.create_task(self._follow(f"{path}/stream", answer.json()["ticket"], live))
        )
        await live

    async def _follow(self, path: str, ticket: str, live: asyncio.Future[None]) -> None:
        try:
            async with self.http.stream("GET", path, params={"ticket": ticket}) as response:
                response.raise_for_status()
                async for message in sse_messages(response, lambda: live.set_result(None)):
                    if message.get("event") == "notification":
                        self._arrived(json.loads(message["data"]))
            error: Exception = ConnectionError("notify ended the stream")
        except Exception as failure:  # cancelling (the end of the bench) is no failure
            error = failure
        if not live.done():
            live.set_exception(error)
        else:
            self.broken += 1
            console.print(f"[red]a stream broke: {error!r}[/]")

    def _arrived(self, notification: dict[str, Any]) -> None:
        enrolment = notification["data"].get("enrolment_id", "")
        if enrolment in self.expected and enrolment not in self.arrivals:
            self.arrivals[enrolment] = time.time()
            if len(self.arrivals) == len(self.expected):
                self.everything.set()
        else:
            self.strays += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()


@dataclass(frozen=True)
class Footprint:
    """The notify process as the operating system and PostgreSQL see it."""

    rss: int  # bytes
    threads: int
    files: int
    connections: int  # notify's sessions in pg_stat_activity (not counting ours)
    cpu: float  # user + system seconds so far

    @classmethod
    async def of(cls, process: psutil.Process, db: asyncpg.Connection) -> Footprint:
        cpu = process.cpu_times()
        sessions = await db.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cls(
            process.memory_info().rss, process.num_threads(), process.num_fds(),
            int(sessions), cpu.user + cpu.system,
        )  # fmt: skip


def _open_files_for(streams: int) -> int:
    """Raise this process's open-file limit (notify, started after, inherits it) toward what
    `streams` need; return how many streams the limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = streams + SPARE_FILES
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        allowed = max(1, soft - SPARE_FILES)
        console.print(
            f"[bold red]open-file limit: hard limit {hard} < {needed} needed for {streams}"
            f" streams; measuring {allowed} streams only.[/] Raise it (ulimit -Hn, or"
            " LimitNOFILE= / nofile in limits.conf) for the full figure."
        )
        return allowed
    return streams


def _outcome(learner: str) -> tuple[str, dict[str, Any]]:
    enrolment = str(uuid.uuid4())
    course = f"web-bench-{uuid.uuid4().hex[:4]}:k1"
    data = {"enrolment_id": enrolment, "course_id": course, "learner_id": learner,
            "occurred_at": "2026-11-23T10:00:00Z", "source": "http"}  # fmt: skip
    return enrolment, data


@dataclass(frozen=True)
class Deliveries:
    """When each confirmation was handed to the producer, and when its stream had it."""

    sent: dict[str, float]  # enrolment id → epoch seconds
    arrived: dict[str, float]

    def latencies(self) -> list[float]:
        """Outcome handed to the producer → SSE message parsed, in ms."""
        return [(at - self.sent[e]) * 1000 for e, at in self.arrived.items()]

    async def from_inbox(self, db: asyncpg.Connection) -> list[float]:
        """The part after notify's consumer: inbox row's transaction start → SSE message, ms
        (so commit, LISTEN/NOTIFY, the hub's fetch, the response and the client's parsing)."""
        rows = await db.fetch(
            "SELECT data->>'enrolment_id' AS enrolment, extract(epoch FROM created_at) AS at"
            " FROM notifications WHERE recipient_kind = 'learner'"
            " AND data->>'enrolment_id' = ANY($1::text[])",
            list(self.arrived),
        )
        return [(self.arrived[r["enrolment"]] - float(r["at"])) * 1000 for r in rows]


async def _deliver(
    bootstrap: str, listener: Listener, learners: list[str], timeout: float
) -> Deliveries:
    """One confirmation per entry of `learners`, RATE a second, until all arrived or timeout."""
    outcomes = [_outcome(learner) for learner in learners]
    listener.arrivals = {}
    listener.everything.clear()
    listener.expected = {enrolment for enrolment, _ in outcomes}
    sent: dict[str, float] = {}
    producer = new_producer(bootstrap, "bench-web")
    await producer.start()
    try:
        start = time.perf_counter()
        for n, (enrolment, data) in enumerate(outcomes):
            delay = start + n / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            event = new_event("zll.enrolment.confirmed.v1", "/services/enrolment", data)
            record = to_record(event, data["course_id"])
            sent[enrolment] = time.time()
            await producer.send(
                ENROLMENTS, record.value, key=record.key, headers=list(record.headers)
            )
        await producer.flush()
    finally:
        await producer.stop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listener.everything.wait(), timeout)
    return Deliveries(sent, listener.arrivals)


async def _caught_up(http: httpx.AsyncClient, timeout: float) -> None:
    """Until notify's consumer has no lag left: earlier benches leave events on its topics."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = (await http.get("/metrics")).text
        lag = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("zll_consumer_lag{")
        )
        if lag == 0:
            return
        await asyncio.sleep(1)
    raise TimeoutError(f"notify still behind its topics after {timeout} s")


async def run(ctx: BenchContext) -> list[Result]:
    wanted = ctx.scale(2_000, 200)
    streams = _open_files_for(wanted)  # before notify starts: the process inherits the limit
    deliveries = min(streams, ctx.scale(500, 50))
    ctx.stack.start_service("notify")
    ctx.stack.wait_ready("notify")
    notify = psutil.Process(ctx.stack.services["notify"].pid)
    db = await asyncpg.connect(ctx.stack.database_url("notify"))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    timeout = httpx.Timeout(30, read=None)  # a stream is quiet but for heartbeats
    url = ctx.stack.layout.url("notify")
    try:
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as http:
            alone = await _one_stream(ctx, http, deliveries)
            await asyncio.sleep(1)
            crowd = await _many_streams(ctx, http, notify, db, streams, deliveries)
        tails = (await alone.from_inbox(db), await crowd.deliveries.from_inbox(db))
    finally:
        await db.close()
        ctx.stack.stop_service("notify")
    lost = [deliveries - len(d.arrived) for d in (alone, crowd.deliveries)]
    if any(lost) or crowd.strays or crowd.broken:
        raise AssertionError(
            f"lost deliveries: {lost[0]} with one stream, {lost[1]} with {streams};"
            f" {crowd.strays} unexpected or twice; {crowd.broken} streams broke"
        )
    latencies = (alone.latencies(), crowd.deliveries.latencies())
    return _results(crowd, deliveries, latencies, tails)


async def _one_stream(ctx: BenchContext, http: httpx.AsyncClient, deliveries: int) -> Deliveries:
    """The baseline; its first notification also waits out earlier benches' backlog."""
    listener = Listener(http)
    learner = f"web-{uuid.uuid4().hex[:6]}-solo"
    try:
        await listener.open(learner)
        if not (await _deliver(ctx.stack.bootstrap, listener, [learner], 600)).arrived:
            raise TimeoutError("the warm-up notification never arrived on its stream")
        await _caught_up(http, 600)
        return await _deliver(ctx.stack.bootstrap, listener, [learner] * deliveries, 120)
    finally:
        await listener.close()


@dataclass(frozen=True)
class Crowd:
    """What `streams` open streams cost notify, and their deliveries."""

    streams: int
    open_seconds: float
    before: Footprint
    after: Footprint  # after IDLE_SECONDS with every stream open
    idle_cpu: float  # share of a core while they idled
    deliveries: Deliveries
    strays: int
    broken: int


async def _many_streams(
    ctx: BenchContext, http: httpx.AsyncClient, notify: psutil.Process,
    db: asyncpg.Connection, streams: int, deliveries: int,
) -> Crowd:  # fmt: skip
    before = await Footprint.of(notify, db)
    listener = Listener(http)
    run_id = uuid.uuid4().hex[:6]
    learners = [f"web-{run_id}-{n:05d}" for n in range(streams)]
    gate = asyncio.Semaphore(64)

    async def open_one(learner: str) -> None:
        async with gate:
            await listener.open(learner)

    try:
        opening = time.perf_counter()
        await asyncio.gather(*(open_one(learner) for learner in learners))
        open_seconds = time.perf_counter() - opening
        idle_from = await Footprint.of(notify, db)
        await asyncio.sleep(IDLE_SECONDS)
        after = await Footprint.of(notify, db)
        chosen = learners[:: max(1, streams // deliveries)][:deliveries]
        delivered = await _deliver(ctx.stack.bootstrap, listener, chosen, 120)
    finally:
        await listener.close()
    return Crowd(
        streams, open_seconds, before, after, (after.cpu - idle_from.cpu) / IDLE_SECONDS,
        delivered, listener.strays, listener.broken,
    )  # fmt: skip


def _results(
    crowd: Crowd, deliveries: int, latencies: tuple[list[float], list[float]],
    tails: tuple[list[float], list[float]],
) -> list[Result]:  # fmt: skip
    """`latencies` and `tails` (the part after the consumer): (one stream, all streams)."""
    streams, before, after, mib = crowd.streams, crowd.before, crowd.after, 2**20
    per_stream = (after.rss - before.rss) / streams / 1024
    label = f"{deliveries} confirmations at {RATE}/s"
    results = [
        Result(BENCH, f"open {streams} streams (ticket + GET, 64 at a time)",
               streams / crowd.open_seconds, "streams/s",
               note=f"{crowd.open_seconds:.1f} s in all"),
        Result(BENCH, f"notify RSS with {streams} idle streams", after.rss / mib, "MiB",
               baseline=f"before: {before.rss / mib:.1f} MiB", ratio=after.rss / before.rss),
        Result(BENCH, "notify RSS per open stream", per_stream, "KiB"),
        Result(BENCH, f"notify threads with {streams} streams", after.threads, "",
               baseline=f"before: {before.threads}"),
        Result(BENCH, f"notify PostgreSQL connections with {streams} streams", after.connections,
               "", baseline=f"before: {before.connections}", note="pool max_size 10"),
        Result(BENCH, f"notify open files with {streams} streams", after.files, "",
               baseline=f"before: {before.files}"),
        Result(BENCH, f"notify CPU while {streams} streams idle", crowd.idle_cpu * 100,
               "% of a core", note="a heartbeat comment every 15 s on each"),
    ]  # fmt: skip
    for what, (alone, crowded), points in (
        ("outcome → SSE message", latencies, (("p50", 50), ("p99", 99), ("max", 100))),
        ("of which inbox row → SSE message", tails, (("p50", 50), ("p99", 99))),
    ):
        for name, p in points:
            ours, solo = percentile(crowded, p), percentile(alone, p)
            results.append(Result(
                BENCH, f"{what} {name}, {streams} streams open ({label})", ours, "ms",
                baseline=f"1 stream open: {solo:.1f} ms", ratio=ours / solo,
            ))  # fmt: skip
    delivered = len(latencies[1]) / deliveries
    results.append(Result(BENCH, f"delivered / sent with {streams} streams open", delivered, "",
                          note="all must arrive, each once"))  # fmt: skip
    return results
