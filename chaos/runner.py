"""A chaos run: steady load, faults at seeded random moments, quiet, then the invariants."""

from __future__ import annotations

import asyncio
import importlib
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import httpx

from chaos import checks, observe
from chaos.load import CourseRevision, Ledger, Load, Partner
from zll.devstack import faults
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

PROBE_CAPACITY = 100_000  # the probe course never fills, so every probe is confirmed
T = TypeVar("T")
log = logging.getLogger("chaos")
BROKER_FREEZE = "broker freeze"
LEARNER_KINDS = (
    "enrolment.confirmed",
    "enrolment.promoted",
    "enrolment.waitlisted",
    "enrolment.cancelled",
    "certificate.issued",
    "offer.made",
    "offer.expired",
)
PG_RESTART = "postgres restart"


@dataclass(frozen=True)
class Config:
    seconds: float = 120.0
    seed: int = 1
    rate: float = 20.0  # operations per second
    courses: int = 6
    learners: int = 150
    kills_per_service: int = 1
    kill_services: tuple[str, ...] = tuple(SERVICE_NAMES)
    broker_freezes: int = 1
    freeze_seconds: float = 10.0
    postgres_restarts: int = 1
    recover_timeout: float = 120.0
    quiet_timeout: float = 120.0


@dataclass(frozen=True)
class Recovery:
    kind: str
    target: str
    at: float  # seconds into the run
    seconds: float  # from the fault's end until a request went all the way through again
    ready_seconds: float  # from the fault's end until every /readyz answered 200


@dataclass
class Report:
    sent: Counter[str]
    accepted: Counter[str]
    recoveries: list[Recovery] = field(default_factory=list)
    findings: checks.Findings = field(default_factory=checks.Findings)
    quiet_after: float = 0.0
    distinct_events: int = 0

    @property
    def faults(self) -> Counter[str]:
        return Counter(r.kind for r in self.recoveries)

    @property
    def violations(self) -> dict[str, int]:
        return {k: v for k, v in self.findings.counts().items() if v}


def fault_plan(config: Config, rng: random.Random) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = [
        ("kill", s) for s in config.kill_services for _ in range(config.kills_per_service)
    ]
    plan += [(BROKER_FREEZE, "broker")] * config.broker_freezes
    plan += [(PG_RESTART, "postgres")] * config.postgres_restarts
    rng.shuffle(plan)
    return plan


