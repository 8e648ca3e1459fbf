"""The steady load of a chaos run, and the ledger of what was sent and what was accepted."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from zll_contracts.topics import PROVIDER_COURSES, PROVIDER_ENROLMENTS

from zll.platform.auth import mint_token
from zll.platform.settings import Settings

SEND_TIMEOUT = 15.0  # a partner gives up waiting for the broker's acknowledgement after this
MODULE = "m1"


@dataclass
class Enrolment:
    course_id: str
    learner_id: str
    via: str  # http | partner
    status: str | None = None  # the HTTP answer, when there was one


@dataclass
class CourseRevision:
    sent_at: datetime
    revision: int
    capacity: int
    acked: bool = False


@dataclass
class Ledger:
    """Every request sent; those answered 2xx or acknowledged by the broker are 'accepted'."""

    provider: str
    courses: dict[str, list[CourseRevision]] = field(default_factory=dict)
    enrolments: dict[str, Enrolment] = field(default_factory=dict)
    cancels: dict[str, str] = field(default_factory=dict)  # enrolment_id -> via
    # HTTP cancellations whose answer was lost (a fault cut the connection): they may have
    # taken effect; their events on the topic say whether.
    cancels_in_doubt: set[str] = field(default_factory=set)
    completions: set[str] = field(default_factory=set)
    answers: dict[str, str] = field(default_factory=dict)  # enrolment_id -> accepted | declined
    sent: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    touched: set[str] = field(default_factory=set)  # enrolments chosen for cancel or completion
    # (answered at, capacity): what the enrolment service said a course's capacity was, so the
    # checks know from when a capacity change was in force.
    seen: dict[str, list[tuple[datetime, int]]] = field(default_factory=dict)

    def learners(self) -> set[str]:
        return {e.learner_id for e in self.enrolments.values()}


def offers_seats(code: str) -> bool:
    """Every other chaos course holds freed seats as timed offers (c1, c3, …), the others
    promote at once: both kinds of promotion under the same faults."""
    return code[-1:].isdigit() and int(code[-1]) % 2 == 1


def course_payload(provider: str, code: str, revision: int, capacity: int) -> dict[str, Any]:
    """A course whose only changing field is its capacity: no date or place change notices."""
    promotion = {"waitlist_promotion": "offer", "offer_hours": 48} if offers_seats(code) else {}
    return {
        **promotion,
        "course_id": f"{provider}:{code}",
        "provider_id": provider,
        "revision": revision,
        "title": f"Chaos-Kurs {code}",
        "format": "onsite",
        "location": {"municipality": "Kassel", "postcode": "34117"},
        "start_date": "2030-03-01",
        "end_date": "2030-06-30",
        "capacity": capacity,
        "price_eur": 100,
        "funding": [],
        "target_groups": ["working-age"],
        "modules": [
            {
                "module_id": MODULE,
                "title": "Grundlagen",
                "workload_hours": 20,
                "eqf_level": 3,
                "skills": ["http://data.europa.eu/esco/skill/chaos"],
                "certificate": "module-certificate",
            }
        ],
    }


class Partner:
    """A provider's own Kafka client writing CloudEvents in binary mode."""

    def __init__(self, bootstrap: str, provider: str) -> None:
        self.provider = provider
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2
        )

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def send(
        self, topic: str, ce_type: str, key: str, data: dict[str, Any], ce_id: str | None = None
    ) -> bool:
        """True when the broker acknowledged the record within SEND_TIMEOUT."""
        headers = [
            ("ce_specversion", b"1.0"),
            ("ce_id", (ce_id or str(uuid.uuid4())).encode()),
            ("ce_source", f"/providers/{self.provider}".encode()),
            ("ce_type", ce_type.encode()),
            ("ce_time", datetime.now(UTC).isoformat().encode()),
            ("content-type", b"application/json"),
        ]
        value = json.dumps(data).encode()
        try:
            await asyncio.wait_for(
                self.producer.send_and_wait(topic, value, key=key.encode(), headers=headers),
                SEND_TIMEOUT,
            )
        except Exception:  # timeout or broker error: not accepted (it may still arrive later)
            return False
        return True