class Chaos:
    def __init__(self, stack: DevStack, config: Config) -> None:
        self.stack = stack
        self.config = config
        self.rng = random.Random(config.seed)
        provider = f"chaos-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:10]}"
        self.ledger = Ledger(provider)
        self.partner = Partner(stack.bootstrap, provider)
        self.courses = [f"{provider}:c{n}" for n in range(config.courses)]
        self.probe_course = f"{provider}:probe"
        self.urls: dict[str, str] = {str(n): stack.layout.url(n) for n in SERVICE_NAMES}
        self.groups = {
            f"zll-{name}": list(importlib.import_module(f"services.{name}.app").DEFINITION.topics)
            for name in SERVICE_NAMES
        }
        self.load = Load(
            self.ledger,
            self.partner,
            self.urls["enrolment"],
            random.Random(self.rng.getrandbits(64)),
            courses=self.courses,
            learners=config.learners,
        )
        self.started = 0.0

    def client(self, service: str, role: str = "operator") -> httpx.AsyncClient:
        token = mint_token(Settings(), role=role, sub=f"chaos-{role}")  # type: ignore[arg-type]
        return httpx.AsyncClient(
            base_url=self.urls[service], headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    async def run(self) -> Report:
        await self.partner.start()
        try:
            await self.setup()
            self.started = time.monotonic()
            faults_done = asyncio.Event()
            load = asyncio.create_task(
                self.load.run(self.config.seconds, self.config.rate, faults_done)
            )
            try:
                recoveries = await self.inject_faults()
            finally:
                faults_done.set()
            await load
            report = Report(self.ledger.sent, self.ledger.accepted, recoveries)
            report.quiet_after, last = await observe.wait_quiet(
                self.stack.bootstrap, self.urls, self.groups, self.config.quiet_timeout
            )
            if not last.quiet:
                report.findings.not_quiet.append(str(last))
            await self.check(report)
            return report
        finally:
            await self.load.close()
            await self.partner.stop()

    async def setup(self) -> None:
        """A provider and its courses, known to the enrolment service before the load starts."""
        async with self.client("catalog") as catalog:
            response = await catalog.put(
                f"/providers/{self.ledger.provider}",
                json={"name": "Chaos-VHS", "kind": "volkshochschule", "municipality": "Kassel"},
            )
            response.raise_for_status()
        for course in [*self.courses, self.probe_course]:
            capacity = PROBE_CAPACITY if course == self.probe_course else self.rng.randint(2, 6)
            self.ledger.courses[course] = [CourseRevision(datetime.now(UTC), 0, capacity)]
            await self.load.change_capacity(course, capacity)
        async with self.client("enrolment") as enrolment:
            for course in [*self.courses, self.probe_course]:
                await _until(partial(_known, enrolment, course), 60, f"{course} in enrolment")
        self.ledger.sent.clear()
        self.ledger.accepted.clear()

    async def inject_faults(self) -> list[Recovery]:
        """Faults spread over the run at seeded random moments, one at a time."""
        plan = fault_plan(self.config, self.rng)
        slot = self.config.seconds / (len(plan) + 1)
        recoveries = []
        for n, (kind, target) in enumerate(plan):
            at = slot * n + self.rng.uniform(0.3, 1.0) * slot
            wait = at - (time.monotonic() - self.started)
            if wait > 0:
                await asyncio.sleep(wait)  # the moment of the fault, not a correctness wait
            recoveries.append(await self.one_fault(kind, target))
        return recoveries

    async def one_fault(self, kind: str, target: str) -> Recovery:
        at = time.monotonic() - self.started
        ended = time.monotonic()
        if kind == "kill":
            await asyncio.to_thread(faults.kill_service, self.stack, target)
            ended = time.monotonic()
            await asyncio.to_thread(faults.restart_service, self.stack, target)
        elif kind == BROKER_FREEZE:
            await asyncio.to_thread(faults.freeze_broker, self.stack, self.config.freeze_seconds)
            ended = time.monotonic()
        else:
            await asyncio.to_thread(faults.restart_postgres, self.stack)
            ended = time.monotonic()
        ready = await self.probe()
        recovery = Recovery(kind, target, round(at, 1), time.monotonic() - ended, ready - ended)
        log.info(
            "%5.1f s: %s %s: ready after %.1f s, recovered after %.1f s",
            at, kind, target, recovery.ready_seconds, recovery.seconds,
        )  # fmt: skip
        return recovery

    async def probe(self) -> float:
        """Until every service is ready and a fresh HTTP enrolment reached the learner's inbox;
        returns the moment all were ready."""
        deadline = self.config.recover_timeout
        await asyncio.to_thread(faults.wait_all_ready, self.urls.values(), deadline)
        ready = time.monotonic()
        learner = f"{self.ledger.provider}-probe-{self.rng.randrange(10**12)}"
        eid = await _until(
            lambda: self.load.http_enrol(self.probe_course, learner), deadline, "probe"
        )
        async with self.client("notify", "counsellor") as notify:
            await _until(lambda: _notified(notify, learner, str(eid)), deadline, "probe notice")
        return ready

    async def check(self, report: Report) -> None:
        """At the quiet point, nothing restored or tidied: the topic, then what HTTP answers."""
        records = await observe.read_all(self.stack.bootstrap, "zll.enrolments.v1")
        events = checks.distinct_events(records, self.ledger.provider)
        report.distinct_events = len(events)
        learners = self.ledger.learners() | {str(e.data["learner_id"]) for e in events}
        answers = checks.Answers()
        async with self.client("enrolment") as enrolment, self.client("catalog") as catalog:
            for eid in sorted(self.ledger.enrolments):
                response = await enrolment.get(f"/enrolments/{eid}")
                ok = response.status_code == 200
                answers.statuses[eid] = (
                    response.json()["status"] if ok else f"HTTP {response.status_code}"
                )
            for course in sorted(self.ledger.courses):
                stored = (await catalog.get(f"/courses/{course}")).json()
                seats = (await enrolment.get(f"/courses/{course}/seats")).json()
                answers.courses[course] = checks.CourseState(
                    int(stored.get("revision", 0)),
                    seats["capacity"],
                    seats["confirmed"],
                    seats["waitlisted"],
                    seats.get("offered", 0),
                )
        async with self.client("notify", "counsellor") as notify:
            for learner in sorted(learners):
                answers.inboxes[learner] = Counter(
                    (str(note["data"]["enrolment_id"]), str(note["kind"]))
                    for note in await _inbox(notify, learner)
                    if note["kind"] in LEARNER_KINDS and "enrolment_id" in note["data"]
                )
        checks.check_all(self.ledger, events, answers, report.findings)


async def _inbox(notify: httpx.AsyncClient, learner: str) -> list[dict[str, Any]]:
    """The whole inbox, page by page (the cursor of each page leads to the next)."""
    notes: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await notify.get(f"/learners/{learner}/notifications", params=params)
        response.raise_for_status()
        page = response.json()
        notes += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return notes


async def _known(enrolment: httpx.AsyncClient, course: str) -> bool:
    return (await enrolment.get(f"/courses/{course}/seats")).status_code == 200


async def _notified(notify: httpx.AsyncClient, learner: str, eid: str) -> bool:
    response = await notify.get(f"/learners/{learner}/notifications")
    return response.is_success and any(
        n["data"].get("enrolment_id") == eid for n in response.json()["items"]
    )


async def _until(check: Callable[[], Awaitable[T]], timeout: float, what: str) -> T:
    """Poll `check()` until it returns something truthy; TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result: T | None = await check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f}s")
        await asyncio.sleep(0.2)


async def run_chaos(stack: DevStack, config: Config) -> Report:
    """Build the run inside the event loop (the Kafka client needs one) and run it."""
    return await Chaos(stack, config).run()