class Load:
    """Course changes, HTTP and partner enrolments, cancellations and completions at a rate."""

    def __init__(
        self,
        ledger: Ledger,
        partner: Partner,
        enrolment_url: str,
        rng: random.Random,
        *,
        courses: list[str],
        learners: int,
    ) -> None:
        self.ledger = ledger
        self.partner = partner
        self.rng = rng
        self.courses = courses
        self.learner_ids = [f"{ledger.provider}-learner-{n}" for n in range(learners)]
        self.http = httpx.AsyncClient(base_url=enrolment_url, timeout=10.0)
        self.settings = Settings()
        self.tokens: dict[tuple[str, str], str] = {}
        self.in_flight: set[asyncio.Task[None]] = set()
        self.watchers: set[asyncio.Task[None]] = set()

    def token(self, role: str, sub: str) -> str:
        if (role, sub) not in self.tokens:
            self.tokens[(role, sub)] = mint_token(self.settings, role=role, sub=sub)  # type: ignore[arg-type]
        return self.tokens[(role, sub)]

    async def run(
        self, seconds: float, rate: float, until: asyncio.Event, concurrency: int = 32
    ) -> None:
        """One operation every 1/rate seconds, each in its own task, at most `concurrency` open;
        for at least `seconds`, and on until `until` is set (the last fault has recovered)."""
        gate = asyncio.Semaphore(concurrency)
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < seconds or not until.is_set():
            await gate.acquire()
            task = asyncio.create_task(self._one(gate))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
            n += 1
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing, not correctness
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        for watcher in self.watchers:
            watcher.cancel()  # their sightings so far are the evidence; none is owed
        await asyncio.gather(*self.watchers, return_exceptions=True)

    async def close(self) -> None:
        await self.http.aclose()

    async def look_at_capacity(self, course_id: str) -> int | None:
        """The capacity the enrolment service answers now, noted in the ledger with the moment
        the answer came (the capacity was in force at some point before it)."""
        try:
            response = await self.http.get(f"/courses/{course_id}/seats")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        capacity = int(response.json()["capacity"])
        self.ledger.seen.setdefault(course_id, []).append((datetime.now(UTC), capacity))
        return capacity

    async def watch_capacity(self, course_id: str, revision: CourseRevision) -> None:
        """Until the enrolment service answers this revision's capacity, or a newer revision
        was sent (whose own watcher takes over)."""
        revisions = self.ledger.courses[course_id]
        while revisions[-1] is revision:
            if await self.look_at_capacity(course_id) == revision.capacity:
                return
            await asyncio.sleep(0.1)  # a polling interval

    async def _one(self, gate: asyncio.Semaphore) -> None:
        try:
            roll = self.rng.random()
            if roll < 0.35:
                await self.http_enrol(
                    self.rng.choice(self.courses), self.rng.choice(self.learner_ids)
                )
            elif roll < 0.65:
                await self.partner_enrol(
                    self.rng.choice(self.courses), self.rng.choice(self.learner_ids)
                )
            elif roll < 0.73:
                await self.change_capacity(self.rng.choice(self.courses), self.rng.randint(1, 8))
            elif roll < 0.90:
                await self.cancel()
            elif roll < 0.95:
                await self.answer_offer()
            else:
                await self.complete()
        finally:
            gate.release()

    async def http_enrol(self, course_id: str, learner_id: str) -> str | None:
        """POST /enrolments as the learner; the enrolment id when the answer was 2xx."""
        self.ledger.sent["http enrolment"] += 1
        try:
            response = await self.http.post(
                "/enrolments",
                json={"course_id": course_id, "learner_id": learner_id},
                headers={"Authorization": f"Bearer {self.token('learner', learner_id)}"},
            )
        except httpx.HTTPError:
            return None
        if not response.is_success:
            return None
        body = response.json()
        eid = str(body["enrolment_id"])
        self.ledger.enrolments[eid] = Enrolment(course_id, learner_id, "http", body["status"])
        self.ledger.accepted["http enrolment"] += 1
        return eid

    async def partner_enrol(self, course_id: str, learner_id: str) -> None:
        eid = str(uuid.uuid4())
        data = {
            "enrolment_id": eid,
            "course_id": course_id,
            "learner_id": learner_id,
            "requested_at": datetime.now(UTC).isoformat(),
        }
        self.ledger.sent["partner enrolment"] += 1
        if await self.partner.send(
            PROVIDER_ENROLMENTS, "zll.enrolment.requested.v1", course_id, data
        ):
            self.ledger.enrolments[eid] = Enrolment(course_id, learner_id, "partner")
            self.ledger.accepted["partner enrolment"] += 1

    async def change_capacity(
        self, course_id: str, capacity: int, ce_id: str | None = None
    ) -> bool:
        revisions = self.ledger.courses[course_id]
        revision = CourseRevision(datetime.now(UTC), revisions[-1].revision + 1, capacity)
        revisions.append(revision)  # before sending: an unacknowledged send may still arrive
        code = course_id.split(":", 1)[1]
        data = course_payload(self.ledger.provider, code, revision.revision, capacity)
        self.ledger.sent["course change"] += 1
        revision.acked = await self.partner.send(
            PROVIDER_COURSES, "zll.course.upserted.v1", course_id, data, ce_id
        )
        if revision.acked:
            self.ledger.accepted["course change"] += 1
            watcher = asyncio.create_task(self.watch_capacity(course_id, revision))
            self.watchers.add(watcher)
            watcher.add_done_callback(self.watchers.discard)
        return revision.acked

    def _untouched(self, http_confirmed: bool) -> str | None:
        candidates = [
            eid
            for eid, e in self.ledger.enrolments.items()
            if eid not in self.ledger.touched and (not http_confirmed or e.status == "confirmed")
        ]
        if not candidates:
            return None
        eid = self.rng.choice(sorted(candidates))
        self.ledger.touched.add(eid)
        return eid

    async def cancel(self) -> None:
        eid = self._untouched(http_confirmed=False)
        if eid is None:
            return
        enrolment = self.ledger.enrolments[eid]
        if self.rng.random() < 0.5:
            self.ledger.sent["http cancellation"] += 1
            try:
                response = await self.http.post(
                    f"/enrolments/{eid}/cancel",
                    json={"reason": "chaos"},
                    headers={
                        "Authorization": f"Bearer {self.token('learner', enrolment.learner_id)}"
                    },
                )
            except httpx.HTTPError:
                self.ledger.cancels_in_doubt.add(eid)
                return
            if response.is_success:
                self.ledger.cancels[eid] = "http"
                self.ledger.accepted["http cancellation"] += 1
            return
        self.ledger.sent["partner cancellation"] += 1
        data = {"enrolment_id": eid, "reason": "chaos"}
        if await self.partner.send(
            PROVIDER_ENROLMENTS, "zll.enrolment.cancel-requested.v1", enrolment.course_id, data
        ):
            self.ledger.cancels[eid] = "partner"
            self.ledger.accepted["partner cancellation"] += 1

    async def complete(self) -> None:
        eid = self._untouched(http_confirmed=True)
        if eid is None:
            return
        data = {
            "enrolment_id": eid,
            "modules_passed": [MODULE],
            "completed_at": datetime.now(UTC).isoformat(),
        }
        self.ledger.sent["completion"] += 1
        course_id = self.ledger.enrolments[eid].course_id
        if await self.partner.send(
            PROVIDER_ENROLMENTS, "zll.enrolment.completed.v1", course_id, data
        ):
            self.ledger.completions.add(eid)
            self.ledger.accepted["completion"] += 1

    async def answer_offer(self) -> None:
        """A learner with a seat held for them accepts it (or, one time in four, declines)."""
        held = [
            eid
            for eid, e in self.ledger.enrolments.items()
            if eid not in self.ledger.touched and offers_seats(e.course_id)
        ]
        for eid in self.rng.sample(sorted(held), min(5, len(held))):
            learner = self.ledger.enrolments[eid].learner_id
            auth = {"Authorization": f"Bearer {self.token('learner', learner)}"}
            try:
                status = (await self.http.get(f"/enrolments/{eid}", headers=auth)).json()
            except (httpx.HTTPError, ValueError):
                return
            if status.get("status") != "offered":
                continue
            self.ledger.touched.add(eid)
            answer = "accepted" if self.rng.random() < 0.75 else "declined"
            self.ledger.sent[f"offer {answer}"] += 1
            path = "accept" if answer == "accepted" else "decline"
            try:
                response = await self.http.post(f"/enrolments/{eid}/offer/{path}", headers=auth)
            except httpx.HTTPError:
                return
            if response.is_success:
                self.ledger.answers[eid] = answer
                self.ledger.accepted[f"offer {answer}"] += 1
            return
